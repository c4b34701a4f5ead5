import { describe, expect, it } from 'vitest';
import { DELIVERY_ID, deliveryOfGoods, LOST_CLIENTS_ID, lostClients } from './demo-definitions.fixture.ts';
import type { DefinitionBody, Stage, Transition, ValidationError, ValidationResult } from './types.ts';
import { type SpawnTarget, type ValidationContext, validateDefinition } from './validate.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type JsonObject = Record<string, unknown>;

/** The smallest valid definition: a start stage with one way to the end stage. */
function minimal(): { stages: JsonObject[]; transitions: JsonObject[] } {
  return {
    stages: [
      { key: 'start', name: 'Start', kind: 'start' },
      { key: 'end', name: 'End', kind: 'end' },
    ],
    transitions: [{ from: 'start', to: 'end', result: 'Done' }],
  };
}

/** The minimal definition with a middle stage `mid`: start → mid → end. */
function withMiddle(mid: JsonObject = {}): { stages: JsonObject[]; transitions: JsonObject[] } {
  return {
    stages: [
      { key: 'start', name: 'Start', kind: 'start' },
      { key: 'mid', name: 'Middle', kind: 'normal', ...mid },
      { key: 'end', name: 'End', kind: 'end' },
    ],
    transitions: [
      { from: 'start', to: 'mid', result: 'Go' },
      { from: 'mid', to: 'end', result: 'Done' },
    ],
  };
}

function codes(result: ValidationResult): string[] {
  return result.errors.map((e) => e.code);
}

/** The errors without their human-readable messages, for exact comparisons. */
function located(result: ValidationResult): Omit<ValidationError, 'message'>[] {
  return result.errors.map(({ message: _message, ...rest }) => rest);
}

function expectValid(result: ValidationResult): void {
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

/** Asserts the result is invalid with exactly these errors (code and location), in any order. */
function expectOnly(result: ValidationResult, ...expected: Omit<ValidationError, 'message'>[]): void {
  expect(result.valid).toBe(false);
  expect(located(result)).toHaveLength(expected.length);
  expect(located(result)).toEqual(expect.arrayContaining(expected));
  for (const error of result.errors) expect(error.message).toEqual(expect.any(String));
}

describe('validateDefinition: valid definitions', () => {
  it('given the smallest start → end definition, then it is valid', () => {
    expectValid(validateDefinition(minimal()));
  });

  it('given a definition whose stages use every optional setting, then it is valid', () => {
    const body = withMiddle({
      responsibles: ['e1', 'e2'],
      task: {
        title: 'Call back',
        description: 'Use the script',
        assignee: { employeeId: 'e3' },
        blocking: true,
        startDelay: 'PT2H',
        dueIn: 'P1D',
      },
      event: { type: 'meeting', comment: 'In person' },
      wait: 'PT1M',
      spawn: [],
      position: { x: 10.5, y: -3 },
    });
    expectValid(validateDefinition(body, { employeeExists: () => true }));
  });

  it('given the article\'s "Monitoring lost clients" with its child definition published, then it is valid', () => {
    const ctx: ValidationContext = {
      selfId: LOST_CLIENTS_ID,
      definition: (id) => (id === DELIVERY_ID ? { status: 'published', startSpawns: [] } : undefined),
      employeeExists: (id) => ['manager-anna', 'manager-boris', 'senior-vera'].includes(id),
    };
    expectValid(validateDefinition(lostClients, ctx));
  });

  it('given the article\'s "Delivery of goods", then it is valid', () => {
    expectValid(validateDefinition(deliveryOfGoods, { selfId: DELIVERY_ID }));
  });

  it('given a loop back to the start (like Rest → Call the client), then it is valid', () => {
    const body = withMiddle();
    body.transitions.push({ from: 'mid', to: 'start', result: 'Again' });
    expectValid(validateDefinition(body));
  });

  it('given the same result on different stages, then it is valid (results are unique per stage)', () => {
    const body = withMiddle();
    body.transitions[0] = { from: 'start', to: 'mid', result: 'Done' };
    expectValid(validateDefinition(body));
  });

  it('given no context, then the validation does not need any lookups', () => {
    const body = withMiddle({ spawn: ['whatever'], responsibles: ['nobody-knows'] });
    expectValid(validateDefinition(body));
  });

  it('given a valid definition, then validation does not modify it', () => {
    const body = structuredClone(lostClients);
    validateDefinition(body);
    expect(body).toEqual(lostClients);
  });
});

describe('validateDefinition: shape', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a list', []],
    ['a string', 'stages'],
    ['a number', 42],
  ])('given %s as the definition, then it reports invalid_shape without naming a stage', (_label, input) => {
    const result = validateDefinition(input);
    expect(result.valid).toBe(false);
    expect(codes(result)).toEqual(['invalid_shape', 'invalid_shape', 'invalid_shape', 'no_stages']);
    for (const error of result.errors) {
      expect(error.stage).toBeUndefined();
      expect(error.transition).toBeUndefined();
    }
  });

  it('given stages that are not a list, then it reports invalid_shape and no_stages', () => {
    expectOnly(
      validateDefinition({ stages: { a: 1 }, transitions: [] }),
      { code: 'invalid_shape' },
      { code: 'no_stages' },
    );
  });

  it('given transitions that are not a list, then it reports invalid_shape and the stage with no way out', () => {
    const body = { ...minimal(), transitions: 'start->end' };
    expectOnly(
      validateDefinition(body),
      { code: 'invalid_shape' },
      { code: 'no_outgoing_transition', stage: 'start' },
      { code: 'unreachable_stage', stage: 'end' },
      { code: 'no_end_reachable', stage: 'start' },
    );
  });

  it('given an empty stage list, then it reports no_stages and not no_start_stage', () => {
    expectOnly(validateDefinition({ stages: [], transitions: [] }), { code: 'no_stages' });
  });

  it('given stages and transitions inherited from the prototype only, then they are not seen', () => {
    const input = Object.create(minimal());
    expect(codes(validateDefinition(input))).toEqual(['invalid_shape', 'invalid_shape', 'no_stages']);
  });
});

describe('validateDefinition: stages', () => {
  it.each([
    ['not an object', 'a stage'],
    ['null', null],
    ['a list', [{ key: 'x' }]],
  ])('given a stage that is %s, then it reports invalid_stage', (_label, raw) => {
    const body = minimal();
    (body.stages as unknown[]).push(raw);
    expectOnly(validateDefinition(body), { code: 'invalid_stage' });
    expect(validateDefinition(body).errors[0]?.message).toContain('#3');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['a number', 7],
  ])('given a stage whose key is %s, then it reports invalid_stage', (_label, key) => {
    const body = minimal();
    body.stages.push({ key, name: 'Keyless', kind: 'normal' });
    expectOnly(validateDefinition(body), { code: 'invalid_stage' });
  });

  it('given two stages with the same key, then it reports duplicate_stage_key naming it once', () => {
    const body = minimal();
    body.stages.push({ key: 'end', name: 'Another end', kind: 'end' });
    expectOnly(validateDefinition(body), { code: 'duplicate_stage_key', stage: 'end' });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', ' \t'],
    ['not text', 12],
  ])('given a stage whose name is %s, then it reports empty_stage_name for that stage', (_label, name) => {
    const body = withMiddle({ name });
    expectOnly(validateDefinition(body), { code: 'empty_stage_name', stage: 'mid' });
  });

  it.each([
    ['missing', undefined],
    ['unknown', 'finish'],
    ['wrong case', 'End'],
    ['not text', 1],
  ])('given a stage whose kind is %s, then it reports invalid_kind for that stage', (_label, kind) => {
    const body = withMiddle({ kind });
    expectOnly(validateDefinition(body), { code: 'invalid_kind', stage: 'mid' });
  });

  it.each([
    ['not a list', 'e1'],
    ['a list with a number', ['e1', 2]],
    ['a list with null', [null]],
  ])(
    'given responsibles that are %s, then it reports invalid_responsibles for that stage',
    (_l, responsibles) => {
      expectOnly(validateDefinition(withMiddle({ responsibles })), {
        code: 'invalid_responsibles',
        stage: 'mid',
      });
    },
  );

  it('given an employee listed twice among the responsibles, then it reports duplicate_responsible', () => {
    const body = withMiddle({ responsibles: ['e1', 'e2', 'e1'] });
    expectOnly(validateDefinition(body), { code: 'duplicate_responsible', stage: 'mid' });
  });

  it('given an empty list of responsibles, then it is valid', () => {
    expectValid(validateDefinition(withMiddle({ responsibles: [] })));
  });

  it('given a responsible who does not exist, then it reports unknown_employee for that stage', () => {
    const body = withMiddle({ responsibles: ['e1', 'ghost'] });
    const ctx: ValidationContext = { employeeExists: (id) => id === 'e1' };
    expectOnly(validateDefinition(body, ctx), {
      code: 'unknown_employee',
      stage: 'mid',
      params: { role: 'responsible' },
    });
  });

  it('given a task for an employee who does not exist, then it reports unknown_employee for that stage', () => {
    const body = withMiddle({ task: { title: 'Do it', assignee: { employeeId: 'ghost' } } });
    expectOnly(validateDefinition(body, { employeeExists: () => false }), {
      code: 'unknown_employee',
      stage: 'mid',
      params: { role: 'task_assignee' },
    });
  });

  it('given a task for the responsible, then the employee lookup is not consulted', () => {
    const body = withMiddle({ task: { title: 'Do it', assignee: 'responsible' } });
    expectValid(validateDefinition(body, { employeeExists: () => false }));
  });

  it.each([
    ['not an object', 'call them', 'shape'],
    ['without a title', { assignee: 'responsible' }, 'title'],
    ['with a blank title', { title: ' ', assignee: 'responsible' }, 'title'],
    ['without an assignee', { title: 'Do it' }, 'assignee'],
    ['with an unknown assignee word', { title: 'Do it', assignee: 'boss' }, 'assignee'],
    ['with an assignee lacking an employee id', { title: 'Do it', assignee: { id: 'e1' } }, 'assignee'],
    ['with a numeric employee id', { title: 'Do it', assignee: { employeeId: 5 } }, 'assignee'],
  ] as const)(
    'given a task %s, then it reports invalid_task (%s) for that stage',
    (_label, task, problem) => {
      expectOnly(validateDefinition(withMiddle({ task })), {
        code: 'invalid_task',
        stage: 'mid',
        params: { problem },
      });
    },
  );

  it('given a task with no title and no assignee, then it reports both problems', () => {
    expectOnly(
      validateDefinition(withMiddle({ task: {} })),
      { code: 'invalid_task', stage: 'mid', params: { problem: 'title' } },
      { code: 'invalid_task', stage: 'mid', params: { problem: 'assignee' } },
    );
  });

  it.each([
    ['startDelay', 'two hours'],
    ['dueIn', 'P1.5D'],
    ['dueIn', 3600],
  ] as const)(
    'given a task whose %s is %s, then it reports invalid_duration for that stage',
    (name, value) => {
      const body = withMiddle({ task: { title: 'Do it', assignee: 'responsible', [name]: value } });
      expectOnly(validateDefinition(body), {
        code: 'invalid_duration',
        stage: 'mid',
        params: { field: name, problem: 'format' },
      });
    },
  );

  it.each([
    ['startDelay', 'P11Y'],
    ['dueIn', 'P999999Y'],
  ] as const)(
    'given a task whose %s is %s, longer than ten years, then it reports invalid_duration',
    (name, value) => {
      const body = withMiddle({ task: { title: 'Do it', assignee: 'responsible', [name]: value } });
      expectOnly(validateDefinition(body), {
        code: 'invalid_duration',
        stage: 'mid',
        params: { field: name, problem: 'too_long' },
      });
    },
  );

  it('given a task with no start delay and a ten-year due time, then it is valid', () => {
    const body = withMiddle({
      task: { title: 'Do it', assignee: 'responsible', startDelay: 'PT0S', dueIn: 'P10Y' },
    });
    expectValid(validateDefinition(body));
  });

  it.each([
    ['not an object', 'call'],
    ['without a type', { comment: 'hi' }],
    ['with a blank type', { type: '  ' }],
    ['with a numeric comment', { type: 'call', comment: 5 }],
  ])('given an event %s, then it reports invalid_event for that stage', (_label, event) => {
    expectOnly(validateDefinition(withMiddle({ event })), { code: 'invalid_event', stage: 'mid' });
  });

  it.each([
    ['garbage', 'thirty days'],
    ['a number', 30],
    ['an empty P', 'P'],
    ['negative', '-P1D'],
  ])('given a wait that is %s, then it reports invalid_duration for that stage', (_label, wait) => {
    expectOnly(validateDefinition(withMiddle({ wait })), {
      code: 'invalid_duration',
      stage: 'mid',
      params: { field: 'wait', problem: 'format' },
    });
  });

  it.each(['PT59S', 'PT0S', 'P10Y1D', 'P11Y'])(
    'given a wait of %s, then it reports wait_out_of_range for that stage',
    (wait) => {
      expectOnly(validateDefinition(withMiddle({ wait })), { code: 'wait_out_of_range', stage: 'mid' });
    },
  );

  it.each(['PT1M', 'P30D', 'P10Y', 'P120M'])('given a wait of %s, then it is valid', (wait) => {
    expectValid(validateDefinition(withMiddle({ wait })));
  });

  it.each([
    ['not a list', 'def-1'],
    ['a list with a number', ['def-1', 2]],
  ])('given spawn that is %s, then it reports invalid_spawn for that stage', (_label, spawn) => {
    expectOnly(validateDefinition(withMiddle({ spawn })), { code: 'invalid_spawn', stage: 'mid' });
  });

  it.each([
    ['not an object', 'left'],
    ['without y', { x: 1 }],
    ['with text coordinates', { x: '1', y: '2' }],
    ['with an infinite coordinate', { x: Number.POSITIVE_INFINITY, y: 0 }],
    ['with NaN', { x: 0, y: Number.NaN }],
  ])('given a position %s, then it reports invalid_position for that stage', (_label, position) => {
    expectOnly(validateDefinition(withMiddle({ position })), { code: 'invalid_position', stage: 'mid' });
  });
});

describe('validateDefinition: start and end stages', () => {
  it('given no start stage, then it reports no_start_stage and what follows from it', () => {
    const body = minimal();
    body.stages[0] = { key: 'start', name: 'Start', kind: 'normal' };
    expectOnly(validateDefinition(body), { code: 'no_start_stage' });
  });

  it('given two start stages, then it reports multiple_start_stages naming the second', () => {
    const body = minimal();
    body.stages.push({ key: 'start2', name: 'Other start', kind: 'start' });
    body.transitions.push({ from: 'start2', to: 'end', result: 'Done' });
    expectOnly(
      validateDefinition(body),
      { code: 'multiple_start_stages', stage: 'start2' },
      { code: 'unreachable_stage', stage: 'start2' },
    );
  });

  it('given three start stages, then it names the second and the third', () => {
    const body = minimal();
    for (const key of ['s2', 's3']) {
      body.stages.push({ key, name: key, kind: 'start' });
      body.transitions.push({ from: key, to: 'end', result: 'Done' });
    }
    const starts = validateDefinition(body).errors.filter((e) => e.code === 'multiple_start_stages');
    expect(starts.map((e) => e.stage)).toEqual(['s2', 's3']);
  });

  it('given no end stage, then it reports no_end_stage and not no_end_reachable', () => {
    const body = {
      stages: [
        { key: 'a', name: 'A', kind: 'start' },
        { key: 'b', name: 'B', kind: 'normal' },
      ],
      transitions: [
        { from: 'a', to: 'b', result: 'Go' },
        { from: 'b', to: 'a', result: 'Back' },
      ],
    };
    expectOnly(validateDefinition(body), { code: 'no_end_stage' });
  });

  it('given an end stage with a way out, then it reports end_stage_has_transition for that stage', () => {
    const body = withMiddle();
    body.transitions.push({ from: 'end', to: 'mid', result: 'Reopen' });
    expectOnly(validateDefinition(body), { code: 'end_stage_has_transition', stage: 'end' });
  });

  it('given an end stage with a wait, then it reports wait_on_end_stage for that stage', () => {
    const body = minimal();
    body.stages[1] = { key: 'end', name: 'End', kind: 'end', wait: 'P1D' };
    expectOnly(validateDefinition(body), { code: 'wait_on_end_stage', stage: 'end' });
  });

  it('given a start stage that is also the only other stage, then the start needs a way out', () => {
    const body = { stages: [{ key: 'only', name: 'Only', kind: 'start' }], transitions: [] };
    expectOnly(
      validateDefinition(body),
      { code: 'no_outgoing_transition', stage: 'only' },
      { code: 'no_end_stage' },
    );
  });
});

describe('validateDefinition: transitions', () => {
  it.each([
    ['not an object', 'start->end'],
    ['null', null],
  ])('given a transition that is %s, then it reports invalid_transition naming its index', (_label, raw) => {
    const body = minimal();
    (body.transitions as unknown[]).push(raw);
    expectOnly(validateDefinition(body), { code: 'invalid_transition', transition: 1 });
  });

  it.each([
    ['without from', { to: 'end', result: 'x' }],
    ['without to', { from: 'start', result: 'x' }],
    ['without result', { from: 'start', to: 'end' }],
    ['with a numeric result', { from: 'start', to: 'end', result: 1 }],
  ])('given a transition %s, then it reports invalid_transition naming its index', (_label, raw) => {
    const body = minimal();
    body.transitions.unshift(raw);
    expectOnly(validateDefinition(body), { code: 'invalid_transition', transition: 0 });
  });

  it('given a transition to a stage that does not exist, then it reports unknown_stage naming the transition', () => {
    const body = withMiddle();
    body.transitions.push({ from: 'mid', to: 'nowhere', result: 'Lost' });
    expectOnly(validateDefinition(body), { code: 'unknown_stage', transition: 2 });
    expect(validateDefinition(body).errors[0]?.message).toContain('nowhere');
  });

  it('given a transition from a stage that does not exist, then it reports unknown_stage naming the transition', () => {
    const body = withMiddle();
    body.transitions.push({ from: 'ghost', to: 'mid', result: 'Boo' });
    expectOnly(validateDefinition(body), { code: 'unknown_stage', transition: 2 });
  });

  it('given a transition between two unknown stages, then it reports unknown_stage for each end', () => {
    const body = minimal();
    body.transitions.push({ from: 'x', to: 'y', result: 'Go' });
    expectOnly(
      validateDefinition(body),
      { code: 'unknown_stage', transition: 1 },
      { code: 'unknown_stage', transition: 1 },
    );
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
  ])(
    'given a result that is %s, then it reports empty_result naming the transition and its stage',
    (_l, result) => {
      const body = withMiddle();
      body.transitions.push({ from: 'mid', to: 'start', result });
      expectOnly(validateDefinition(body), { code: 'empty_result', transition: 2, stage: 'mid' });
    },
  );

  it('given an empty result from an unknown stage, then it names only the transition', () => {
    const body = minimal();
    body.transitions.push({ from: 'ghost', to: 'end', result: '' });
    const empty = validateDefinition(body).errors.find((e) => e.code === 'empty_result');
    expect(empty).toEqual({ code: 'empty_result', message: expect.any(String), transition: 1 });
  });

  it.each([
    ['the same text', 'Done'],
    ['different case', 'DONE'],
    ['surrounding spaces', '  done '],
  ])(
    'given two results of one stage with %s, then it reports duplicate_result at the second',
    (_l, result) => {
      const body = withMiddle();
      body.transitions.push({ from: 'mid', to: 'start', result });
      expectOnly(validateDefinition(body), { code: 'duplicate_result', transition: 2, stage: 'mid' });
    },
  );

  it('given a duplicate result from an unknown stage, then it names only the transition', () => {
    const body = minimal();
    body.transitions.push(
      { from: 'ghost', to: 'end', result: 'X' },
      { from: 'ghost', to: 'end', result: 'X' },
    );
    const dup = validateDefinition(body).errors.find((e) => e.code === 'duplicate_result');
    expect(dup).toEqual({ code: 'duplicate_result', message: expect.any(String), transition: 2 });
  });

  it('given a normal stage with no way out, then it reports no_outgoing_transition for that stage', () => {
    const body = withMiddle();
    body.stages.push({ key: 'dead', name: 'Dead end', kind: 'normal' });
    body.transitions.push({ from: 'mid', to: 'dead', result: 'Stuck' });
    expectOnly(
      validateDefinition(body),
      { code: 'no_outgoing_transition', stage: 'dead' },
      { code: 'no_end_reachable', stage: 'dead' },
    );
  });

  it('given a wait stage with two ways out, then it reports wait_needs_one_transition for that stage', () => {
    const body = withMiddle({ wait: 'P1D' });
    body.transitions.push({ from: 'mid', to: 'start', result: 'Back' });
    expectOnly(validateDefinition(body), { code: 'wait_needs_one_transition', stage: 'mid' });
  });

  it('given a wait stage with no way out, then it reports no_outgoing_transition only', () => {
    const body = withMiddle({ wait: 'P1D' });
    body.transitions.pop();
    const errors = codes(validateDefinition(body));
    expect(errors).toContain('no_outgoing_transition');
    expect(errors).not.toContain('wait_needs_one_transition');
  });
});

describe('validateDefinition: reachability', () => {
  it('given a stage no transition leads to, then it reports unreachable_stage for that stage', () => {
    const body = minimal();
    body.stages.push({ key: 'island', name: 'Island', kind: 'normal' });
    body.transitions.push({ from: 'island', to: 'end', result: 'Leave' });
    expectOnly(validateDefinition(body), { code: 'unreachable_stage', stage: 'island' });
  });

  it('given an unreachable end stage, then it reports unreachable_stage for it', () => {
    const body = minimal();
    body.stages.push({ key: 'end2', name: 'Other end', kind: 'end' });
    expectOnly(validateDefinition(body), { code: 'unreachable_stage', stage: 'end2' });
  });

  it('given a loop with no way to an end, then it reports no_end_reachable for each stage of the loop', () => {
    const body = minimal();
    body.stages.push({ key: 'p', name: 'P', kind: 'normal' }, { key: 'q', name: 'Q', kind: 'normal' });
    body.transitions.push(
      { from: 'start', to: 'p', result: 'Loop' },
      { from: 'p', to: 'q', result: 'Next' },
      { from: 'q', to: 'p', result: 'Back' },
    );
    expectOnly(
      validateDefinition(body),
      { code: 'no_end_reachable', stage: 'p' },
      { code: 'no_end_reachable', stage: 'q' },
    );
  });

  it('given a transition to an unknown stage, then it does not count for reachability', () => {
    const body = minimal();
    body.transitions = [{ from: 'start', to: 'ghost', result: 'Go' }];
    expectOnly(
      validateDefinition(body),
      { code: 'unknown_stage', transition: 0 },
      { code: 'no_outgoing_transition', stage: 'start' },
      { code: 'unreachable_stage', stage: 'end' },
      { code: 'no_end_reachable', stage: 'start' },
    );
  });
});

describe('validateDefinition: spawns', () => {
  const published = (startSpawns: readonly string[] = []): SpawnTarget => ({
    status: 'published',
    startSpawns,
  });

  function lookup(defs: Record<string, SpawnTarget>): ValidationContext['definition'] {
    return (id) => (Object.hasOwn(defs, id) ? defs[id] : undefined);
  }

  function spawningAt(stage: 'start' | 'mid', spawn: string[]) {
    const body = withMiddle(stage === 'mid' ? { spawn } : {});
    if (stage === 'start') body.stages[0] = { ...body.stages[0], spawn };
    return body;
  }

  it('given a spawned definition that does not exist, then it reports spawn_definition_missing', () => {
    const ctx: ValidationContext = { selfId: 'self', definition: lookup({}) };
    expectOnly(validateDefinition(spawningAt('mid', ['ghost']), ctx), {
      code: 'spawn_definition_missing',
      stage: 'mid',
    });
  });

  it('given a spawned definition that is a draft, then it reports spawn_definition_unpublished', () => {
    const ctx: ValidationContext = {
      selfId: 'self',
      definition: lookup({ child: { status: 'draft', startSpawns: [] } }),
    };
    expectOnly(validateDefinition(spawningAt('mid', ['child']), ctx), {
      code: 'spawn_definition_unpublished',
      stage: 'mid',
    });
  });

  it('given one stage spawning a missing and a draft definition, then it reports both', () => {
    const ctx: ValidationContext = { definition: lookup({ draft: { status: 'draft', startSpawns: [] } }) };
    expectOnly(
      validateDefinition(spawningAt('mid', ['ghost', 'draft']), ctx),
      { code: 'spawn_definition_missing', stage: 'mid' },
      { code: 'spawn_definition_unpublished', stage: 'mid' },
    );
  });

  it('given published spawned definitions that spawn nothing at once, then it is valid', () => {
    const ctx: ValidationContext = { selfId: 'self', definition: lookup({ a: published(), b: published() }) };
    expectValid(validateDefinition(spawningAt('start', ['a', 'b']), ctx));
  });

  it('given a spawned definition whose start spawns one that spawns it back, then it reports spawn_cycle', () => {
    const ctx: ValidationContext = {
      selfId: 'self',
      definition: lookup({ a: published(['b']), b: published(['a']) }),
    };
    expectOnly(validateDefinition(spawningAt('mid', ['a']), ctx), { code: 'spawn_cycle', stage: 'mid' });
  });

  it('given a spawned definition whose start stage spawns itself, then it reports spawn_cycle', () => {
    const ctx: ValidationContext = { selfId: 'self', definition: lookup({ a: published(['a']) }) };
    expectOnly(validateDefinition(spawningAt('mid', ['a']), ctx), { code: 'spawn_cycle', stage: 'mid' });
  });

  it('given a chain of start-stage spawns that ends, then it is not a cycle', () => {
    const ctx: ValidationContext = {
      selfId: 'self',
      definition: lookup({ a: published(['b']), b: published(['c']), c: published() }),
    };
    expectValid(validateDefinition(spawningAt('mid', ['a']), ctx));
  });

  it('given two spawned definitions that share a child, then the diamond is not a cycle', () => {
    const ctx: ValidationContext = {
      selfId: 'self',
      definition: lookup({ a: published(['c']), b: published(['c']), c: published() }),
    };
    expectValid(validateDefinition(spawningAt('mid', ['a', 'b']), ctx));
  });

  it('given the same definition spawned twice by a stage, then it is not a cycle', () => {
    const ctx: ValidationContext = { selfId: 'self', definition: lookup({ a: published() }) };
    expectValid(validateDefinition(spawningAt('mid', ['a', 'a']), ctx));
  });

  it('given the start stage spawning its own definition, then it reports spawn_cycle', () => {
    const ctx: ValidationContext = { selfId: 'self', definition: lookup({}) };
    expectOnly(validateDefinition(spawningAt('start', ['self']), ctx), {
      code: 'spawn_cycle',
      stage: 'start',
    });
  });

  it('given the start stage spawning its own definition and no lookup, then it still reports spawn_cycle', () => {
    expectOnly(validateDefinition(spawningAt('start', ['self']), { selfId: 'self' }), {
      code: 'spawn_cycle',
      stage: 'start',
    });
  });

  it('given a normal stage spawning its own definition, then it is not a cycle and not missing', () => {
    const ctx: ValidationContext = { selfId: 'self', definition: lookup({}) };
    expectValid(validateDefinition(spawningAt('mid', ['self']), ctx));
  });

  it('given a normal stage spawning its own definition whose start spawns it too, then both stages cycle', () => {
    const body = withMiddle({ spawn: ['self'] });
    body.stages[0] = { ...body.stages[0], spawn: ['self'] };
    expectOnly(
      validateDefinition(body, { selfId: 'self', definition: lookup({}) }),
      { code: 'spawn_cycle', stage: 'start' },
      { code: 'spawn_cycle', stage: 'mid' },
    );
  });

  it('given a spawned definition whose start spawns this draft, whose start spawns it, then it is a cycle', () => {
    const body = spawningAt('start', ['a']);
    const ctx: ValidationContext = { selfId: 'self', definition: lookup({ a: published(['self']) }) };
    expectOnly(validateDefinition(body, ctx), { code: 'spawn_cycle', stage: 'start' });
  });

  it('given a spawned definition whose start spawns this draft from a normal stage, then it is not a cycle', () => {
    const ctx: ValidationContext = { selfId: 'self', definition: lookup({ a: published(['self']) }) };
    expectValid(validateDefinition(spawningAt('mid', ['a']), ctx));
  });

  it('given the draft itself is also published under its id, then the draft being edited decides', () => {
    const ctx: ValidationContext = { selfId: 'self', definition: lookup({ self: published(['self']) }) };
    expectValid(validateDefinition(spawningAt('mid', ['self']), ctx));
  });

  it('given a cycle through a draft definition, then it reports the draft, not a cycle', () => {
    const ctx: ValidationContext = {
      selfId: 'self',
      definition: lookup({ a: { status: 'draft', startSpawns: ['a'] } }),
    };
    expectOnly(validateDefinition(spawningAt('mid', ['a']), ctx), {
      code: 'spawn_definition_unpublished',
      stage: 'mid',
    });
  });
});

describe('validateDefinition: all errors at once', () => {
  it('given a definition with many problems, then it returns every one, each naming its place', () => {
    const body = {
      stages: [
        { key: 'a', name: 'A', kind: 'start', event: { comment: 'no type' } },
        { key: 'b', name: '', kind: 'start' },
        { key: 'c', name: 'C', kind: 'normal', wait: 'PT10S' },
        { key: 'c', name: 'C again', kind: 'normal' },
        { key: 'z', name: 'Z', kind: 'end', wait: 'P1D' },
        42,
      ],
      transitions: [
        { from: 'a', to: 'c', result: 'Go' },
        { from: 'a', to: 'z', result: 'go' },
        { from: 'a', to: 'nowhere', result: 'Off' },
        { from: 'c', to: 'z', result: '' },
        { from: 'z', to: 'a', result: 'Again' },
        'junk',
      ],
    };
    const result = validateDefinition(body, { selfId: 'self' });
    expect(result.valid).toBe(false);
    expect(located(result)).toEqual(
      expect.arrayContaining([
        { code: 'invalid_event', stage: 'a' },
        { code: 'empty_stage_name', stage: 'b' },
        { code: 'wait_out_of_range', stage: 'c' },
        { code: 'duplicate_stage_key', stage: 'c' },
        { code: 'invalid_stage' },
        { code: 'multiple_start_stages', stage: 'b' },
        { code: 'duplicate_result', stage: 'a', transition: 1 },
        { code: 'unknown_stage', transition: 2 },
        { code: 'empty_result', stage: 'c', transition: 3 },
        { code: 'invalid_transition', transition: 5 },
        { code: 'end_stage_has_transition', stage: 'z' },
        { code: 'wait_on_end_stage', stage: 'z' },
        { code: 'no_outgoing_transition', stage: 'b' },
        { code: 'unreachable_stage', stage: 'b' },
      ]),
    );
  });

  it('given several stages with the same problem, then each of them is reported', () => {
    const body = minimal();
    for (const key of ['x', 'y', 'w']) body.stages.push({ key, name: key, kind: 'normal' });
    body.transitions.push(
      { from: 'start', to: 'x', result: 'X' },
      { from: 'start', to: 'y', result: 'Y' },
      { from: 'start', to: 'w', result: 'W' },
    );
    const dead = validateDefinition(body).errors.filter((e) => e.code === 'no_outgoing_transition');
    expect(dead.map((e) => e.stage).sort()).toEqual(['w', 'x', 'y']);
  });

  it('given an invalid definition, then valid is false exactly when there are errors', () => {
    const bad = validateDefinition({ stages: [], transitions: [] });
    expect(bad.valid).toBe(false);
    expect(bad.errors.length).toBeGreaterThan(0);
  });
});

describe('validateDefinition: keys that look like object internals', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'given a stage keyed %s, then it is handled like any other key',
    (key) => {
      const stages: Mutable<Stage>[] = [
        { key, name: 'Odd', kind: 'start' },
        { key: 'end', name: 'End', kind: 'end' },
      ];
      const transitions: Transition[] = [{ from: key, to: 'end', result: key }];
      const body: DefinitionBody = { stages, transitions };
      expectValid(validateDefinition(body));
    },
  );

  it('given an own __proto__ field holding stages, then it is not mistaken for the stage list', () => {
    const input = JSON.parse('{"__proto__": {"stages": [], "transitions": []}}');
    expect(codes(validateDefinition(input))).toEqual(['invalid_shape', 'invalid_shape', 'no_stages']);
  });
});
