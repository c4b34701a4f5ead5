import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VALIDATION_CODES } from '../definition/types.ts';
import { MAX_ESCALATION_STEPS, validateStageTiming } from './validate-stage-timing.ts';

const stage = (extra: Record<string, unknown>) => ({ key: 'call', name: 'Call', kind: 'normal', ...extra });

/** Each error without its English message. */
function problems(raw: Record<string, unknown>, employees?: readonly string[]) {
  const ctx = employees ? { employeeExists: (id: string) => employees.includes(id) } : {};
  return validateStageTiming(raw, 'call', ctx).map(({ message, ...rest }) => {
    expect(message.length).toBeGreaterThan(0);
    return rest;
  });
}

describe('validateStageTiming', () => {
  it('given good settings, then there is nothing to report', () => {
    expect(
      problems(
        stage({
          deadline: { duration: 'PT18H', working: true },
          escalation: [
            { after: 'PT4H', working: true, action: 'notify' },
            { after: 'P1D', action: 'notify', to: 'admins' },
            { after: 'PT2H', action: 'reassign', to: 'next_online' },
            { after: 'PT1H', working: false, action: 'reassign', to: { employeeId: 'e1' } },
            { after: 'PT30M', action: 'notify', to: 'initiator' },
            { after: 'PT30M', action: 'notify', to: 'responsible' },
            { after: 'PT3H', action: 'reassign', to: 'initiator' },
          ],
        }),
        ['e1'],
      ),
    ).toEqual([]);
    expect(problems(stage({}))).toEqual([]);
    expect(problems(stage({ deadline: { duration: 'P1M' }, escalation: [] }))).toEqual([]);
  });

  it.each([
    ['no object', 'PT4H', 'shape'],
    ['no duration', {}, 'format'],
    ['a bad duration', { duration: '4 hours' }, 'format'],
    ['a working flag that is no boolean', { duration: 'PT4H', working: 'yes' }, 'shape'],
    ['a zero duration', { duration: 'PT0S' }, 'not_positive'],
    ['more than 10 years', { duration: 'P11Y' }, 'too_long'],
    ['working days', { duration: 'P2D', working: true }, 'working_units'],
    ['working weeks', { duration: 'P1W', working: true }, 'working_units'],
  ])('given a deadline with %s, then it is reported', (_name, deadline, problem) => {
    expect(problems(stage({ deadline }))).toEqual([
      { code: 'invalid_deadline', stage: 'call', params: { problem } },
    ]);
  });

  it.each([
    ['no object', 'PT1H', 'shape'],
    ['a bad after', { after: 'soon', action: 'notify' }, 'format'],
    ['a zero after', { after: 'P0D', action: 'notify' }, 'not_positive'],
    ['working days', { after: 'P1D', working: true, action: 'notify' }, 'working_units'],
    ['an unknown action', { after: 'PT1H', action: 'call' }, 'action'],
    ['no action', { after: 'PT1H' }, 'action'],
    ['an unknown target', { after: 'PT1H', action: 'notify', to: 'boss' }, 'target'],
    ['a target without an id', { after: 'PT1H', action: 'notify', to: { employee: 'e1' } }, 'target'],
    ['an empty id', { after: 'PT1H', action: 'notify', to: { employeeId: '' } }, 'target'],
    [
      'a reassignment to the responsible',
      { after: 'PT1H', action: 'reassign', to: 'responsible' },
      'target_for_action',
    ],
    [
      'a reassignment to the admins',
      { after: 'PT1H', action: 'reassign', to: 'admins' },
      'target_for_action',
    ],
  ])('given an escalation step with %s, then it is reported with its index', (_name, step, problem) => {
    const ok = { after: 'PT1H', action: 'notify' };
    expect(problems(stage({ escalation: [ok, step] }))).toEqual([
      { code: 'invalid_escalation', stage: 'call', params: { step: 1, problem } },
    ]);
  });

  it('given an escalation that is no list or too long, then the ladder as a whole is reported', () => {
    expect(problems(stage({ escalation: { after: 'PT1H' } }))).toEqual([
      { code: 'invalid_escalation', stage: 'call', params: { step: null, problem: 'shape' } },
    ]);
    const steps = Array.from({ length: MAX_ESCALATION_STEPS + 1 }, () => ({
      after: 'PT1H',
      action: 'notify',
    }));
    expect(problems(stage({ escalation: steps }))).toEqual([
      { code: 'invalid_escalation', stage: 'call', params: { step: null, problem: 'too_many' } },
    ]);
    expect(problems(stage({ escalation: steps.slice(1) }))).toEqual([]);
  });

  it('given an employee who does not exist, then it is reported as such', () => {
    const escalation = [{ after: 'PT1H', action: 'reassign', to: { employeeId: 'ghost' } }];
    expect(problems(stage({ escalation }), ['e1'])).toEqual([
      { code: 'unknown_employee', stage: 'call', params: { role: 'escalation_target' } },
    ]);
    expect(problems(stage({ escalation }))).toEqual([]);
  });

  it('given settings on an end or a wait stage, then they are refused: the clock never runs there', () => {
    const settings = { deadline: { duration: 'PT1H' }, escalation: [{ after: 'PT1H', action: 'notify' }] };
    expect(problems({ ...stage(settings), kind: 'end' })).toEqual([
      { code: 'timing_not_allowed', stage: 'call', params: { setting: 'deadline', reason: 'end_stage' } },
      { code: 'timing_not_allowed', stage: 'call', params: { setting: 'escalation', reason: 'end_stage' } },
    ]);
    expect(problems(stage({ ...settings, wait: 'P1D' }))).toEqual([
      { code: 'timing_not_allowed', stage: 'call', params: { setting: 'deadline', reason: 'wait_stage' } },
      { code: 'timing_not_allowed', stage: 'call', params: { setting: 'escalation', reason: 'wait_stage' } },
    ]);
    expect(problems({ ...stage({ escalation: [] }), kind: 'end' })).toEqual([]);
  });

  it('given several problems, then every one is reported', () => {
    const raw = stage({
      deadline: { duration: 'x' },
      escalation: [{ after: 'y', action: 'z', to: 'w' }, null],
    });
    expect(problems(raw).map((e) => [e.code, e.params])).toEqual([
      ['invalid_deadline', { problem: 'format' }],
      ['invalid_escalation', { step: 0, problem: 'format' }],
      ['invalid_escalation', { step: 0, problem: 'action' }],
      ['invalid_escalation', { step: 0, problem: 'target' }],
      ['invalid_escalation', { step: 1, problem: 'shape' }],
    ]);
  });

  it('never throws on any input, and reports only catalogued codes', () => {
    const junk = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom('PT1H', 'P1D', 'notify', 'reassign', 'admins', null, true, { employeeId: 'e1' }),
    );
    const step = fc.oneof(
      junk,
      fc.record(
        { after: junk, working: junk, action: junk, to: junk, ['__proto__']: junk },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            kind: junk,
            wait: junk,
            deadline: fc.oneof(junk, fc.record({ duration: junk, working: junk })),
            escalation: fc.oneof(junk, fc.array(step)),
          },
          { requiredKeys: [] },
        ),
        (raw) => {
          for (const error of validateStageTiming(raw, 'k', { employeeExists: () => false })) {
            expect(VALIDATION_CODES).toContain(error.code);
            expect(error.stage).toBe('k');
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
