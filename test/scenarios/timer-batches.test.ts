/**
 * Timers fired in batches: a batch cut short by its time budget fires what it got to and leaves
 * the rest due, and every timer fires exactly once however the batches fall; a process with two
 * timers in one batch sees the first one's changes before the second (here a stale wait, ignored);
 * the protocol, the stage visits and the journal's counters read as if each fired alone.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineContext } from '../../src/context.ts';
import { fireAllDue, fireDueBatch } from '../../src/engine/fire-due.ts';
import { launchProcess } from '../../src/engine/launch.ts';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { createDefinition, publishDefinition } from '../../src/services/definitions.ts';
import { compactProcessCounts } from '../../src/store/process-counts.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createAdminActor } from '../support/actors.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const PROCESSES = 120;
const DAY = 24 * 60 * 60 * 1000;

for (const kind of STORES) {
  describe(`${kind}: timers fired in batches`, () => {
    let db: TestDatabase;
    let store: Store;
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 9));
    const ids: string[] = [];
    let definitionId: string;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/t.db` });
      const ctx = createEngineContext({ store, clock });
      const actor = await createAdminActor(ctx, 'boss', 'Boss');
      const def = await createDefinition(ctx, actor, {
        name: 'Sleep',
        stages: [
          { key: 'w', name: 'Wait', kind: 'start', wait: 'P1D' },
          { key: 'end', name: 'End', kind: 'end' },
        ],
        transitions: [{ from: 'w', to: 'end', result: 'Continue' }],
      });
      definitionId = def.id;
      await publishDefinition(ctx, actor, def.id);
      for (let i = 0; i < PROCESSES; i++) ids.push((await launchProcess(ctx, actor, { definitionId })).id);
      // A second, stale wait on the first process, due after its real one in the same batch.
      await store.db
        .insertInto('timers')
        .values({
          key: `wait:${ids[0]}:w:0`,
          kind: 'wait',
          process_id: ids[0] as string,
          due_at: clock.now() + DAY + 1,
          deferred: 0,
        })
        .execute();
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    const count = async (query: ReturnType<typeof sql<{ n: number | string }>>) =>
      Number((await query.execute(store.db)).rows[0]?.n ?? 0);

    it('fires what the budget allows, leaves the rest due, and fires each timer once', async () => {
      clock.advance(2 * DAY);
      const ctx = createEngineContext({ store, clock });
      // A spent budget: the batch stops after its first part and commits it.
      const first = await fireDueBatch(ctx, 500, { budgetMs: 0 });
      expect(first.claimed).toBe(PROCESSES + 1);
      expect(first.left).toBeGreaterThan(0);
      expect(first.fired + first.left).toBeLessThanOrEqual(PROCESSES + 1);
      expect(await count(sql`select count(*) as n from timers`)).toBe(first.left);
      expect(await count(sql`select count(*) as n from processes where status = 'completed'`)).toBe(
        first.fired,
      );

      const rest = await fireAllDue(ctx, 500);
      expect(first.fired + rest).toBe(PROCESSES);
      expect(await count(sql`select count(*) as n from timers`)).toBe(0);
      expect(await count(sql`select count(*) as n from processes where status = 'completed'`)).toBe(
        PROCESSES,
      );
      // Each process completed once, its one visit of the wait closed once.
      expect(await count(sql`select count(*) as n from protocol where action = 'process.completed'`)).toBe(
        PROCESSES,
      );
      expect(
        await count(
          sql`select count(*) as n from stage_visits where stage_key = 'w' and left_by = 'transition'`,
        ),
      ).toBe(PROCESSES);
      expect(await count(sql`select count(*) as n from stage_visits where left_by is null`)).toBe(0);
      // Firing again finds nothing.
      expect(await fireAllDue(ctx, 500)).toBe(0);
    });

    it('leaves the journal counters exact, before and after folding', async () => {
      const counters = sql<{ n: number | string }>`select coalesce(sum(n), 0) as n from process_counts
        where scope = '*' and definition_id = ${definitionId} and status = 'completed'`;
      const active = sql<{ n: number | string }>`select coalesce(sum(n), 0) as n from process_counts
        where scope = '*' and definition_id = ${definitionId} and status = 'active'`;
      expect(await count(counters)).toBe(PROCESSES);
      expect(await count(active)).toBe(0);
      await compactProcessCounts(store);
      expect(await count(counters)).toBe(PROCESSES);
      expect(await count(active)).toBe(0);
    });
  });
}
