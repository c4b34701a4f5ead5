import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { compileDefinition, type DefinitionBody, type Transition } from '../definition/types.ts';
import { FIXTURE_EMPLOYEES, validDefinitionArbitrary } from '../definition/valid-definition.fixture.ts';
import { validateDefinition } from '../definition/validate.ts';
import { DomainError } from '../errors.ts';
import {
  type Command,
  type Effect,
  launch,
  type ProcessState,
  resumeTimerKey,
  type StepContext,
  type StepOutcome,
  step,
  waitTimerKey,
} from './step.ts';

const ZONES = ['Europe/Berlin', 'America/New_York', 'UTC'];
const EMPLOYEES: string[] = [...FIXTURE_EMPLOYEES];
const START = DateTime.fromISO('2026-01-01T09:00', { zone: 'UTC' }).toMillis();
const MINUTE = 60_000;

const validDefinition: fc.Arbitrary<DefinitionBody> = validDefinitionArbitrary();

/** One move of the walk: which way out, whether to start the stage first, and how to finish. */
interface Move {
  readonly choice: number;
  readonly startFirst: boolean;
  /** With a single way out, leave the result out. */
  readonly omitResult: boolean;
  readonly handPick: string | undefined;
  readonly minutes: number;
}

const move: fc.Arbitrary<Move> = fc.record({
  choice: fc.nat(),
  startFirst: fc.boolean(),
  omitResult: fc.boolean(),
  handPick: fc.option(fc.constantFrom(...EMPLOYEES), { freq: 4, nil: undefined }),
  minutes: fc.integer({ min: 0, max: 60 * 24 * 40 }),
});

function entries(effects: readonly Effect[]): Extract<Effect, { type: 'protocol' }>[] {
  return effects.filter(
    (e): e is Extract<Effect, { type: 'protocol' }> => e.type === 'protocol' && e.action === 'stage.entered',
  );
}

function expectThrowsCode(run: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DomainError);
  expect((thrown as DomainError).code).toBe(code);
}

describe('random walks of valid definitions', () => {
  it('given generated definitions, then they are all valid (the generator is sound)', () => {
    fc.assert(
      fc.property(validDefinition, (def) => {
        expect(validateDefinition(def).errors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('given any walk, then the process is always at one existing stage, active until an end completes it', () => {
    fc.assert(
      fc.property(
        validDefinition,
        fc.array(move, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(...ZONES),
        fc.subarray(EMPLOYEES),
        (def, moves, zone, online) => {
          const compiled = compileDefinition(def);
          let now = START;
          const ctxAt = (): StepContext => ({
            now,
            zone,
            definition: compiled,
            isOnline: (id) => online.includes(id),
          });
          const ends = new Set(def.stages.filter((s) => s.kind === 'end').map((s) => s.key));

          const launched = launch({ id: 'p', actorId: 'initiator', note: '' }, ctxAt());
          let process: ProcessState = launched.process;
          let pendingTimer = launched.effects.find((e) => e.type === 'timer.set');
          expect(process).toMatchObject({ stageKey: 's0', visit: 1, status: 'active' });
          expect(entries(launched.effects)).toHaveLength(1);

          for (const m of moves) {
            if (process.status === 'completed') break;
            expect(process.status).toBe('active');
            expect(ends.has(process.stageKey)).toBe(false);
            now += m.minutes * MINUTE;
            const stage = compiled.stages.get(process.stageKey);
            const out = compiled.outgoing.get(process.stageKey) ?? [];
            if (!stage) throw new Error(`the process is at an unknown stage ${process.stageKey}`);
            expect(out.length).toBeGreaterThan(0);

            const before = process;
            let outcome: StepOutcome;
            // A waiting stage continues only when its wait ends: it cannot be finished by hand.
            if (stage.wait !== undefined) {
              expect(before.stageState).toBe('in_progress');
              expect(pendingTimer).toEqual({
                type: 'timer.set',
                kind: 'wait',
                key: waitTimerKey('p', stage.key, before.visit),
                dueAt: expect.any(Number),
              });
              const key = pendingTimer?.type === 'timer.set' ? pendingTimer.key : '';
              outcome = step(before, { type: 'wait.elapse', key }, ctxAt());
              expect(outcome.effects[0]).toMatchObject({ type: 'protocol', action: 'wait.elapsed' });
            } else {
              let current = before;
              if (m.startFirst && current.stageState === 'not_started') {
                const started = step(current, { type: 'stage.start', actorId: 'mover' }, ctxAt());
                expect(started.process).toEqual({ ...current, stageState: 'in_progress' });
                current = started.process;
              }
              const chosen = out[m.choice % out.length] as Transition;
              const command: Command = {
                type: 'stage.finish',
                actorId: 'mover',
                result: out.length === 1 && m.omitResult ? undefined : chosen.result,
                nextResponsibleId: m.handPick,
              };
              outcome = step(current, command, ctxAt());
              const passed = outcome.effects.some(
                (e) =>
                  e.type === 'protocol' && e.action === 'stage.started' && e.details.passedThrough === true,
              );
              expect(passed).toBe(current.stageState === 'not_started');
              expect(outcome.process.stageKey).toBe(chosen.to);
              if (m.handPick) expect(outcome.process.responsibleId).toBe(m.handPick);
            }

            process = outcome.process;
            expect(outcome.ignored).toBeUndefined();
            expect(compiled.stages.has(process.stageKey)).toBe(true);
            expect(process.visit).toBe(before.visit + 1);
            const entered = entries(outcome.effects);
            expect(entered).toHaveLength(1);
            expect(entered[0]?.details).toMatchObject({ stage: process.stageKey, visit: process.visit });
            expect(process.enteredAt).toBe(now);

            const timers = outcome.effects.filter((e) => e.type === 'timer.set');
            pendingTimer = timers[0];
            const next = compiled.stages.get(process.stageKey);
            if (next?.kind === 'end') {
              expect(process).toMatchObject({ status: 'completed', stageState: 'done', completedAt: now });
              expect(outcome.effects.at(-1)).toMatchObject({ type: 'protocol', action: 'process.completed' });
              expect(timers).toEqual([]);
            } else {
              expect(process).toMatchObject({ status: 'active', completedAt: null });
              expect(process.stageState).toBe(next?.wait === undefined ? 'not_started' : 'in_progress');
              expect(timers).toHaveLength(next?.wait === undefined ? 0 : 1);
              for (const timer of timers) {
                expect(timer).toMatchObject({ key: waitTimerKey('p', process.stageKey, process.visit) });
                if (timer.type === 'timer.set') expect(timer.dueAt).toBeGreaterThan(now);
              }
            }
            expect(outcome.effects.filter((e) => e.type === 'child.spawn')).toHaveLength(
              next?.spawn?.length ?? 0,
            );
          }

          if (process.status === 'completed') {
            const ctxNow = ctxAt();
            expectThrowsCode(
              () => step(process, { type: 'stage.finish', actorId: 'mover' }, ctxNow),
              'process_not_active',
            );
            const anyResult = def.transitions[0]?.result;
            expectThrowsCode(
              () => step(process, { type: 'stage.finish', actorId: 'mover', result: anyResult }, ctxNow),
              'process_not_active',
            );
            expectThrowsCode(
              () => step(process, { type: 'stage.start', actorId: 'mover' }, ctxNow),
              'process_not_active',
            );
            const late = step(
              process,
              { type: 'wait.elapse', key: waitTimerKey('p', process.stageKey, process.visit) },
              ctxNow,
            );
            expect(late).toEqual({ process, effects: [], ignored: true });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('given any walk long enough, then always taking the chain edge completes the process', () => {
    fc.assert(
      fc.property(validDefinition, (def) => {
        const compiled = compileDefinition(def);
        const ctx: StepContext = { now: START, zone: 'UTC', definition: compiled, isOnline: () => false };
        let { process } = launch({ id: 'p', actorId: 'i', note: '' }, ctx);
        for (let i = 0; i < def.stages.length && process.status === 'active'; i++) {
          const first = compiled.outgoing.get(process.stageKey)?.[0];
          const waiting = compiled.stages.get(process.stageKey)?.wait !== undefined;
          const command: Command = waiting
            ? { type: 'wait.elapse', key: waitTimerKey('p', process.stageKey, process.visit) }
            : { type: 'stage.finish', actorId: 'm', result: first?.result };
          process = step(process, command, ctx).process;
        }
        expect(process.status).toBe('completed');
      }),
      { numRuns: 200 },
    );
  });

  it('given pauses and resumes interleaved, then the stage and visit never change and stale timers are ignored', () => {
    fc.assert(
      fc.property(
        validDefinition,
        fc.array(
          fc.tuple(fc.constantFrom('pause', 'resume', 'fire', 'elapse'), fc.integer({ min: 1, max: 10_000 })),
          {
            maxLength: 20,
          },
        ),
        (def, actions) => {
          const compiled = compileDefinition(def);
          const now = START;
          const ctx: StepContext = { now, zone: 'UTC', definition: compiled, isOnline: () => false };
          const launched = launch({ id: 'p', actorId: 'i', note: '' }, ctx);
          let process = launched.process;
          const first = process;
          const staleWait = waitTimerKey('p', process.stageKey, process.visit + 1);
          for (const [action, minutes] of actions) {
            let outcome: StepOutcome | undefined;
            if (action === 'pause') {
              outcome = step(process, { type: 'pause', actorId: 'm', until: now + minutes * MINUTE }, ctx);
              expect(outcome.process).toMatchObject({
                status: 'paused',
                pausedUntil: now + minutes * MINUTE,
              });
            } else if (action === 'resume') {
              if (process.status === 'paused') {
                outcome = step(process, { type: 'resume', actorId: 'm' }, ctx);
                expect(outcome.process).toMatchObject({ status: 'active', pausedUntil: null });
              } else {
                expectThrowsCode(
                  () => step(process, { type: 'resume', actorId: 'm' }, ctx),
                  'process_not_active',
                );
              }
            } else if (action === 'fire') {
              const key = resumeTimerKey('p', now + minutes * MINUTE);
              outcome = step(process, { type: 'resume', actorId: null, key }, ctx);
              const fires = process.status === 'paused' && process.pausedUntil === now + minutes * MINUTE;
              expect(outcome.ignored === true).toBe(!fires);
            } else {
              outcome = step(process, { type: 'wait.elapse', key: staleWait }, ctx);
              expect(outcome).toEqual({ process, effects: [], ignored: true });
            }
            if (outcome) process = outcome.process;
            expect(process).toMatchObject({
              stageKey: first.stageKey,
              visit: first.visit,
              stageState: first.stageState,
            });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
