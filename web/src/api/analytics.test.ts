import { describe, expect, it } from 'vitest';
import { analyticsKeys, analyticsPaths, DAY_MS, periodBounds, periodReady } from './analytics.ts';

describe('analytics periods', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');

  it('counts a preset back from now, with no end', () => {
    expect(periodBounds({ kind: 'last', days: 7 }, now)).toEqual({
      from: new Date(now - 7 * DAY_MS).toISOString(),
    });
  });

  it('runs a custom period from the start of its first day to the end of its last, in local time', () => {
    const bounds = periodBounds({ kind: 'custom', from: '2026-11-01', to: '2026-11-30' }, now);
    expect(bounds.from).toBe(new Date(2026, 10, 1).toISOString());
    expect(bounds.to).toBe(new Date(2026, 11, 1).toISOString());
  });

  it('asks for a custom period only with both days in order', () => {
    expect(periodReady({ kind: 'custom', from: '2026-11-01', to: '' })).toBe(false);
    expect(periodReady({ kind: 'custom', from: '2026-11-02', to: '2026-11-01' })).toBe(false);
    expect(periodReady({ kind: 'custom', from: '2026-11-01', to: '2026-11-01' })).toBe(true);
    expect(periodReady({ kind: 'last', days: 30 })).toBe(true);
  });

  it('keys each definition, version and period apart, and builds the URL', () => {
    const a = analyticsKeys.definition('d1', undefined, { kind: 'last', days: 30 });
    const b = analyticsKeys.definition('d1', 2, { kind: 'last', days: 30 });
    const c = analyticsKeys.definition('d1', undefined, {
      kind: 'custom',
      from: '2026-11-01',
      to: '2026-11-30',
    });
    expect(new Set([a.join('|'), b.join('|'), c.join('|')]).size).toBe(3);
    expect(a.slice(0, 1)).toEqual(analyticsKeys.all);
    expect(analyticsPaths.definition('a b', { version: 2, from: '2026-11-01T00:00:00.000Z' })).toBe(
      '/api/definitions/a%20b/analytics?version=2&from=2026-11-01T00%3A00%3A00.000Z',
    );
  });
});
