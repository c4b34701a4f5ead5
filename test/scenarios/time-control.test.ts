/**
 * Time control end to end on both stores: deadlines on the business calendar, an escalation ladder
 * that fires each step once across a restart and on three nodes, finishing early, deputies, and
 * stages that wait for a listed responsible to come online.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createEngineContext, type EngineContext, type Presence } from '../../src/context.ts';
import { fireAllDue } from '../../src/engine/fire-due.ts';
import { launchProcess } from '../../src/engine/launch.ts';
import { moveStage } from '../../src/engine/move-stage.ts';
import { pauseProcess, resumeProcess } from '../../src/engine/pause-process.ts';
import { processCard } from '../../src/queries/process-card.ts';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { createAbsence } from '../../src/services/absences.ts';
import { createDefinition, publishDefinition } from '../../src/services/definitions.ts';
import { createEmployee } from '../../src/services/employees.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const ZONE = 'Europe/Moscow';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const local = (iso: string | null) =>
  iso === null ? null : DateTime.fromISO(iso, { zone: ZONE }).toFormat('ccc yyyy-LL-dd HH:mm');

/** Who is online, as a test sets it. */
class OnlineSet implements Presence {
  readonly ids = new Set<string>();
  async onlineAmong(_db: unknown, employeeIds: readonly string[]): Promise<ReadonlySet<string>> {
    return new Set(employeeIds.filter((id) => this.ids.has(id)));
  }
}

for (const kind of STORES) {
  describe(`${kind}: time control`, () => {
    let db: TestDatabase;
    let stores: Store[] = [];
    let clock: ManualClock;
    let presence: OnlineSet;
    let ctx: EngineContext;
    let admin: Actor;
    let anna: Actor;
    let boris: Actor;
    let vera: Actor;

    async function open(): Promise<Store> {
      const store = await openStore({
        databaseUrl: db.databaseUrl,
        sqliteFile: `${db.dataDir}/stageflow.db`,
      });
      stores.push(store);
      return store;
    }

    /** A node over the shared store (SQLite has one writer: its nodes share one store). */
    async function node(routingWaitMs = 0): Promise<EngineContext> {
      const store = kind === 'sqlite' && stores[0] ? stores[0] : await open();
      return createEngineContext({ store, clock, zone: ZONE, presence, routingWaitMs });
    }

    /** Closes every store and opens one again, as a restart does; `ctx` is the restarted node. */
    async function restart(): Promise<void> {
      for (const s of stores) await s.close();
      stores = [];
      ctx = await node();
    }

    async function person(login: string, role: 'admin' | 'manager' = 'manager'): Promise<Actor> {
      const e = await createEmployee(ctx, { login, name: login, password: `${login}-password`, role });
      return { id: e.id, role: e.role, name: e.name };
    }

    async function publish(stage: Record<string, unknown>): Promise<string> {
      const def = await createDefinition(ctx, admin, {
        name: `Timed ${Math.random()}`,
        stages: [
          { key: 'call', name: 'Call', kind: 'start', responsibles: [anna.id, boris.id, vera.id], ...stage },
          { key: 'done', name: 'Done', kind: 'end' },
        ],
        transitions: [{ from: 'call', to: 'done', result: 'Called' }],
      } as never);
      await publishDefinition(ctx, admin, def.id);
      return def.id;
    }

    async function protocol(processId: string, action: string) {
      const rows = await ctx.store.db
        .selectFrom('protocol')
        .selectAll()
        .where('process_id', '=', processId)
        .where('action', '=', action)
        .orderBy('id')
        .execute();
      return rows.map((r) => JSON.parse(r.details) as Record<string, unknown>);
    }

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      clock = new ManualClock(at('2026-12-04T16:00'));
      presence = new OnlineSet();
      ctx = await node();
      admin = await person('root', 'admin');
      anna = await person('anna');
      boris = await person('boris');
      vera = await person('vera');
    });
    afterAll(async () => {
      for (const s of stores) await s.close();
      await db?.drop();
    });

    it('given 4 working hours entered Friday 16:00 on the default 09:00–18:00 week, then the stage falls due Monday 11:00 and turns overdue after', async () => {
      clock.set(at('2026-12-04T16:00'));
      const definitionId = await publish({ deadline: { duration: 'PT4H', working: true } });
      const row = await launchProcess(ctx, admin, { definitionId });
      const card = await processCard(ctx, admin, row.id);
      expect(local(card.stage.dueAt)).toBe('Mon 2026-12-07 11:00');
      expect(card.stage.overdue).toBe(false);
      clock.set(at('2026-12-07T11:01'));
      expect((await processCard(ctx, admin, row.id)).stage.overdue).toBe(true);
    });

    it('given an escalation ladder of three steps, then each step fires once across a restart and on three nodes', async () => {
      clock.set(at('2026-12-07T09:00'));
      const definitionId = await publish({
        escalation: [
          { after: 'PT1H', working: true, action: 'notify', to: 'responsible' },
          { after: 'PT2H', working: true, action: 'reassign', to: { employeeId: vera.id } },
          { after: 'PT3H', working: true, action: 'notify', to: 'admins' },
        ],
      });
      const row = await launchProcess(ctx, admin, { definitionId });
      expect(row.responsible_id).toBe(anna.id);

      clock.set(at('2026-12-07T10:00'));
      await fireAllDue(ctx);
      expect((await protocol(row.id, 'stage.escalated')).map((d) => d.step)).toEqual([1]);

      // A restart, then three nodes fire side by side.
      await restart();
      const nodes = [ctx, await node(), await node()];
      clock.set(at('2026-12-07T12:30'));
      await Promise.all(nodes.map((n) => fireAllDue(n)));
      await Promise.all(nodes.map((n) => fireAllDue(n)));
      const steps = await protocol(row.id, 'stage.escalated');
      expect(steps.map((d) => d.step)).toEqual([1, 2, 3]);
      const after = await processCard(ctx, admin, row.id);
      expect(after.stage.responsible?.id).toBe(vera.id);
      const notes = await ctx.store.db
        .selectFrom('notifications')
        .select(['employee_id', 'kind'])
        .where('process_id', '=', row.id)
        .where('kind', '=', 'stage.escalated')
        .execute();
      expect(notes.map((n) => n.employee_id).sort()).toEqual([admin.id, anna.id, vera.id].sort());
    });

    it('given the stage is finished after the first step, then the rest of the ladder is cancelled', async () => {
      clock.set(at('2026-12-08T09:00'));
      const definitionId = await publish({
        escalation: [
          { after: 'PT1H', action: 'notify' },
          { after: 'PT2H', action: 'notify', to: 'admins' },
        ],
      });
      const row = await launchProcess(ctx, admin, { definitionId });
      clock.set(at('2026-12-08T10:00'));
      await fireAllDue(ctx);
      await moveStage(ctx, anna, row.id, { state: 'done' });
      const left = await ctx.store.db
        .selectFrom('timers')
        .select('key')
        .where('process_id', '=', row.id)
        .where('kind', '=', 'escalate')
        .execute();
      expect(left).toEqual([]);
      clock.set(at('2026-12-09T10:00'));
      await fireAllDue(ctx);
      expect((await protocol(row.id, 'stage.escalated')).map((d) => d.step)).toEqual([1]);
    });

    it('given a pause, then the deadline waits and moves by the time paused', async () => {
      clock.set(at('2026-12-08T09:00'));
      const definitionId = await publish({ deadline: { duration: 'PT2H' } });
      const row = await launchProcess(ctx, admin, { definitionId });
      clock.set(at('2026-12-08T10:00'));
      await pauseProcess(ctx, admin, row.id, { for: 'PT5H' });
      expect((await processCard(ctx, admin, row.id)).stage.dueAt).toBeNull();
      clock.set(at('2026-12-08T13:00'));
      await resumeProcess(ctx, admin, row.id);
      expect(local((await processCard(ctx, admin, row.id)).stage.dueAt)).toBe('Tue 2026-12-08 14:00');
    });

    it('given a deputy, then a stage routed during the absence goes to the deputy acting for the employee and back after', async () => {
      clock.set(at('2026-12-10T09:00'));
      await createAbsence(ctx, anna, anna.id, {
        from: at('2026-12-10T09:00'),
        to: at('2026-12-11T09:00'),
        deputyId: vera.id,
      });
      const definitionId = await publish({});
      const row = await launchProcess(ctx, admin, { definitionId });
      const during = await processCard(ctx, admin, row.id);
      expect(during.stage.responsible?.id).toBe(vera.id);
      expect(during.stage.actingFor?.id).toBe(anna.id);
      clock.set(at('2026-12-11T09:00'));
      await fireAllDue(ctx);
      const back = await processCard(ctx, admin, row.id);
      expect(back.stage.responsible?.id).toBe(anna.id);
      expect(back.stage.actingFor).toBeNull();
      expect(await protocol(row.id, 'responsible.returned')).toHaveLength(1);
    });

    it('given an absence that moves open work, then the stage moves to the deputy when it starts', async () => {
      clock.set(at('2026-12-14T09:00'));
      const definitionId = await publish({});
      const row = await launchProcess(ctx, admin, { definitionId });
      expect(row.responsible_id).toBe(anna.id);
      await createAbsence(ctx, admin, anna.id, {
        from: at('2026-12-14T12:00'),
        to: at('2026-12-15T12:00'),
        deputyId: boris.id,
        moveOpenWork: true,
      });
      clock.set(at('2026-12-14T12:00'));
      await fireAllDue(ctx);
      expect((await processCard(ctx, admin, row.id)).stage.responsible?.id).toBe(boris.id);
      expect(await protocol(row.id, 'responsible.deputized')).toHaveLength(1);
      clock.set(at('2026-12-15T12:00'));
      await fireAllDue(ctx);
      expect((await processCard(ctx, admin, row.id)).stage.responsible?.id).toBe(anna.id);
    });

    it('given nobody listed is online, then the stage waits for the first to come online, or falls back to the first listed', async () => {
      clock.set(at('2026-12-16T09:00'));
      const waiting = await node(30 * MINUTE);
      const definitionId = await publish({});
      const first = await launchProcess(waiting, admin, { definitionId });
      expect(first.responsible_id).toBeNull();
      const second = await launchProcess(waiting, admin, { definitionId });
      presence.ids.add(boris.id);
      clock.set(at('2026-12-16T09:05'));
      await fireAllDue(waiting);
      const routed = await processCard(waiting, admin, first.id);
      expect(routed.stage.responsible?.id).toBe(boris.id);
      expect((await protocol(first.id, 'stage.routed'))[0]?.routing).toBe('came_online');
      expect((await processCard(waiting, admin, second.id)).stage.responsible?.id).toBe(boris.id);

      presence.ids.clear();
      const third = await launchProcess(waiting, admin, { definitionId });
      clock.set(at('2026-12-16T09:35') + HOUR);
      await fireAllDue(waiting);
      expect((await processCard(waiting, admin, third.id)).stage.responsible?.id).toBe(anna.id);
      expect((await protocol(third.id, 'stage.routed'))[0]?.routing).toBe('first_listed_after_wait');
    });
  });
}
