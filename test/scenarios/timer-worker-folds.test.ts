/**
 * The timer worker's folds stand apart: when folding the journal's status counters fails, the
 * analytics deltas are folded all the same, and each failure is logged on its own.
 */
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngineContext } from '../../src/context.ts';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { TimerWorker } from '../../src/scheduler/timer-worker.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

vi.mock('../../src/store/process-counts.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/store/process-counts.ts')>()),
  compactProcessCounts: async () => {
    throw new Error('status counters unavailable');
  },
}));

for (const kind of STORES) {
  describe(`${kind}: the timer worker's folds`, () => {
    let db: TestDatabase;
    let store: Store;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/t.db` });
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it('folds the analytics deltas when folding the status counters fails', async () => {
      const delta = { definition_id: 'd', version: 1, day: 20_000, status: 'completed' as const, base: 0 };
      await store.transaction((tx) =>
        tx
          .insertInto('analytics_process_counts')
          .values([
            { ...delta, n: 2 },
            { ...delta, n: 3 },
          ])
          .execute(),
      );
      const warn = vi.fn();
      const log = { warn, error: vi.fn(), info: vi.fn(), debug: vi.fn() } as unknown as Logger;
      const ctx = createEngineContext({ store, clock: new ManualClock(Date.UTC(2026, 0, 5)), log });
      await new TimerWorker(ctx, { foldIntervalMs: 0 }).drain();
      const rows = await store.db
        .selectFrom('analytics_process_counts')
        .select(['n', 'base'])
        .where('definition_id', '=', 'd')
        .execute();
      expect(rows.map((r) => [Number(r.n), Number(r.base)])).toEqual([[5, 1]]);
      expect(warn.mock.calls.map((call) => call[1])).toEqual(['status counters not folded']);
    });
  });
}
