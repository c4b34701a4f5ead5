import i18next, { type TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { VALIDATION_CODES } from '../../../src/domain/definition/types.ts';
import { validateDefinition } from '../../../src/domain/definition/validate.ts';
import type { Stage, Transition, ValidationError } from '../api/types.ts';
import designerEn from '../i18n/locales/en/designer.json';
import designerRu from '../i18n/locales/ru/designer.json';
import { describeValidationError } from './validation-messages.ts';

async function translator(lng: 'en' | 'ru'): Promise<TFunction<'designer'>> {
  const i18n = i18next.createInstance();
  await i18n.init({
    lng,
    resources: { en: { designer: designerEn }, ru: { designer: designerRu } },
    ns: ['designer'],
    defaultNS: 'designer',
    showSupportNotice: false,
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

  it('tells the task problems apart by their params, and keeps the server message for unknown codes', async () => {
    const en = await translator('en');
    const withTask: Stage[] = [
      { key: 'a', name: 'A', kind: 'start', task: { title: '', assignee: 'responsible', dueIn: 'soon' } },
    ];
    const { errors } = validateDefinition({ stages: withTask, transitions: [] });
    const texts = errors.map((e) => describeValidationError(e, en, { stages: withTask, transitions: [] }));
    expect(texts).toContain('“A”: the task needs a title.');
    expect(texts).toContain('“A”: the task’s due time is not a valid duration (up to 10 years).');
    // A newer server may send a code this build does not know.
    const unknown = { code: 'something_new', message: 'As the server says.' } as unknown as ValidationError;
    expect(describeValidationError(unknown, en, { stages, transitions })).toBe('As the server says.');
  });

  it('translates every code and variant in both languages, whatever the English message says', async () => {
    const at = { message: 'not read', stage: 'call' } as const;
    const plain = VALIDATION_CODES.filter(
      (c) =>
        ![
          'invalid_task',
          'invalid_duration',
          'unknown_employee',
          'spawn_limit_exceeded',
          'invalid_deadline',
          'invalid_escalation',
          'timing_not_allowed',
        ].includes(c),
    ).map((code) => ({ ...at, code }) as ValidationError);
    const variants: ValidationError[] = [
      ...(['shape', 'title', 'assignee'] as const).map(
        (problem) => ({ ...at, code: 'invalid_task', params: { problem } }) as const,
      ),
      ...(['wait', 'startDelay', 'dueIn'] as const).map(
        (field) => ({ ...at, code: 'invalid_duration', params: { field, problem: 'format' } }) as const,
      ),
      ...(['shape', 'format', 'too_long', 'not_positive', 'working_units'] as const).flatMap((problem) => [
        { ...at, code: 'invalid_deadline', params: { problem } } as const,
        { ...at, code: 'invalid_escalation', params: { step: 1, problem } } as const,
      ]),
      ...(['action', 'target', 'target_for_action'] as const).map(
        (problem) => ({ ...at, code: 'invalid_escalation', params: { step: 0, problem } }) as const,
      ),
      { ...at, code: 'invalid_escalation', params: { step: null, problem: 'too_many' } },
      { ...at, code: 'timing_not_allowed', params: { setting: 'deadline', reason: 'end_stage' } },
      { ...at, code: 'timing_not_allowed', params: { setting: 'escalation', reason: 'wait_stage' } },
      { ...at, code: 'unknown_employee', params: { role: 'escalation_target' } },
      { ...at, code: 'unknown_employee', params: { role: 'responsible' } },
      { ...at, code: 'unknown_employee', params: { role: 'task_assignee' } },
      { ...at, code: 'spawn_limit_exceeded', params: { limit: 'per_stage', max: 5, count: 7 } },
      { ...at, code: 'spawn_limit_exceeded', params: { limit: 'per_launch', max: 20, count: 23 } },
      { ...at, code: 'spawn_limit_exceeded', params: { limit: 'per_launch', max: 20, count: null } },
      { ...at, code: 'spawn_limit_exceeded', params: { limit: 'depth', max: 4, count: 6 } },
    ];
    const all = [...plain, ...variants];
    expect(new Set(all.map((e) => e.code))).toEqual(new Set(VALIDATION_CODES));
    for (const lng of ['en', 'ru'] as const) {
      const t = await translator(lng);
      const texts = all.map((e) => describeValidationError(e, t, { stages, transitions }));
      for (const text of texts) {
        expect(text).not.toBe('not read');
        expect(text).not.toContain('{{');
      }
      expect(new Set(texts).size).toBe(texts.length);
      expect(texts.slice(-4).map((text) => text.match(/\d+/g))).toEqual([
        ['7', '5'],
        ['23', '20'],
        ['20'],
        ['6', '4'],
      ]);
    }
  });
});
