import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DELIVERY_ID, lostClients } from '../definition/demo-definitions.fixture.ts';
import { compileDefinition, type DefinitionBody, type Transition } from '../definition/types.ts';
import { validateDefinition } from '../definition/validate.ts';
import { DomainError, type ErrorCode } from '../errors.ts';
import {
  type Command,
  chooseTransition,
  type Effect,
  launch,
  type ProcessState,
  resumeTimerKey,
  type StepContext,
  step,
  waitTimerKey,
} from './step.ts';

const BERLIN = 'Europe/Berlin';
const HOUR = 3_600_000;
/** Noon the day before Berlin springs forward. */
const NOW = DateTime.fromISO('2026-03-28T12:00', { zone: BERLIN }).toMillis();
const LATER = NOW + 5 * 60_000;

const ANNA = 'manager-anna';
const BORIS = 'manager-boris';
const VERA = 'senior-vera';
const INITIATOR = 'manager-ivan';

const lost = compileDefinition(lostClients);
/** The same process with Rest not waiting, for finishing it by hand (a waiting stage refuses that). */
const lostRestByHand = compileDefinition({
  ...lostClients,
  stages: lostClients.stages.map(({ wait: _wait, ...stage }) => stage),
});

function ctx(overrides: Partial<StepContext> = {}, online: readonly string[] = []): StepContext {
  return {
    now: NOW,
    zone: BERLIN,
    definition: lost,
    isOnline: (id) => online.includes(id),
    ...overrides,
  };
}

/** A process sitting at a stage, as if it had got there on its own. */
function at(stageKey: string, overrides: Partial<ProcessState> = {}): ProcessState {
  return {
    id: 'p1',
    status: 'active',
    stageKey,
    stageState: 'not_started',
    visit: 3,
    responsibleId: ANNA,
    enteredAt: NOW - HOUR,
    note: 'Lost in 2025',
    pausedUntil: null,
    completedAt: null,
    actingForId: null,
    initiatorId: BORIS,
    dueAt: null,
    clock: null,
    routingUntil: null,
    ...overrides,
  };
}

function protocols(effects: readonly Effect[]): string[] {
  return effects.flatMap((e) => (e.type === 'protocol' ? [e.action] : []));
}

function ofType<T extends Effect['type']>(
  effects: readonly Effect[],
  type: T,
): Extract<Effect, { type: T }>[] {
  return effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
}

function expectDomainError(run: () => unknown, code: ErrorCode): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    return error as DomainError;
  }
  throw new Error(`expected a DomainError ${code}, nothing was thrown`);
}

function finish(result?: string, extra: Partial<Extract<Command, { type: 'stage.finish' }>> = {}): Command {
  return { type: 'stage.finish', actorId: ANNA, result, ...extra };
}

/** A small valid body: start → (wait) → end, for cases the article's process does not show. */
function body(stages: DefinitionBody['stages'], transitions: DefinitionBody['transitions']) {
  const def: DefinitionBody = { stages, transitions };
  expect(validateDefinition(def).errors).toEqual([]);
  return compileDefinition(def);
}

describe('launch', () => {
  it('given the lost-clients definition, when launched, then the process is active at the start stage, not started', () => {
    const { process } = launch({ id: 'p1', actorId: INITIATOR, note: 'From the Lost group' }, ctx());
    expect(process).toEqual({
      id: 'p1',
      status: 'active',
      stageKey: 'call',
      stageState: 'not_started',
      visit: 1,
      responsibleId: ANNA,
      enteredAt: NOW,
      note: 'From the Lost group',
      pausedUntil: null,
      completedAt: null,
      actingForId: null,
      initiatorId: INITIATOR,
      dueAt: null,
      clock: null,
      routingUntil: null,
    });
  });

  it('given a launch, then the protocol records the launch and the entry, and the initiator becomes a member', () => {
    const { effects } = launch({ id: 'p1', actorId: INITIATOR, note: '' }, ctx());
    expect(effects.slice(0, 3)).toEqual([
      { type: 'protocol', action: 'process.launched', actorId: INITIATOR, details: { parentId: null } },
      { type: 'member.add', employeeId: INITIATOR, role: 'initiator' },
      {
        type: 'protocol',
        action: 'stage.entered',
        actorId: INITIATOR,
        details: { stage: 'call', visit: 1, responsibleId: ANNA, routing: 'first_listed' },
      },
    ]);
    expect(protocols(effects)).toEqual(['process.launched', 'stage.entered']);
  });

  it('given a launch, then the start stage responsible is added, notified, and the call event is created', () => {
    const { effects } = launch({ id: 'p1', actorId: INITIATOR, note: '' }, ctx({}, [BORIS]));
    expect(effects).toContainEqual({ type: 'member.add', employeeId: BORIS, role: 'responsible' });
    expect(ofType(effects, 'notify')).toEqual([
      {
        type: 'notify',
        employeeId: BORIS,
        kind: 'process.launched',
        details: { stage: 'call', stageName: 'Call the client' },
      },
    ]);
    expect(ofType(effects, 'event.create')).toEqual([
      {
        type: 'event.create',
        stageKey: 'call',
        eventType: 'call',
        comment: 'Call the client',
        actorId: INITIATOR,
      },
    ]);
    expect(ofType(effects, 'timer.set')).toEqual([]);
  });

  it('given a parent process, when a child is launched, then the protocol records the parent', () => {
    const { effects } = launch({ id: 'c1', actorId: INITIATOR, note: '', parentId: 'p0' }, ctx());
    expect(effects[0]).toEqual({
      type: 'protocol',
      action: 'process.launched',
      actorId: INITIATOR,
      details: { parentId: 'p0' },
    });
  });

  it('given the initiator is the start stage responsible, then they are not notified of their own launch', () => {
    const { process, effects } = launch({ id: 'p1', actorId: ANNA, note: '' }, ctx({}, [ANNA]));
    expect(process.responsibleId).toBe(ANNA);
    expect(ofType(effects, 'notify')).toEqual([]);
    expect(ofType(effects, 'member.add')).toEqual([
      { type: 'member.add', employeeId: ANNA, role: 'initiator' },
      { type: 'member.add', employeeId: ANNA, role: 'responsible' },
    ]);
  });

  it('given a start stage without responsibles, then the initiator becomes the responsible', () => {
    const def = body(
      [
        { key: 's', name: 'S', kind: 'start' },
        { key: 'e', name: 'E', kind: 'end' },
      ],
      [{ from: 's', to: 'e', result: 'Done' }],
    );
    const { process, effects } = launch({ id: 'p1', actorId: INITIATOR, note: '' }, ctx({ definition: def }));
    expect(process.responsibleId).toBe(INITIATOR);
    expect(effects[2]).toMatchObject({ action: 'stage.entered', details: { routing: 'mover' } });
  });

  it('given a start stage that waits, when launched, then the wait timer is set for visit 1', () => {
    const def = body(
      [
        { key: 's', name: 'S', kind: 'start', wait: 'PT2H' },
        { key: 'e', name: 'E', kind: 'end' },
      ],
      [{ from: 's', to: 'e', result: 'Done' }],
    );
    const { process, effects } = launch({ id: 'p1', actorId: INITIATOR, note: '' }, ctx({ definition: def }));
    expect(process.stageState).toBe('in_progress');
    expect(ofType(effects, 'timer.set')).toEqual([
      { type: 'timer.set', kind: 'wait', key: waitTimerKey('p1', 's', 1), dueAt: NOW + 2 * HOUR },
    ]);
  });

  it('given a start stage that spawns, when launched, then the child is spawned at once', () => {
    const def = body(
      [
        { key: 's', name: 'S', kind: 'start', spawn: ['child-a', 'child-b'] },
        { key: 'e', name: 'E', kind: 'end' },
      ],
      [{ from: 's', to: 'e', result: 'Done' }],
    );
    const { effects } = launch({ id: 'p1', actorId: INITIATOR, note: '' }, ctx({ definition: def }));
    expect(ofType(effects, 'child.spawn')).toEqual([
      { type: 'child.spawn', definitionId: 'child-a', stageKey: 's', actorId: INITIATOR },
      { type: 'child.spawn', definitionId: 'child-b', stageKey: 's', actorId: INITIATOR },
    ]);
  });

  it('given the same input twice, then launch gives the same outcome (it reads no clock)', () => {
    const input = { id: 'p1', actorId: INITIATOR, note: 'n' };
    expect(launch(input, ctx())).toEqual(launch(input, ctx()));
  });
});

describe('stage.start', () => {
  it('given a stage not started, when started, then it is in progress and the protocol says so', () => {
    const outcome = step(at('call'), { type: 'stage.start', actorId: ANNA }, ctx());
    expect(outcome.process).toEqual({ ...at('call'), stageState: 'in_progress' });
    expect(outcome.effects).toEqual([
      { type: 'protocol', action: 'stage.started', actorId: ANNA, details: { stage: 'call' } },
    ]);
  });

  it('given a stage in progress, when started again, then it says stage_already_started', () => {
    const error = expectDomainError(
      () => step(at('call', { stageState: 'in_progress' }), { type: 'stage.start', actorId: ANNA }, ctx()),
      'stage_already_started',
    );
    expect(error.details).toEqual({ stage: 'call', state: 'in_progress' });
  });

  it.each(['paused', 'completed', 'cancelled'] as const)(
    'given a %s process, when a stage is started, then it says process_not_active',
    (status) => {
      expectDomainError(
        () => step(at('call', { status }), { type: 'stage.start', actorId: ANNA }, ctx()),
        'process_not_active',
      );
    },
  );
});

describe('stage.finish', () => {
  it('given a stage in progress, when finished with a result, then the process moves to the stage it points to', () => {
    const before = at('call', { stageState: 'in_progress' });
    const { process, effects } = step(before, finish('Reached'), ctx({ now: LATER }));
    expect(process).toEqual({
      ...before,
      stageKey: 'analyse',
      stageState: 'not_started',
      visit: 4,
      responsibleId: VERA,
      enteredAt: LATER,
    });
    expect(protocols(effects)).toEqual(['stage.finished', 'transition', 'stage.entered']);
    expect(effects.slice(0, 3)).toEqual([
      {
        type: 'protocol',
        action: 'stage.finished',
        actorId: ANNA,
        details: { stage: 'call', result: 'Reached' },
      },
      {
        type: 'protocol',
        action: 'transition',
        actorId: ANNA,
        details: { from: 'call', to: 'analyse', result: 'Reached' },
      },
      {
        type: 'protocol',
        action: 'stage.entered',
        actorId: ANNA,
        details: { stage: 'analyse', visit: 4, responsibleId: VERA, routing: 'first_listed' },
      },
    ]);
    expect(effects).toContainEqual({
      type: 'notify',
      employeeId: VERA,
      kind: 'stage.assigned',
      details: { stage: 'analyse', stageName: 'Analyse the reasons' },
    });
  });

  it('given a stage not started, when finished, then it passes through in_progress in the protocol first', () => {
    const { effects } = step(at('call'), finish('Reached'), ctx());
    expect(effects[0]).toEqual({
      type: 'protocol',
      action: 'stage.started',
      actorId: ANNA,
      details: { stage: 'call', passedThrough: true },
    });
    expect(protocols(effects)).toEqual(['stage.started', 'stage.finished', 'transition', 'stage.entered']);
  });

  it('given a stage in progress, when finished, then nothing passes through', () => {
    const { effects } = step(at('call', { stageState: 'in_progress' }), finish('Reached'), ctx());
    expect(protocols(effects)).not.toContain('stage.started');
  });

  it('given a stage with several ways out, when finished without a result, then it says result_required', () => {
    const error = expectDomainError(() => step(at('offer'), finish(undefined), ctx()), 'result_required');
    expect(error.details).toEqual({ stage: 'offer', results: ['Paid the invoice', 'Thinking', 'Refused'] });
  });

  it('given a stage with a single way out, when finished without a result, then it follows that way', () => {
    const { process } = step(
      at('rest', { stageState: 'in_progress' }),
      finish(undefined),
      ctx({ definition: lostRestByHand }),
    );
    expect(process.stageKey).toBe('call');
  });

  it('given a stage with a single way out, when finished with its result, then it follows it too', () => {
    const { process } = step(
      at('rest', { stageState: 'in_progress' }),
      finish('Continue'),
      ctx({ definition: lostRestByHand }),
    );
    expect(process.stageKey).toBe('call');
  });

  it('given a result the stage does not have, when finished, then it says unknown_result', () => {
    const error = expectDomainError(() => step(at('call'), finish('Maybe'), ctx()), 'unknown_result');
    expect(error.details).toEqual({ stage: 'call', result: 'Maybe', results: ['Reached', 'Not reached'] });
  });

  it('given a result of another stage, when finished, then it says unknown_result', () => {
    expectDomainError(() => step(at('call'), finish('Thinking'), ctx()), 'unknown_result');
  });

  it('given a result in another case, when finished, then results match exactly and it says unknown_result', () => {
    expectDomainError(() => step(at('call'), finish('reached'), ctx()), 'unknown_result');
  });

  it('given an open blocking task, when finished, then it says blocking_task_open and nothing moves', () => {
    const error = expectDomainError(
      () => step(at('offer'), finish('Thinking'), ctx({ openBlockingTasks: 1 })),
      'blocking_task_open',
    );
    expect(error.details).toEqual({ stage: 'offer', open: 1 });
  });

  it('given no open blocking task, when finished, then it moves', () => {
    expect(step(at('offer'), finish('Thinking'), ctx({ openBlockingTasks: 0 })).process.stageKey).toBe(
      'rest',
    );
  });

  it.each(['paused', 'completed', 'cancelled'] as const)(
    'given a %s process, when finished, then it says process_not_active',
    (status) => {
      expectDomainError(() => step(at('call', { status }), finish('Reached'), ctx()), 'process_not_active');
    },
  );

  it('given a hand pick, when finished, then the picked employee gets the next stage even if a listed one is online', () => {
    const { process, effects } = step(
      at('rest', { stageState: 'in_progress' }),
      finish(undefined, { nextResponsibleId: 'manager-zoe' }),
      ctx({ definition: lostRestByHand }, [ANNA, BORIS]),
    );
    expect(process.responsibleId).toBe('manager-zoe');
    expect(effects).toContainEqual(
      expect.objectContaining({
        action: 'stage.entered',
        details: expect.objectContaining({ routing: 'hand_pick' }),
      }),
    );
    expect(ofType(effects, 'notify').map((n) => n.employeeId)).toEqual(['manager-zoe']);
  });

  it('given listed responsibles online, when finished without a pick, then the first online in list order gets it', () => {
    const { process } = step(
      at('rest', { stageState: 'in_progress' }),
      finish(),
      ctx({ definition: lostRestByHand }, [BORIS]),
    );
    expect(process.responsibleId).toBe(BORIS);
  });

  it('given nobody listed is online, when finished without a pick, then the first listed gets it', () => {
    const { process } = step(
      at('rest', { stageState: 'in_progress' }),
      finish(),
      ctx({ definition: lostRestByHand }, [VERA]),
    );
    expect(process.responsibleId).toBe(ANNA);
  });

  it('given the next stage lists nobody, when finished without a pick, then the mover gets it and is not notified', () => {
    const { process, effects } = step(
      at('analyse', { responsibleId: VERA }),
      { type: 'stage.finish', actorId: VERA, result: 'Chance to return' },
      ctx(),
    );
    expect(process.responsibleId).toBe(VERA);
    expect(ofType(effects, 'notify')).toEqual([]);
    expect(effects).toContainEqual({ type: 'member.add', employeeId: VERA, role: 'responsible' });
  });

  it('given the next stage has a blocking task for the responsible, when entered, then the task goes to them with its due time', () => {
    const { effects } = step(
      at('analyse', { responsibleId: VERA }),
      { type: 'stage.finish', actorId: VERA, result: 'Chance to return' },
      ctx(),
    );
    expect(ofType(effects, 'task.create')).toEqual([
      {
        type: 'task.create',
        stageKey: 'offer',
        visit: 4,
        title: 'Prepare the commercial offer',
        description: null,
        assigneeId: VERA,
        followsResponsible: true,
        blocking: true,
        startsAt: NOW,
        dueAt: DateTime.fromISO('2026-03-29T12:00', { zone: BERLIN }).toMillis(),
        actorId: VERA,
      },
    ]);
  });

  it('given a task for a named employee with a start delay, when entered, then it starts and falls due on the calendar', () => {
    const def = body(
      [
        { key: 's', name: 'S', kind: 'start' },
        {
          key: 't',
          name: 'T',
          kind: 'normal',
          task: {
            title: 'Check',
            description: 'Look closely',
            assignee: { employeeId: 'clerk' },
            startDelay: 'PT2H',
            dueIn: 'P1D',
          },
        },
        { key: 'e', name: 'E', kind: 'end' },
      ],
      [
        { from: 's', to: 't', result: 'Go' },
        { from: 't', to: 'e', result: 'Done' },
      ],
    );
    const { effects } = step(at('s'), finish(), ctx({ definition: def }));
    const startsAt = DateTime.fromISO('2026-03-28T14:00', { zone: BERLIN }).toMillis();
    expect(ofType(effects, 'task.create')).toEqual([
      expect.objectContaining({
        assigneeId: 'clerk',
        followsResponsible: false,
        blocking: false,
        description: 'Look closely',
        startsAt,
        dueAt: DateTime.fromISO('2026-03-29T14:00', { zone: BERLIN }).toMillis(),
      }),
    ]);
    const task = ofType(effects, 'task.create')[0];
    expect(((task?.dueAt ?? 0) - startsAt) / HOUR).toBe(23);
  });

  it('given the process, when a step runs, then the given process object is not changed', () => {
    const before = at('call');
    const copy = structuredClone(before);
    step(before, finish('Reached'), ctx());
    expect(before).toEqual(copy);
  });
});

describe('reaching an end stage', () => {
  it('given the offer stage, when the invoice is paid, then the process completes at Picking and delivery', () => {
    const { process, effects } = step(
      at('offer', { stageState: 'in_progress' }),
      finish('Paid the invoice'),
      ctx({ now: LATER }),
    );
    expect(process).toMatchObject({
      status: 'completed',
      stageKey: 'delivery',
      stageState: 'done',
      visit: 4,
      completedAt: LATER,
      enteredAt: LATER,
    });
    expect(protocols(effects)).toEqual([
      'stage.finished',
      'transition',
      'stage.entered',
      'process.completed',
    ]);
    expect(effects.at(-1)).toEqual({
      type: 'protocol',
      action: 'process.completed',
      actorId: ANNA,
      details: { stage: 'delivery' },
    });
  });

  it('given an end stage that spawns, when reached, then its on-enter spawn still runs', () => {
    const { effects } = step(at('offer'), finish('Paid the invoice'), ctx());
    expect(ofType(effects, 'child.spawn')).toEqual([
      { type: 'child.spawn', definitionId: DELIVERY_ID, stageKey: 'delivery', actorId: ANNA },
    ]);
  });

  it('given an end stage with an event, when reached, then its on-enter event still runs', () => {
    const { process, effects } = step(at('analyse'), finish('Cannot return'), ctx());
    expect(process.status).toBe('completed');
    expect(ofType(effects, 'event.create')).toEqual([
      {
        type: 'event.create',
        stageKey: 'lost',
        eventType: 'note',
        comment: 'The client is lost',
        actorId: ANNA,
      },
    ]);
  });

  it('given a completed process, when finished again or started, then it says process_not_active', () => {
    const { process } = step(at('analyse'), finish('Cannot return'), ctx());
    expectDomainError(() => step(process, finish(), ctx()), 'process_not_active');
    expectDomainError(
      () => step(process, { type: 'stage.start', actorId: ANNA }, ctx()),
      'process_not_active',
    );
  });
});

describe('wait stages', () => {
  const restKey = (visit: number) => waitTimerKey('p1', 'rest', visit);

  it('given a wait of 30 days, when the Rest stage is entered, then the timer falls due 30 calendar days later', () => {
    const { process, effects } = step(at('call'), finish('Not reached'), ctx());
    expect(process).toMatchObject({
      stageKey: 'rest',
      stageState: 'in_progress',
      visit: 4,
      status: 'active',
    });
    const dueAt = DateTime.fromISO('2026-04-27T12:00', { zone: BERLIN }).toMillis();
    expect(ofType(effects, 'timer.set')).toEqual([
      { type: 'timer.set', kind: 'wait', key: restKey(4), dueAt },
    ]);
    expect((dueAt - NOW) / HOUR).toBe(30 * 24 - 1);
    expect(effects.at(-1)).toEqual({
      type: 'protocol',
      action: 'wait.started',
      actorId: ANNA,
      details: { stage: 'rest', wait: 'P30D', until: new Date(dueAt).toISOString() },
    });
  });

  it('given New York, when a one-day wait is entered before falling back, then it falls due at the same wall-clock time', () => {
    const zone = 'America/New_York';
    const def = body(
      [
        { key: 's', name: 'S', kind: 'start' },
        { key: 'w', name: 'W', kind: 'normal', wait: 'P1D' },
        { key: 'e', name: 'E', kind: 'end' },
      ],
      [
        { from: 's', to: 'w', result: 'Wait' },
        { from: 'w', to: 'e', result: 'Go' },
      ],
    );
    const now = DateTime.fromISO('2026-10-31T09:15', { zone }).toMillis();
    const { effects } = step(at('s', { visit: 1 }), finish(), ctx({ definition: def, zone, now }));
    const dueAt = DateTime.fromISO('2026-11-01T09:15', { zone }).toMillis();
    expect(ofType(effects, 'timer.set')).toEqual([
      { type: 'timer.set', kind: 'wait', key: waitTimerKey('p1', 'w', 2), dueAt },
    ]);
    expect((dueAt - now) / HOUR).toBe(25);
  });

  it('given a waiting process, when its timer elapses with the right key, then it moves along the single transition', () => {
    const waiting = at('rest', { stageState: 'in_progress', visit: 4 });
    const { process, effects, ignored } = step(
      waiting,
      { type: 'wait.elapse', key: restKey(4) },
      ctx({ now: LATER }),
    );
    expect(ignored).toBeUndefined();
    expect(process).toMatchObject({
      stageKey: 'call',
      visit: 5,
      stageState: 'not_started',
      enteredAt: LATER,
    });
    expect(protocols(effects)).toEqual(['wait.elapsed', 'stage.finished', 'transition', 'stage.entered']);
    expect(effects[0]).toEqual({
      type: 'protocol',
      action: 'wait.elapsed',
      actorId: null,
      details: { stage: 'rest', wait: 'P30D' },
    });
    expect(effects[1]).toEqual({
      type: 'protocol',
      action: 'stage.finished',
      actorId: null,
      details: { stage: 'rest', result: 'Continue' },
    });
  });

  it('given a timer moved the process, then nobody made the move: the first listed responsible is notified', () => {
    const waiting = at('rest', { stageState: 'in_progress', visit: 4 });
    const { process, effects } = step(waiting, { type: 'wait.elapse', key: restKey(4) }, ctx());
    expect(process.responsibleId).toBe(ANNA);
    expect(ofType(effects, 'notify')).toEqual([
      expect.objectContaining({ employeeId: ANNA, kind: 'stage.assigned' }),
    ]);
  });

  it('given a stale key from an earlier visit, when it elapses, then it is ignored and nothing changes', () => {
    const waiting = at('rest', { stageState: 'in_progress', visit: 6 });
    expect(step(waiting, { type: 'wait.elapse', key: restKey(4) }, ctx())).toEqual({
      process: waiting,
      effects: [],
      ignored: true,
    });
  });

  it('given the process moved on, when the old wait elapses, then it is ignored', () => {
    const moved = at('call', { visit: 5 });
    expect(step(moved, { type: 'wait.elapse', key: restKey(4) }, ctx()).ignored).toBe(true);
  });

  it("given another process's key, when it elapses, then it is ignored", () => {
    const waiting = at('rest', { stageState: 'in_progress', visit: 4 });
    expect(step(waiting, { type: 'wait.elapse', key: waitTimerKey('p2', 'rest', 4) }, ctx()).ignored).toBe(
      true,
    );
  });

  it('given a paused process, when its wait falls due, then the wait is deferred until the pause ends', () => {
    const until = NOW + 48 * HOUR;
    const paused = at('rest', { stageState: 'in_progress', visit: 4, status: 'paused', pausedUntil: until });
    expect(step(paused, { type: 'wait.elapse', key: restKey(4) }, ctx())).toEqual({
      process: paused,
      effects: [{ type: 'timer.defer', key: restKey(4), until }],
    });
  });

  it.each(['completed', 'cancelled'] as const)(
    'given a %s process, when its wait falls due, then it is ignored',
    (status) => {
      const done = at('rest', { stageState: 'in_progress', visit: 4, status });
      expect(step(done, { type: 'wait.elapse', key: restKey(4) }, ctx())).toEqual({
        process: done,
        effects: [],
        ignored: true,
      });
    },
  );

  it('given a waiting stage, when finished by hand before the timer, then it says stage_waiting', () => {
    const error = expectDomainError(
      () => step(at('rest', { stageState: 'in_progress', visit: 4 }), finish(), ctx()),
      'stage_waiting',
    );
    expect(error.details).toEqual({ stage: 'rest', wait: 'P30D' });
  });

  it('given a stage without a wait, when finished, then no timer is cancelled', () => {
    const { effects } = step(at('call'), finish('Reached'), ctx());
    expect(ofType(effects, 'timer.cancel')).toEqual([]);
  });

  it('given the Rest loop taken twice, then each visit has its own timer key', () => {
    let { process } = launch({ id: 'p1', actorId: INITIATOR, note: '' }, ctx());
    const keys: string[] = [];
    for (let round = 0; round < 2; round++) {
      const toRest = step(process, finish('Not reached'), ctx());
      const timer = ofType(toRest.effects, 'timer.set')[0];
      if (!timer) throw new Error('no timer');
      keys.push(timer.key);
      process = step(toRest.process, { type: 'wait.elapse', key: timer.key }, ctx()).process;
    }
    expect(keys).toEqual([restKey(2), restKey(4)]);
    expect(process).toMatchObject({ stageKey: 'call', visit: 5 });
  });
});

describe('pause, resume and cancel', () => {
  const until = NOW + 72 * HOUR;

  it('given an active process, when paused until a time, then it is paused and a resume timer is set', () => {
    const { process, effects } = step(at('call'), { type: 'pause', actorId: ANNA, until }, ctx());
    expect(process).toEqual({ ...at('call'), status: 'paused', pausedUntil: until });
    expect(effects).toEqual([
      { type: 'timer.cancel', kind: 'resume' },
      { type: 'timer.set', kind: 'resume', key: resumeTimerKey('p1', until), dueAt: until },
      {
        type: 'protocol',
        action: 'process.paused',
        actorId: ANNA,
        details: { until: new Date(until).toISOString() },
      },
    ]);
  });

  it('given a paused process, when paused again to a later time, then the resume timer moves', () => {
    const paused = at('call', { status: 'paused', pausedUntil: until });
    const later = until + HOUR;
    const { process, effects } = step(paused, { type: 'pause', actorId: ANNA, until: later }, ctx());
    expect(process.pausedUntil).toBe(later);
    expect(ofType(effects, 'timer.set')).toEqual([
      { type: 'timer.set', kind: 'resume', key: resumeTimerKey('p1', later), dueAt: later },
    ]);
  });

  it.each([
    ['now', NOW],
    ['the past', NOW - 1],
  ])('given a pause until %s, then it says invalid_time', (_label, when) => {
    expectDomainError(
      () => step(at('call'), { type: 'pause', actorId: ANNA, until: when }, ctx()),
      'invalid_time',
    );
  });

  it.each(['completed', 'cancelled'] as const)(
    'given a %s process, when paused, then it says process_not_active',
    (status) => {
      expectDomainError(
        () => step(at('call', { status }), { type: 'pause', actorId: ANNA, until }, ctx()),
        'process_not_active',
      );
    },
  );

  it('given a paused process, when resumed early by a manager, then it is active and the responsible is told', () => {
    const paused = at('call', { status: 'paused', pausedUntil: until, responsibleId: BORIS });
    const { process, effects, ignored } = step(paused, { type: 'resume', actorId: ANNA }, ctx());
    expect(ignored).toBeUndefined();
    expect(process).toEqual({ ...paused, status: 'active', pausedUntil: null });
    expect(effects).toEqual([
      { type: 'timer.cancel', kind: 'resume' },
      { type: 'timer.release' },
      { type: 'protocol', action: 'process.resumed', actorId: ANNA, details: { automatic: false } },
      { type: 'notify', employeeId: BORIS, kind: 'process.resumed', details: { stage: 'call' } },
    ]);
  });

  it('given the responsible resumes their own process, then they are not notified', () => {
    const paused = at('call', { status: 'paused', pausedUntil: until, responsibleId: ANNA });
    expect(ofType(step(paused, { type: 'resume', actorId: ANNA }, ctx()).effects, 'notify')).toEqual([]);
  });

  it('given a paused process, when its resume timer fires, then it resumes automatically', () => {
    const paused = at('call', { status: 'paused', pausedUntil: until });
    const { process, effects } = step(
      paused,
      { type: 'resume', actorId: null, key: resumeTimerKey('p1', until) },
      ctx({ now: until }),
    );
    expect(process.status).toBe('active');
    expect(effects).toContainEqual({
      type: 'protocol',
      action: 'process.resumed',
      actorId: null,
      details: { automatic: true },
    });
    expect(effects).toContainEqual(expect.objectContaining({ type: 'notify', employeeId: ANNA }));
  });

  it('given the pause was moved, when the old resume timer fires, then it is ignored', () => {
    const paused = at('call', { status: 'paused', pausedUntil: until + HOUR });
    expect(step(paused, { type: 'resume', actorId: null, key: resumeTimerKey('p1', until) }, ctx())).toEqual({
      process: paused,
      effects: [],
      ignored: true,
    });
  });

  it('given a process resumed early, when the resume timer fires anyway, then it is ignored', () => {
    const active = at('call');
    expect(
      step(active, { type: 'resume', actorId: null, key: resumeTimerKey('p1', until) }, ctx()).ignored,
    ).toBe(true);
  });

  it('given an active process, when resumed by hand, then it says process_not_active', () => {
    expectDomainError(() => step(at('call'), { type: 'resume', actorId: ANNA }, ctx()), 'process_not_active');
  });

  it('given a paused process, when a stage is finished, then it says process_not_active', () => {
    const paused = at('call', { status: 'paused', pausedUntil: until });
    expectDomainError(() => step(paused, finish('Reached'), ctx()), 'process_not_active');
  });

  it.each(['active', 'paused'] as const)(
    'given an %s process, when cancelled, then it is cancelled and its wait and pause timers go',
    (status) => {
      const before = at('rest', { status, pausedUntil: status === 'paused' ? until : null });
      const { process, effects } = step(before, { type: 'cancel', actorId: 'admin' }, ctx({ now: LATER }));
      expect(process).toEqual({ ...before, status: 'cancelled', pausedUntil: null, completedAt: LATER });
      expect(effects).toEqual([
        { type: 'timer.cancel', kind: 'wait' },
        { type: 'timer.cancel', kind: 'resume' },
        { type: 'protocol', action: 'process.cancelled', actorId: 'admin', details: { stage: 'rest' } },
      ]);
    },
  );

  it.each(['completed', 'cancelled'] as const)(
    'given a %s process, when cancelled, then it says process_not_active',
    (status) => {
      expectDomainError(
        () => step(at('call', { status }), { type: 'cancel', actorId: 'admin' }, ctx()),
        'process_not_active',
      );
    },
  );

  it('given a cancelled process, when a stage is finished, then it says process_not_active', () => {
    const { process } = step(at('call'), { type: 'cancel', actorId: 'admin' }, ctx());
    expectDomainError(() => step(process, finish('Reached'), ctx()), 'process_not_active');
  });
});

describe('responsible.set', () => {
  it('given a new responsible, then the protocol records it, tasks follow and the new responsible is notified', () => {
    const { process, effects } = step(
      at('offer', { responsibleId: ANNA }),
      { type: 'responsible.set', actorId: VERA, responsibleId: BORIS },
      ctx(),
    );
    expect(process.responsibleId).toBe(BORIS);
    expect(effects).toEqual([
      {
        type: 'protocol',
        action: 'responsible.changed',
        actorId: VERA,
        details: { stage: 'offer', from: ANNA, to: BORIS },
      },
      { type: 'member.add', employeeId: BORIS, role: 'responsible' },
      { type: 'tasks.reassign', fromId: ANNA, toId: BORIS },
      { type: 'notify', employeeId: BORIS, kind: 'responsible.changed', details: { stage: 'offer' } },
    ]);
  });

  it('given a process with no responsible, when one is set, then tasks are reassigned from nobody', () => {
    const { effects } = step(
      at('offer', { responsibleId: null }),
      { type: 'responsible.set', actorId: VERA, responsibleId: BORIS },
      ctx(),
    );
    expect(effects).toContainEqual({ type: 'tasks.reassign', fromId: null, toId: BORIS });
  });

  it('given a manager takes the stage themselves, then they are not notified', () => {
    const { effects } = step(
      at('offer'),
      { type: 'responsible.set', actorId: BORIS, responsibleId: BORIS },
      ctx(),
    );
    expect(ofType(effects, 'notify')).toEqual([]);
    expect(ofType(effects, 'tasks.reassign')).toHaveLength(1);
  });

  it('given the same responsible, then nothing happens', () => {
    const before = at('offer', { responsibleId: ANNA });
    expect(step(before, { type: 'responsible.set', actorId: VERA, responsibleId: ANNA }, ctx())).toEqual({
      process: before,
      effects: [],
    });
  });

  it('given a paused process, when the responsible is set, then it is allowed', () => {
    const paused = at('offer', { status: 'paused', pausedUntil: NOW + HOUR });
    expect(
      step(paused, { type: 'responsible.set', actorId: VERA, responsibleId: BORIS }, ctx()).process
        .responsibleId,
    ).toBe(BORIS);
  });

  it.each(['completed', 'cancelled'] as const)(
    'given a %s process, when the responsible is set, then it says process_not_active',
    (status) => {
      expectDomainError(
        () =>
          step(
            at('offer', { status }),
            { type: 'responsible.set', actorId: VERA, responsibleId: BORIS },
            ctx(),
          ),
        'process_not_active',
      );
    },
  );
});

describe('note.set', () => {
  it('given a new note, then it is kept and the protocol records it', () => {
    const { process, effects } = step(
      at('call'),
      { type: 'note.set', actorId: ANNA, note: 'Call after 3 pm' },
      ctx(),
    );
    expect(process.note).toBe('Call after 3 pm');
    expect(effects).toEqual([
      {
        type: 'protocol',
        action: 'note.changed',
        actorId: ANNA,
        details: { note: 'Call after 3 pm', previous: 'Lost in 2025' },
      },
    ]);
  });

  it.each(['completed', 'cancelled'] as const)(
    'given a %s process, when the note is set, even to the same text, then it says process_not_active',
    (status) => {
      const before = at('call', { status });
      for (const note of ['Another note', before.note]) {
        expectDomainError(
          () => step(before, { type: 'note.set', actorId: ANNA, note }, ctx()),
          'process_not_active',
        );
      }
    },
  );

  it('given the same note, then nothing happens', () => {
    const before = at('call');
    expect(step(before, { type: 'note.set', actorId: ANNA, note: before.note }, ctx())).toEqual({
      process: before,
      effects: [],
    });
  });
});

describe('chooseTransition', () => {
  const out: Transition[] = [
    { from: 'a', to: 'b', result: 'Yes' },
    { from: 'a', to: 'c', result: 'No' },
  ];

  it('given a result, then the transition with that result is chosen', () => {
    expect(chooseTransition(out, 'No', 'a')).toBe(out[1]);
  });

  it('given no result and one way out, then that way is chosen', () => {
    expect(chooseTransition(out.slice(0, 1), undefined, 'a')).toBe(out[0]);
  });

  it('given no result and no way out, then it says result_required', () => {
    expectDomainError(() => chooseTransition([], undefined, 'a'), 'result_required');
  });

  it('given no result and several ways out, then it says result_required listing them', () => {
    const error = expectDomainError(() => chooseTransition(out, undefined, 'a'), 'result_required');
    expect(error.details).toEqual({ stage: 'a', results: ['Yes', 'No'] });
    expect(error.status).toBe(422);
  });

  it('given an unknown result, then it says unknown_result', () => {
    expectDomainError(() => chooseTransition(out, 'Maybe', 'a'), 'unknown_result');
  });
});

describe('timer keys', () => {
  it('given a process, stage and visit, then the wait key names all three', () => {
    expect(waitTimerKey('p1', 'rest', 4)).toBe('wait:p1:rest:4');
    expect(waitTimerKey('p1', 'rest', 4)).not.toBe(waitTimerKey('p1', 'rest', 5));
  });

  it('given a pause end, then the resume key names the process and the time', () => {
    expect(resumeTimerKey('p1', 1000)).toBe('resume:p1:1000');
  });
});
