/**
 * A migration property on both stores: random definitions v1 → v2 with random stage maps and
 * processes walked to random places. A dry run changes nothing and predicts exactly what applying
 * does; after applying, every moved process is on a v2 stage that exists, its timers and tasks
 * match that stage, and every refused one is untouched.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createEngineContext, type EngineContext } from '../../src/context.ts';
import { compileDefinition, type DefinitionBody, type Stage } from '../../src/domain/definition/types.ts';
import { validDefinitionArbitrary } from '../../src/domain/definition/valid-definition.fixture.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { escalationTimerKey, isTimed, type StageClock } from '../../src/domain/process/stage-clock.ts';
import { resumeTimerKey, taskStartTimerKey, waitTimerKey } from '../../src/domain/process/step.ts';
import { launchProcess } from '../../src/engine/launch.ts';
import { moveStage } from '../../src/engine/move-stage.ts';
import { pauseProcess } from '../../src/engine/pause-process.ts';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { createDefinition, publishDefinition, updateDefinition } from '../../src/services/definitions.ts';
import { createEmployee } from '../../src/services/employees.ts';
import { migrateProcesses } from '../../src/services/migrations.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

interface Walk {
  readonly choices: readonly number[];
  readonly pause: boolean;
}

interface Run {
  readonly v1: DefinitionBody;
  readonly v2: DefinitionBody;
  readonly mapping: readonly (number | undefined)[];
  readonly walks: readonly Walk[];
}

/** Stage timings a generated stage may get: a deadline, an escalation ladder, both or neither. */
const TIMINGS: readonly Pick<Stage, 'deadline' | 'escalation'>[] = [
  {},
  {},
  { deadline: { duration: 'PT4H' } },
  { escalation: [{ after: 'PT30M', action: 'notify' }] },
  { deadline: { duration: 'P1D' }, escalation: [{ after: 'PT1H', action: 'notify', to: 'admins' }] },
];

/** Generated bodies without people or children; tasks sometimes blocking or delayed, stages timed. */
function body(): fc.Arbitrary<DefinitionBody> {
  return fc
    .tuple(
      validDefinitionArbitrary({ maxStages: 6 }),
      fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.nat(TIMINGS.length - 1)), {
        minLength: 6,
        maxLength: 6,
      }),
    )
    .map(([def, decorations]) => ({
      ...def,
      stages: def.stages.map(({ spawn: _spawn, responsibles: _people, ...plain }, i): Stage => {
        const [blocking, delayed, timing] = decorations[i] ?? [false, false, 0];
        const stage =
          plain.kind === 'end' || plain.wait !== undefined ? plain : { ...plain, ...TIMINGS[timing] };
        if (!stage.task) return stage;
        return { ...stage, task: { ...stage.task, blocking, ...(delayed ? { startDelay: 'PT1H' } : {}) } };
      }),
    }));
}

const run: fc.Arbitrary<Run> = fc.record({
  v1: body(),
  v2: body(),
  mapping: fc.array(fc.option(fc.nat(), { nil: undefined, freq: 2 }), { minLength: 6, maxLength: 6 }),
  walks: fc.array(fc.record({ choices: fc.array(fc.nat(), { maxLength: 4 }), pause: fc.boolean() }), {
    minLength: 2,
    maxLength: 5,
  }),
});

for (const kind of STORES) {
  describe(`${kind}: migration property`, () => {
    let db: TestDatabase;
    let store: Store;
    let ctx: EngineContext;
    let clock: ManualClock;
    let admin: Actor;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/stageflow.db` });
      clock = new ManualClock(Date.UTC(2026, 3, 1, 9, 0));
      ctx = createEngineContext({ store, clock, zone: 'Europe/Berlin' });
      const row = await createEmployee(ctx, {
        login: 'root',
        name: 'Root',
        password: 'root-password',
        role: 'admin',
      });
      admin = { id: row.id, role: 'admin', name: row.name };
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    /** Everything a migration may touch, per process of the definition. */
    async function snapshot(definitionId: string) {
      const processes = await store.db
        .selectFrom('processes')
        .selectAll()
        .where('definition_id', '=', definitionId)
        .orderBy('id')
        .execute();
      const ids = processes.map((p) => p.id);
      const timers = await store.db
        .selectFrom('timers')
        .select(['process_id', 'kind', 'key', 'due_at'])
        .where('process_id', 'in', ids)
        .orderBy('key')
        .execute();
      const tasks = await store.db
        .selectFrom('tasks')
        .select(['id', 'process_id', 'stage_key', 'visit', 'status'])
        .where('process_id', 'in', ids)
        .orderBy('id')
        .execute();
      const protocol = await store.db
        .selectFrom('protocol')
        .select(['process_id', 'action'])
        .where('process_id', 'in', ids)
        .orderBy('id')
        .execute();
      return processes.map((p) => ({
        process: p,
        timers: timers.filter((t) => t.process_id === p.id),
        tasks: tasks.filter((t) => t.process_id === p.id),
        protocol: protocol.filter((e) => e.process_id === p.id).map((e) => e.action),
      }));
    }

    it('a dry run predicts exactly what applying does, and moved processes match their new stage', async () => {
      let moved = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(run, async (r) => {
          const def = await createDefinition(ctx, admin, { name: 'Random', ...r.v1 });
          await publishDefinition(ctx, admin, def.id);
          for (const walk of r.walks) {
            let row = await launchProcess(ctx, admin, { definitionId: def.id });
            const v1 = compileDefinition(r.v1);
            for (const choice of walk.choices) {
              if (row.status !== 'active') break;
              const out = v1.outgoing.get(row.stage_key) ?? [];
              const result = out[choice % out.length]?.result;
              try {
                row = await moveStage(ctx, admin, row.id, { state: 'done', result });
              } catch (error) {
                // A waiting stage or an open blocking task keeps it where it is.
                if (!(error instanceof DomainError)) throw error;
                break;
              }
            }
            if (walk.pause && row.status === 'active') await pauseProcess(ctx, admin, row.id, { for: 'P1D' });
          }
          await updateDefinition(ctx, admin, def.id, { name: 'Random', ...r.v2 });
          await publishDefinition(ctx, admin, def.id);
          const stageMap: Record<string, string> = {};
          r.v1.stages.forEach((s, i) => {
            const target = r.mapping[i];
            if (target !== undefined) stageMap[s.key] = r.v2.stages[target % r.v2.stages.length]!.key;
          });
          const request = { fromVersion: 1, toVersion: 2, stageMap };

          const before = await snapshot(def.id);
          const dry = await migrateProcesses(ctx, admin, def.id, { ...request, dryRun: true });
          expect(await snapshot(def.id)).toEqual(before);
          const applied = await migrateProcesses(ctx, admin, def.id, request);
          expect(applied.items).toEqual(
            dry.items.map((i) => (i.outcome === 'would_move' ? { ...i, outcome: 'moved' } : i)),
          );
          expect(applied.next).toBeNull();
          // Every running process was answered; finished ones were not listed.
          const running = before.filter(
            (b) => b.process.status === 'active' || b.process.status === 'paused',
          );
          expect(applied.items.map((i) => i.processId)).toEqual(running.map((b) => b.process.id));

          const v2 = compileDefinition(r.v2);
          const after = await snapshot(def.id);
          for (const item of applied.items) {
            const was = before.find((b) => b.process.id === item.processId)!;
            const now = after.find((a) => a.process.id === item.processId)!;
            if (item.outcome === 'refused') {
              refused++;
              expect(now).toEqual(was);
              continue;
            }
            moved++;
            const p = now.process;
            const stage = v2.stages.get(p.stage_key);
            expect(p.definition_version).toBe(2);
            expect(p.stage_key).toBe(item.to);
            expect(stage).toBeDefined();
            expect(stage?.kind).not.toBe('end');
            expect({ visit: p.visit, status: p.status, responsible: p.responsible_id }).toEqual({
              visit: was.process.visit,
              status: was.process.status,
              responsible: was.process.responsible_id,
            });
            const keys = (k: string) => now.timers.filter((t) => t.kind === k).map((t) => t.key);
            expect(keys('wait')).toEqual(
              stage?.wait === undefined ? [] : [waitTimerKey(p.id, p.stage_key, p.visit)],
            );
            expect(keys('resume')).toEqual(
              p.paused_until === null ? [] : [resumeTimerKey(p.id, Number(p.paused_until))],
            );
            expect(keys('task.start').sort()).toEqual(
              now.tasks
                .filter((t) => t.status === 'pending')
                .map((t) => taskStartTimerKey(t.id))
                .sort(),
            );
            for (const task of now.tasks.filter((t) => t.visit === p.visit && t.status !== 'done')) {
              expect(task.stage_key).toBe(p.stage_key);
            }
            // The stage clock follows the new stage: one escalation timer per step not yet taken
            // while the clock runs, and a deadline exactly when the stage has one and it runs.
            const timed = stage !== undefined && isTimed(stage);
            const clock = p.stage_clock === null ? null : (JSON.parse(p.stage_clock) as StageClock);
            expect(clock !== null).toBe(timed);
            const running = clock !== null && clock.since !== null;
            const untaken = running
              ? (stage?.escalation ?? []).flatMap((_, i) => (clock.escalated.includes(i) ? [] : [i]))
              : [];
            expect(keys('escalate').sort()).toEqual(
              untaken.map((i) => escalationTimerKey(p.id, p.stage_key, p.visit, i)).sort(),
            );
            expect(p.due_at !== null).toBe(running && stage?.deadline !== undefined);
            expect(now.protocol.slice(0, was.protocol.length)).toEqual(was.protocol);
            expect(now.protocol[was.protocol.length]).toBe('process.migrated');
          }
        }),
        { numRuns: 40 },
      );
      expect(moved).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    }, 120_000);
  });
}
