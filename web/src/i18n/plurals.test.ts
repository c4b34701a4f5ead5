import { describe, expect, it } from 'vitest';
import { formatDuration } from '../process-card/formatDuration.ts';
import i18n, { resources } from './index.ts';

/** Every key of a nested string table, dotted. */
function keys(table: unknown, prefix = ''): string[] {
  if (typeof table !== 'object' || table === null) return [prefix];
  return Object.entries(table).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('Russian plurals', () => {
  it('has a Russian file for every English one', () => {
    expect(Object.keys(resources.en)).toContain('common');
    expect(Object.keys(resources.ru).sort()).toEqual(Object.keys(resources.en).sort());
  });

  it.each(Object.keys(resources.en))('%s: every counted English text has all three Russian forms', (ns) => {
    const en = keys(resources.en[ns]);
    const ru = new Set(keys(resources.ru[ns]));
    const counted = en
      .filter((k) => k.endsWith('_one') || k.endsWith('_other'))
      .map((k) => k.replace(/_(one|other)$/, ''));
    const missing = [...new Set(counted)].flatMap((base) =>
      ['_one', '_few', '_many'].map((form) => base + form).filter((k) => !ru.has(k)),
    );
    expect(missing).toEqual([]);
  });

  it('counts days as 1 день, 2 дня, 5 дней and 1 day in English', async () => {
    await i18n.changeLanguage('ru');
    expect(['P1D', 'P2D', 'P5D', 'P21D'].map(formatDuration)).toEqual([
      '1 день',
      '2 дня',
      '5 дней',
      '21 день',
    ]);
    await i18n.changeLanguage('en');
    expect(['P1D', 'P2D'].map(formatDuration)).toEqual(['1 day', '2 days']);
  });
});
