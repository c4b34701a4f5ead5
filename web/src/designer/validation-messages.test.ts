import i18next, { type TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../src/domain/definition/validate.ts';
import type { Stage, Transition } from '../api/types.ts';
import designer from '../i18n/designer.ts';
import { describeValidationError } from './validation-messages.ts';

async function translator(lng: 'en' | 'ru'): Promise<TFunction<'designer'>> {
  const i18n = i18next.createInstance();
  await i18n.init({
    lng,
    resources: { en: { designer: designer.en }, ru: { designer: designer.ru } },
    ns: ['designer'],
    defaultNS: 'designer',
    interpolation: { escapeValue: false },
  });
  return i18n.getFixedT(lng, 'designer') as TFunction<'designer'>;
}

const stages: Stage[] = [
  { key: 'call', name: 'Call the client', kind: 'start' },
  { key: 'rest', name: 'Rest', kind: 'normal', wait: 'P30D' },
  { key: 'lost', name: 'Client lost', kind: 'end' },
];
const transitions: Transition[] = [
  { from: 'call', to: 'lost', result: 'Refused' },
  { from: 'call', to: 'rest', result: 'refused' },
];

describe('validation messages', () => {
  it('name stages by their names, in both languages, for every error found', async () => {
    const { errors } = validateDefinition({ stages, transitions });
    expect(errors.map((e) => e.code).sort()).toEqual([
      'duplicate_result',
      'no_end_reachable',
      'no_outgoing_transition',
    ]);
    const en = await translator('en');
    const ru = await translator('ru');
    const texts = errors.map((e) => describeValidationError(e, en, { stages, transitions }));
    expect(texts).toContain('“Call the client” has the result “refused” twice.');
    expect(texts).toContain('“Rest” has no rule out: add one, or make it an end stage.');
    for (const e of errors) {
      const text = describeValidationError(e, ru, { stages, transitions });
      expect(text).not.toBe(e.message);
      expect(text).not.toContain('{{');
    }
  });

  it('tells the task problems apart, and keeps the validator message for unknown codes', async () => {
    const en = await translator('en');
    const withTask: Stage[] = [
      { key: 'a', name: 'A', kind: 'start', task: { title: '', assignee: 'responsible', dueIn: 'soon' } },
    ];
    const { errors } = validateDefinition({ stages: withTask, transitions: [] });
    const texts = errors.map((e) => describeValidationError(e, en, { stages: withTask, transitions: [] }));
    expect(texts).toContain('“A”: the task needs a title.');
    expect(texts).toContain('“A”: the task’s due time is not a valid duration (up to 10 years).');
    expect(
      describeValidationError({ code: 'something_new', message: 'As the server says.' }, en, {
        stages,
        transitions,
      }),
    ).toBe('As the server says.');
  });
});
