import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompiledDefinition,
  compileDefinition,
  type DefinitionBody,
  type Stage,
} from '../definition/types.ts';
import { validDefinitionArbitrary } from '../definition/valid-definition.fixture.ts';
import { addDuration, mustParseDuration } from '../duration.ts';
import {
  type MigrationDecision,
  type MigrationEffect,
  type MigrationFacts,
  type MigrationPlan,
  migrate,
  stageMapProblems,
} from './migrate.ts';
import {
  ALWAYS_WORKING,
  type ClockContext,
  deadlineOf,
  escalationTimerKey,
  escalationTimers,
  isTimed,
  restartClock,
  startClock,
  stopClock,
} from './stage-clock.ts';
import { type ProcessState, resumeTimerKey, taskStartTimerKey, waitTimerKey } from './step.ts';

const NOW = Date.UTC(2026, 2, 10, 9, 0);
const ID = 'p';
const CLOCK: ClockContext = { zone: 'Europe/Berlin', working: ALWAYS_WORKING };

/** The rows a migration touches, as a store would hold them. */
interface Model {
  readonly process: ProcessState;
  readonly version: number;
  readonly timers: { kind: string; key: string; dueAt: number }[];
  readonly tasks: {
    id: string;
    stageKey: string;
    visit: number;
    status: 'pending' | 'open';
    blocking: boolean;
  }[];
}

/** Applies a decision's effects to the model as the engine applies them to rows. */
function applyDecision(model: Model, decision: MigrationDecision, toVersion: number): Model {
  if (decision.outcome === 'refuse') return model;
  let timers = [...model.timers];
  let tasks = [...model.tasks];
  for (const effect of decision.effects as MigrationEffect[]) {
    switch (effect.type) {
      case 'timer.set':
        if (!timers.some((t) => t.key === effect.key))
          timers.push({ kind: effect.kind, key: effect.key, dueAt: effect.dueAt });
        break;
      case 'timer.cancel':
        timers = timers.filter((t) => t.kind !== effect.kind);
        break;
      case 'tasks.restage':
        tasks = tasks.map((t) => (effect.taskIds.includes(t.id) ? { ...t, stageKey: effect.stageKey } : t));
        break;
      case 'protocol':
        break;
      default:
        throw new Error(`a migration does not ${effect.type}`);
    }
  }
  return { process: decision.process, version: toVersion, timers, tasks };
}

interface Scenario {
  readonly v1: DefinitionBody;
  readonly v2: DefinitionBody;
  readonly position: number;
  /** Per old stage index: the index of the new stage it is mapped to, or none. */
  readonly mapping: readonly (number | undefined)[];
  readonly paused: boolean;
  readonly started: boolean;
  readonly visit: number;
  readonly tasks: readonly { readonly blocking: boolean; readonly pending: boolean }[];
  readonly olderPendingTask: boolean;
  readonly minutesInStage: number;
}

/** Stage timing a generated stage may get: a deadline, an escalation ladder, both or neither. */
const TIMINGS: readonly Pick<Stage, 'deadline' | 'escalation'>[] = [
  {},
  { deadline: { duration: 'PT4H' } },
  {
    escalation: [
      { after: 'PT30M', action: 'notify' },
      { after: 'PT2H', action: 'reassign', to: 'initiator' },
    ],
  },
  { deadline: { duration: 'P1D' }, escalation: [{ after: 'PT1H', action: 'notify', to: 'admins' }] },
];

/** Generated definitions, some of whose stages run a clock. */
function timedDefinition(): fc.Arbitrary<DefinitionBody> {
  return fc
    .tuple(
      validDefinitionArbitrary({ maxStages: 8 }),
      fc.array(fc.nat(TIMINGS.length - 1), { minLength: 8, maxLength: 8 }),
    )
    .map(([def, timings]) => ({
      ...def,
      stages: def.stages.map((stage, i) => ({ ...stage, ...TIMINGS[timings[i] ?? 0] })),
    }));
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  v1: timedDefinition(),
  v2: timedDefinition(),
  minutesInStage: fc.integer({ min: 0, max: 600 }),
  position: fc.nat(),
  mapping: fc.array(fc.option(fc.nat(), { nil: undefined, freq: 2 }), { minLength: 8, maxLength: 8 }),
  paused: fc.boolean(),
  started: fc.boolean(),
  visit: fc.integer({ min: 2, max: 30 }),
  tasks: fc.array(fc.record({ blocking: fc.boolean(), pending: fc.boolean() }), {
    maxLength: 3,
  }),
  olderPendingTask: fc.boolean(),
});

/** The process, the store around it and the plan a scenario stands for. */
function setUp(s: Scenario) {
  const from = compileDefinition(s.v1);
  const to = compileDefinition(s.v2);
  const running = s.v1.stages.filter((st) => st.kind !== 'end');
  const stage = running[s.position % running.length]!;
  const stageMap: Record<string, string> = {};
  s.v1.stages.forEach((st, i) => {
    const target = s.mapping[i];
    if (target !== undefined) stageMap[st.key] = s.v2.stages[target % s.v2.stages.length]!.key;
  });
  const plan: MigrationPlan = { fromVersion: 1, toVersion: 2, from, to, stageMap };
  const pausedUntil = s.paused ? NOW + 3_600_000 : null;
  const enteredAt = NOW - s.minutesInStage * 60_000;
  // A timed stage's clock ran from entry; a pause stopped it (a minute ago).
  let clock = isTimed(stage) ? startClock(enteredAt) : null;
  if (clock && s.paused) clock = stopClock(clock, NOW - 60_000, CLOCK);
  const process: ProcessState = {
    id: ID,
    status: s.paused ? 'paused' : 'active',
    stageKey: stage.key,
    stageState: stage.wait !== undefined || s.started ? 'in_progress' : 'not_started',
    visit: s.visit,
    responsibleId: 'e1',
    actingForId: null,
    initiatorId: 'e2',
    enteredAt,
    note: 'note',
    pausedUntil,
    completedAt: null,
    clock,
    dueAt: deadlineOf(stage, clock, enteredAt, CLOCK),
    routingUntil: null,
  };
  const tasks: Model['tasks'] = s.tasks.map((t, i) => ({
    id: `t${i}`,
    stageKey: stage.key,
    visit: s.visit,
    status: t.pending ? 'pending' : 'open',
    blocking: t.blocking,
  }));
  if (s.olderPendingTask) {
    tasks.push({ id: 'old', stageKey: 'earlier', visit: s.visit - 1, status: 'pending', blocking: false });
  }
  const timers: Model['timers'] = tasks
    .filter((t) => t.status === 'pending')
    .map((t) => ({ kind: 'task.start', key: taskStartTimerKey(t.id), dueAt: NOW + 1 }));
  if (stage.wait !== undefined)
    timers.push({ kind: 'wait', key: waitTimerKey(ID, stage.key, s.visit), dueAt: NOW + 1 });
  if (clock) {
    for (const t of escalationTimers(ID, stage, s.visit, clock, enteredAt, CLOCK))
      timers.push({ kind: 'escalate', ...t });
  }
  if (pausedUntil !== null)
    timers.push({ kind: 'resume', key: resumeTimerKey(ID, pausedUntil), dueAt: pausedUntil });
  const model: Model = { process, version: 1, timers, tasks };
  const facts: MigrationFacts = {
    version: 1,
    timers: timers.map(({ kind, key }) => ({ kind, key })),
    unfinishedTasks: tasks
      .filter((t) => t.visit === s.visit)
      .map((t) => ({ id: t.id, blocking: t.blocking })),
  };
  return { plan, model, facts, stage };
}

/** The escalation steps of the stage due by now on the process's clock (a stopped one run again now). */
function dueNow(process: ProcessState, stage: Stage | undefined): number[] {
  if (!stage || !process.clock) return [];
  const clock = restartClock(process.clock, NOW);
  const planned = escalationTimers(process.id, stage, process.visit, clock, process.enteredAt, CLOCK);
  return (stage.escalation ?? []).flatMap((_, i) => {
    const timer = planned.find((t) => t.key === escalationTimerKey(process.id, stage.key, process.visit, i));
    return timer && timer.dueAt <= NOW ? [i] : [];
  });
}

/** What every running process must look like against the definition it runs on. */
function expectConsistent(model: Model, definition: CompiledDefinition): void {
  const { process } = model;
  const stage = definition.stages.get(process.stageKey);
  expect(stage, `stage ${process.stageKey} exists`).toBeDefined();
  expect(stage?.kind).not.toBe('end');
  const waits = model.timers.filter((t) => t.kind === 'wait').map((t) => t.key);
  expect(waits).toEqual(
    stage?.wait === undefined ? [] : [waitTimerKey(process.id, process.stageKey, process.visit)],
  );
  if (stage?.wait !== undefined) expect(process.stageState).toBe('in_progress');
  const resumes = model.timers.filter((t) => t.kind === 'resume').map((t) => t.key);
  expect(resumes).toEqual(
    process.pausedUntil === null ? [] : [resumeTimerKey(process.id, process.pausedUntil)],
  );
  const starts = model.timers.filter((t) => t.kind === 'task.start').map((t) => t.key);
  expect(starts.sort()).toEqual(
    model.tasks
      .filter((t) => t.status === 'pending')
      .map((t) => taskStartTimerKey(t.id))
      .sort(),
  );
  for (const task of model.tasks.filter((t) => t.visit === process.visit)) {
    expect(task.stageKey).toBe(process.stageKey);
  }
  // The stage clock: present exactly on a timed stage; one escalation timer per step not yet taken
  // while it runs, none while it is stopped; a deadline while it runs, if the stage has one.
  const timed = stage !== undefined && isTimed(stage);
  expect(process.clock !== null).toBe(timed);
  const escalations = model.timers.filter((t) => t.kind === 'escalate');
  if (!timed || !process.clock || process.clock.since === null) {
    expect(escalations).toEqual([]);
    if (!timed || process.clock?.since === null) expect(process.dueAt).toBeNull();
    return;
  }
  const untaken = (stage?.escalation ?? []).flatMap((_, i) =>
    process.clock?.escalated.includes(i) ? [] : [i],
  );
  expect(escalations.map((t) => t.key).sort()).toEqual(
    untaken.map((i) => escalationTimerKey(process.id, process.stageKey, process.visit, i)).sort(),
  );
  expect(process.dueAt === null).toBe(stage?.deadline === undefined);
}

describe('migrating a process to another version', () => {
  it('given random versions and maps, then a moved process sits on an existing stage with matching timers and tasks', () => {
    const seen = { moved: 0, intoWait: 0, restaged: 0, refused: 0, timed: 0 };
    fc.assert(
      fc.property(scenario, (s) => {
        const { plan, model, facts, stage } = setUp(s);
        expectConsistent(model, plan.from);
        const decision = migrate(model.process, facts, plan, {
          now: NOW,
          zone: 'Europe/Berlin',
          actorId: 'admin',
        });

        // The stage it goes to: the map's word, else the same key when version 2 has it.
        const named = plan.stageMap[stage.key];
        const expectedTo = named ?? (plan.to.stages.has(stage.key) ? stage.key : null);
        expect(decision.from).toBe(stage.key);
        expect(decision.to).toBe(expectedTo);
        const target = expectedTo === null ? undefined : plan.to.stages.get(expectedTo);
        const expectedRefusal =
          target === undefined
            ? 'stage_unmapped'
            : target.kind === 'end'
              ? 'stage_is_end'
              : stage.wait !== undefined
                ? 'waiting_timer'
                : s.tasks.some((t) => t.blocking)
                  ? 'blocking_task_open'
                  : null;

        const after = applyDecision(model, decision, plan.toVersion);
        if (expectedRefusal !== null) {
          expect(decision).toMatchObject({ outcome: 'refuse', reason: expectedRefusal });
          expect(after).toBe(model);
          seen.refused++;
          return;
        }
        seen.moved++;
        if (target?.wait !== undefined) seen.intoWait++;
        if (expectedTo !== stage.key && s.tasks.length > 0) seen.restaged++;
        expect(decision.outcome).toBe('move');
        expect(after.version).toBe(2);
        expectConsistent(after, plan.to);
        // Everything but the stage and its clock stays as it was: the visit, the people, the pause.
        const { stageKey: _k, stageState: _s, clock: _c, dueAt: _d, ...kept } = after.process;
        const { stageKey: _k0, stageState: _s0, clock: _c0, dueAt: _d0, ...before } = model.process;
        expect(kept).toEqual(before);
        if (target?.wait === undefined) expect(after.process.stageState).toBe(model.process.stageState);
        else {
          const wait = after.timers.find((t) => t.kind === 'wait');
          expect(wait?.dueAt).toBe(addDuration(NOW, mustParseDuration(target.wait), 'Europe/Berlin'));
        }
        // A migration sets off no escalation, now or when a paused process resumes: a step due then
        // was due before it, under the same ladder.
        const dueBefore = dueNow(model.process, stage);
        for (const index of dueNow(after.process, target)) {
          expect(dueBefore).toContain(index);
          expect(JSON.stringify(target?.escalation)).toBe(JSON.stringify(stage.escalation));
        }
        if (target && isTimed(target)) seen.timed++;
        // Tasks of earlier visits stay where they were made.
        expect(after.tasks.filter((t) => t.visit !== s.visit)).toEqual(
          model.tasks.filter((t) => t.visit !== s.visit),
        );
        if (decision.outcome === 'move') {
          const protocol = decision.effects.filter((e) => e.type === 'protocol');
          expect(protocol[0]).toMatchObject({
            action: 'process.migrated',
            actorId: 'admin',
            details: { fromVersion: 1, toVersion: 2, from: stage.key, to: expectedTo },
          });
        }
      }),
      { numRuns: 1000 },
    );
    // The runs cover every path, not only refusals.
    expect(Math.min(...Object.values(seen))).toBeGreaterThan(5);
  });

  it('given a process not on the plan’s version or no longer running, then it is refused untouched', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom('completed', 'cancelled', 'other-version'), (s, kind) => {
        const { plan, model, facts } = setUp(s);
        const process =
          kind === 'other-version'
            ? model.process
            : { ...model.process, status: kind as 'completed' | 'cancelled' };
        const decision = migrate(process, kind === 'other-version' ? { ...facts, version: 3 } : facts, plan, {
          now: NOW,
          zone: 'UTC',
          actorId: null,
        });
        expect(decision).toMatchObject({
          outcome: 'refuse',
          reason: kind === 'other-version' ? 'not_on_version' : 'process_not_active',
          to: null,
        });
      }),
      { numRuns: 100 },
    );
  });

  it('given stage keys that name object properties, then they map like any other key', () => {
    const body = (second: string): DefinitionBody => ({
      stages: [
        { key: 'constructor', name: 'A', kind: 'start' },
        { key: second, name: 'B', kind: 'normal' },
        { key: 'z', name: 'Z', kind: 'end' },
      ],
      transitions: [
        { from: 'constructor', to: second, result: 'go' },
        { from: second, to: 'z', result: 'go' },
      ],
    });
    const plan: MigrationPlan = {
      fromVersion: 1,
      toVersion: 2,
      from: compileDefinition(body('toString')),
      to: compileDefinition(body('valueOf')),
      stageMap: {},
    };
    const at = (stageKey: string): ProcessState => ({
      id: ID,
      status: 'active',
      stageKey,
      stageState: 'not_started',
      visit: 1,
      responsibleId: null,
      actingForId: null,
      initiatorId: 'e1',
      enteredAt: NOW,
      note: '',
      pausedUntil: null,
      completedAt: null,
      dueAt: null,
      clock: null,
      routingUntil: null,
    });
    const facts: MigrationFacts = { version: 1, timers: [], unfinishedTasks: [] };
    const ctx = { now: NOW, zone: 'UTC', actorId: null };
    expect(migrate(at('constructor'), facts, plan, ctx)).toMatchObject({
      outcome: 'move',
      to: 'constructor',
    });
    expect(migrate(at('toString'), facts, plan, ctx)).toMatchObject({
      outcome: 'refuse',
      reason: 'stage_unmapped',
    });
    expect(stageMapProblems({ ...plan, stageMap: { toString: 'valueOf' } })).toEqual([]);
  });

  it('given a stage map, then every key it names that a version lacks is reported', () => {
    const from = compileDefinition({
      stages: [
        { key: 'a', name: 'A', kind: 'start' },
        { key: 'z', name: 'Z', kind: 'end' },
      ],
      transitions: [{ from: 'a', to: 'z', result: 'go' }],
    });
    expect(stageMapProblems({ from, to: from, stageMap: { a: 'z', q: 'a', z: 'nope' } })).toEqual([
      { field: 'stageMap.q', stage: 'q', problem: 'unknown_old_stage' },
      { field: 'stageMap.z', stage: 'nope', problem: 'unknown_new_stage' },
    ]);
  });
});
