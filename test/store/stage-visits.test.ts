/**
 * Stage visits as the engine writes them, one row per visit with exact times on a manual clock
 * (loops, end stages, a cancellation, an open visit); and the migration's fill from the protocol
 * gives the very same rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createEngineContext, type EngineContext } from '../../src/context.ts';
import { cancelProcess } from '../../src/engine/cancel-process.ts';
import { launchProcess } from '../../src/engine/launch.ts';
import { moveStage } from '../../src/engine/move-stage.ts';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { createDefinition, publishDefinition } from '../../src/services/definitions.ts';
import { createEmployee } from '../../src/services/employees.ts';
import { backfillStageVisits } from '../../src/store/migrations/006-flow-analytics.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2027, 2, 1, 9, 0);

for (const kind of STORES) {
  describe(`${kind}: stage visits`, () => {
    let db: TestDatabase;
    let store: Store;
    let ctx: EngineContext;
    let clock: ManualClock;
    let admin: Actor;
    let definitionId: string;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/t.db` });
      clock = new ManualClock(T0);
      ctx = createEngineContext({ store, clock });
      const employee = await createEmployee(ctx, {
        login: 'visits-admin',
        name: 'Admin',
        password: 'visits-password',
        role: 'admin',
      });
      admin = { id: employee.id, role: 'admin', name: employee.name };
      const def = await createDefinition(ctx, admin, {
        name: 'Loop',
        stages: [
          { key: 'call', name: 'Call', kind: 'start' },
          { key: 'offer', name: 'Offer', kind: 'normal' },
          { key: 'won', name: 'Won', kind: 'end' },
        ],
        transitions: [
          { from: 'call', to: 'offer', result: 'Agreed' },
          { from: 'offer', to: 'call', result: 'Rethink' },
          { from: 'offer', to: 'won', result: 'Signed' },
        ],
      });
      definitionId = def.id;
      await publishDefinition(ctx, admin, definitionId);
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    const rows = () =>
      store.db.selectFrom('stage_visits').selectAll().orderBy('process_id').orderBy('visit').execute();

    it('records each visit with its entry, its way out and its exact duration', async () => {
      const looped = await launchProcess(ctx, admin, { definitionId });
      const cancelled = await launchProcess(ctx, admin, { definitionId });
      clock.advance(10 * MINUTE);
      await moveStage(ctx, admin, looped.id, { state: 'done', result: 'Agreed' });
      clock.advance(20 * MINUTE);
      await moveStage(ctx, admin, looped.id, { state: 'done', result: 'Rethink' });
      await cancelProcess(ctx, admin, cancelled.id);
      clock.advance(5 * MINUTE);
      await moveStage(ctx, admin, looped.id, { state: 'done', result: 'Agreed' });
      clock.advance(7 * MINUTE);
      await moveStage(ctx, admin, looped.id, { state: 'done', result: 'Signed' });
      const open = await launchProcess(ctx, admin, { definitionId });

      const base = { definition_id: definitionId, version: 1 };
      const all = await rows();
      expect(all.filter((r) => r.process_id === looped.id)).toEqual([
        {
          ...base,
          process_id: looped.id,
          visit: 1,
          stage_key: 'call',
          entered_at: T0,
          left_at: T0 + 10 * MINUTE,
          left_by: 'transition',
          result: 'Agreed',
          to_stage: 'offer',
          duration_ms: 10 * MINUTE,
        },
        {
          ...base,
          process_id: looped.id,
          visit: 2,
          stage_key: 'offer',
          entered_at: T0 + 10 * MINUTE,
          left_at: T0 + 30 * MINUTE,
          left_by: 'transition',
          result: 'Rethink',
          to_stage: 'call',
          duration_ms: 20 * MINUTE,
        },
        {
          ...base,
          process_id: looped.id,
          visit: 3,
          stage_key: 'call',
          entered_at: T0 + 30 * MINUTE,
          left_at: T0 + 35 * MINUTE,
          left_by: 'transition',
          result: 'Agreed',
          to_stage: 'offer',
          duration_ms: 5 * MINUTE,
        },
        {
          ...base,
          process_id: looped.id,
          visit: 4,
          stage_key: 'offer',
          entered_at: T0 + 35 * MINUTE,
          left_at: T0 + 42 * MINUTE,
          left_by: 'transition',
          result: 'Signed',
          to_stage: 'won',
          duration_ms: 7 * MINUTE,
        },
        {
          ...base,
          process_id: looped.id,
          visit: 5,
          stage_key: 'won',
          entered_at: T0 + 42 * MINUTE,
          left_at: T0 + 42 * MINUTE,
          left_by: 'end',
          result: null,
          to_stage: null,
          duration_ms: 0,
        },
      ]);
      expect(all.filter((r) => r.process_id === cancelled.id)).toEqual([
        {
          ...base,
          process_id: cancelled.id,
          visit: 1,
          stage_key: 'call',
          entered_at: T0,
          left_at: T0 + 30 * MINUTE,
          left_by: 'cancel',
          result: null,
          to_stage: null,
          duration_ms: 30 * MINUTE,
        },
      ]);
      expect(all.filter((r) => r.process_id === open.id)).toEqual([
        {
          ...base,
          process_id: open.id,
          visit: 1,
          stage_key: 'call',
          entered_at: T0 + 42 * MINUTE,
          left_at: null,
          left_by: null,
          result: null,
          to_stage: null,
          duration_ms: null,
        },
      ]);
    });

    it('fills the same rows from the protocol as the engine wrote', async () => {
      const written = await rows();
      expect(written.length).toBeGreaterThan(0);
      await store.transaction((tx) => tx.deleteFrom('stage_visits').execute());
      expect(await rows()).toEqual([]);
      await store.transaction((tx) => backfillStageVisits(tx));
      expect(await rows()).toEqual(written);
    });
  });
}
