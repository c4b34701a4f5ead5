import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineContext, type EngineContext } from '../../src/context.ts';
import { waitTimerKey } from '../../src/domain/process/step.ts';
import { fireAllDue, moveClockAndFire } from '../../src/engine/fire-due.ts';
import { launchProcess } from '../../src/engine/launch.ts';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { TimerWorker } from '../../src/scheduler/timer-worker.ts';
import { createDefinition, publishDefinition } from '../../src/services/definitions.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createAdminActor } from '../support/actors.ts';
import { startTestServer } from '../support/server.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const WAIT_BODY = {
  stages: [
    { key: 'w', name: 'Wait', kind: 'start' as const, wait: 'P1D' },
    { key: 'end', name: 'End', kind: 'end' as const },
  ],
  transitions: [{ from: 'w', to: 'end', result: 'Continue' }],
};

async function openFor(db: TestDatabase): Promise<Store> {
  return openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/stageflow.db` });
}

for (const kind of STORES) {
  describe(`${kind}: durable timers`, () => {
    it('fires waits that fell due while the server was down, once, at start-up', async () => {
      const t = await startTestServer(kind);
      const def = await t.admin.post('/api/definitions', { name: 'Sleep', ...WAIT_BODY });
      await t.admin.post(`/api/definitions/${def.body.id}/publish`);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.push((await t.admin.post('/api/processes', { definitionId: def.body.id })).body.id);
      await t.stop();

      // Two days pass while no node runs.
      const store = await openFor(t.database);
      const offset = await store.db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', 'test_clock_offset')
        .executeTakeFirst();
      const twoDays = 2 * 24 * 3600 * 1000;
      await store.db
        .insertInto('settings')
        .values({ key: 'test_clock_offset', value: String(Number(offset?.value ?? 0) + twoDays) })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({ value: String(Number(offset?.value ?? 0) + twoDays) }),
        )
        .execute();
      await store.close();

      for (let restart = 0; restart < 2; restart++) {
        const again = await startTestServer(kind, {}, t.database);
        await again.server.worker.drain();
        for (const id of ids) {
          const card = (await again.admin.get(`/api/processes/${id}`)).body;
          expect(card.status).toBe('completed');
          const protocol = (await again.admin.get(`/api/processes/${id}/protocol`)).body.items;
          expect(protocol.filter((i: any) => i.action === 'wait.elapsed')).toHaveLength(1);
        }
        await again.stop();
      }
      await t.database.drop();
    });

    describe('the engine and the scheduler on one manual clock', () => {
      let db: TestDatabase;
      let store: Store;
      let ctx: EngineContext;
      let clock: ManualClock;

      beforeAll(async () => {
        db = await createTestDatabase(kind);
        store = await openFor(db);
        clock = new ManualClock(Date.UTC(2026, 0, 31, 9, 0));
        ctx = createEngineContext({ store, clock, zone: 'Europe/Berlin' });
      });
      afterAll(async () => {
        await store?.close();
        await db?.drop();
      });

      it('wakes a one-month wait on the calendar date, not after 30 days', async () => {
        const actor = await createAdminActor(ctx, 'root', 'Root');
        const def = await createDefinition(ctx, actor, {
          name: 'Month',
          stages: [
            { key: 'w', name: 'Wait', kind: 'start', wait: 'P1M' },
            { key: 'end', name: 'End', kind: 'end' },
          ],
          transitions: WAIT_BODY.transitions,
        });
        await publishDefinition(ctx, actor, def.id);
        const row = await launchProcess(ctx, actor, { definitionId: def.id });
        const timer = await store.db
          .selectFrom('timers')
          .selectAll()
          .where('process_id', '=', row.id)
          .executeTakeFirstOrThrow();
        expect(timer.key).toBe(waitTimerKey(row.id, 'w', 1));
        // 31 January + 1 month = 28 February, same wall-clock time in Berlin.
        expect(new Date(timer.due_at).toISOString()).toBe('2026-02-28T09:00:00.000Z');

        clock.set(Date.UTC(2026, 1, 28, 8, 59));
        expect(await fireAllDue(ctx)).toBe(0);
        clock.set(Date.UTC(2026, 1, 28, 9, 0));
        expect(await fireAllDue(ctx)).toBe(1);
        expect(await fireAllDue(ctx)).toBe(0);
        const after = await store.db
          .selectFrom('processes')
          .selectAll()
          .where('id', '=', row.id)
          .executeTakeFirstOrThrow();
        expect(after.status).toBe('completed');
      });

      it('counts what a clock move brought due when the worker fired it before the call could', async () => {
        const actor = await createAdminActor(ctx, 'mover', 'Mover');
        const def = await createDefinition(ctx, actor, { name: 'Day', ...WAIT_BODY });
        await publishDefinition(ctx, actor, def.id);
        const rows = [
          await launchProcess(ctx, actor, { definitionId: def.id }),
          await launchProcess(ctx, actor, { definitionId: def.id }),
        ];
        const from = clock.now();
        const to = from + 24 * 3600 * 1000;
        // Between the move and the call's own claim, the worker fires both.
        const firedMeanwhile: number[] = [];
        const fired = await moveClockAndFire(ctx, from, to, async () => {
          clock.set(to);
          firedMeanwhile.push(await fireAllDue(ctx));
        });
        expect(firedMeanwhile).toEqual([2]);
        expect(fired).toBe(2);
        for (const row of rows) {
          const after = await store.db
            .selectFrom('processes')
            .select('status')
            .where('id', '=', row.id)
            .executeTakeFirstOrThrow();
          expect(after.status).toBe('completed');
        }
        // Nothing more falls due the next day: none is counted.
        expect(
          await moveClockAndFire(ctx, to, to + 24 * 3600 * 1000, async () =>
            clock.set(to + 24 * 3600 * 1000),
          ),
        ).toBe(0);
      });
    });
  });
}

if (STORES.includes('postgres')) {
  describe('postgres: three engine nodes, 10,000 timers due at once', () => {
    const N = 10_000;
    let db: TestDatabase;
    let stores: Store[] = [];

    beforeAll(async () => {
      db = await createTestDatabase('postgres');
    });
    afterAll(async () => {
      for (const s of stores) await s.close();
      await db?.drop();
    });

    it('fires each exactly once, none lost', { timeout: 240_000 }, async () => {
      stores = [await openFor(db), await openFor(db), await openFor(db)];
      const first = stores[0] as Store;
      const clock = new ManualClock(Date.UTC(2026, 5, 1));
      const seedCtx = createEngineContext({ store: first, clock });
      const actor = await createAdminActor(seedCtx, 'root', 'Root');
      const def = await createDefinition(seedCtx, actor, { name: 'Sleep', ...WAIT_BODY });
      await publishDefinition(seedCtx, actor, def.id);
      // One process through the engine, then 9,999 copies of its rows: all waiting on 'w', visit 1.
      const model = await launchProcess(seedCtx, actor, { definitionId: def.id });
      const row = await first.db
        .selectFrom('processes')
        .selectAll()
        .where('id', '=', model.id)
        .executeTakeFirstOrThrow();
      await first.db.deleteFrom('timers').execute();
      const ids = [model.id, ...Array.from({ length: N - 1 }, () => seedCtx.newId())];
      for (let i = 0; i < N; i += 1000) {
        const slice = ids.slice(i, i + 1000);
        const copies = slice.filter((id) => id !== model.id).map((id) => ({ ...row, id }));
        if (copies.length > 0) await first.db.insertInto('processes').values(copies).execute();
        await first.db
          .insertInto('timers')
          .values(
            slice.map((id) => ({
              key: waitTimerKey(id, 'w', 1),
              kind: 'wait' as const,
              process_id: id,
              due_at: clock.now(),
              deferred: 0,
            })),
          )
          .execute();
      }
      clock.advance(1);

      const nodes = stores.map(
        (store) => new TimerWorker(createEngineContext({ store, clock }), { batchSize: 200 }),
      );
      const fired = await Promise.all(nodes.map((n) => n.drain()));
      expect(fired.reduce((a, b) => a + b, 0)).toBe(N);
      // Every node took a share.
      for (const f of fired) expect(f).toBeGreaterThan(0);

      const perProcess = await first.db
        .selectFrom('protocol')
        .select(['process_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('action', '=', 'wait.elapsed')
        .groupBy('process_id')
        .execute();
      expect(perProcess).toHaveLength(N);
      expect(perProcess.every((r) => Number(r.n) === 1)).toBe(true);
      const left = await first.db
        .selectFrom('timers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(left.n)).toBe(0);
      const completed = await first.db
        .selectFrom('processes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'completed')
        .executeTakeFirstOrThrow();
      expect(Number(completed.n)).toBe(N);
    });
  });
}
