/**
 * Stage visits as the engine writes them, one row per visit with exact times on a manual clock
 * (loops, end stages, a cancellation, an open visit); and the migration's fill from the protocol
 * gives the very same rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createEngineContext, type EngineContext } from '../../src/context.ts';
import { bucketOf } from '../../src/domain/analytics/histogram.ts';
import { cancelProcess } from '../../src/engine/cancel-process.ts';
import { launchProcess } from '../../src/engine/launch.ts';
import { moveStage } from '../../src/engine/move-stage.ts';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { putCalendar } from '../../src/services/calendar.ts';
import { createDefinition, publishDefinition } from '../../src/services/definitions.ts';
import { createEmployee } from '../../src/services/employees.ts';
import { foldAnalyticsRollups, rebuildAnalyticsRollups } from '../../src/store/analytics-rollups.ts';
import { backfillStageVisits } from '../../src/store/migrations/006-flow-analytics.ts';
import { recordStageVisits } from '../../src/store/stage-visits.ts';
import { recordStageVisitsOfMany } from '../../src/store/stage-visits-batch.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const MINUTE = 60_000;

/**
 * Rows summed per key (all columns but `n` and `base`), in key order, counts as numbers; keys that
 * sum to nothing (a process counted running, then no longer) are left out, as a rebuild has none.
 */
function sumByKey<T extends { n: number | string; base: number }>(rows: readonly T[]) {
  const sums = new Map<string, Omit<T, 'base' | 'n'> & { n: number }>();
  for (const { base: _base, n, ...key } of rows) {
    const id = JSON.stringify(key);
    const found = sums.get(id);
    if (found) found.n += Number(n);
    else sums.set(id, { ...key, n: Number(n) });
  }
  return [...sums.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([, row]) => row)
    .filter((row) => row.n !== 0);
}
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
          working_ms: 10 * MINUTE,
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
          working_ms: 20 * MINUTE,
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
          working_ms: 5 * MINUTE,
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
          working_ms: 7 * MINUTE,
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
          working_ms: 0,
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
          working_ms: 30 * MINUTE,
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
          working_ms: null,
        },
      ]);
    });

    it('records the working time on the calendar in force when the visit is left', async () => {
      // Monday 2027-03-01: entered at 17:00 on a 09:00–18:00 calendar, left Tuesday at 10:30.
      await putCalendar(ctx, admin, {
        zone: 'UTC',
        workingDays: [1, 2, 3, 4, 5],
        hours: { from: '09:00', to: '18:00' },
        holidays: [],
        workingWeekends: [],
      });
      clock.set(Date.UTC(2027, 2, 1, 17, 0));
      const p = await launchProcess(ctx, admin, { definitionId });
      // The calendar changes while the process waits: the one in force when it leaves counts.
      await putCalendar(ctx, admin, {
        zone: 'UTC',
        workingDays: [1, 2, 3, 4, 5],
        hours: { from: '10:00', to: '17:00' },
        holidays: [],
        workingWeekends: [],
      });
      clock.set(Date.UTC(2027, 2, 2, 10, 30));
      await moveStage(ctx, admin, p.id, { state: 'done', result: 'Agreed' });
      const [call] = (await rows()).filter((r) => r.process_id === p.id);
      expect(call).toMatchObject({
        stage_key: 'call',
        duration_ms: 17.5 * 60 * MINUTE,
        working_ms: 30 * MINUTE,
      });
    });

    /** Each aggregate table summed per key (base and delta rows alike), in key order. */
    const aggregates = async () => ({
      visits: sumByKey(await store.db.selectFrom('analytics_visit_counts').selectAll().execute()),
      durations: sumByKey(await store.db.selectFrom('analytics_durations').selectAll().execute()),
      processes: sumByKey(await store.db.selectFrom('analytics_process_counts').selectAll().execute()),
    });
    const deltaRows = async () => {
      let n = 0;
      for (const table of [
        'analytics_visit_counts',
        'analytics_durations',
        'analytics_process_counts',
      ] as const) {
        const rows = await store.db.selectFrom(table).select('base').where('base', '=', 0).execute();
        n += rows.length;
      }
      return n;
    };

    it('keeps the analytics aggregates exactly as a rebuild from the rows makes them', async () => {
      const kept = await aggregates();
      // Two closed call visits of 10 and 5 minutes, the offer visits, the end, one cancellation.
      expect(kept.visits.find((r) => r.stage_key === 'call' && r.left_by === 'transition')).toMatchObject({
        result: 'Agreed',
        to_stage: 'offer',
      });
      // The two processes still running are counted too, as are their open visits.
      expect(kept.processes.map((r) => [r.status, Number(r.n)])).toEqual([
        ['active', 2],
        ['cancelled', 1],
        ['completed', 1],
      ]);
      const open = (await rows()).filter((r) => r.left_by === null);
      expect(open.length).toBe(2);
      expect(kept.visits.filter((r) => r.left_by === '').reduce((sum, r) => sum + r.n, 0)).toBe(open.length);
      const lead = kept.durations.filter((r) => r.measure === 'lead');
      expect(lead.map((r) => [r.grain, r.bucket, Number(r.n)])).toEqual([
        ['day', bucketOf(42 * MINUTE), 1],
        ['month', bucketOf(42 * MINUTE), 1],
      ]);
      expect(kept.durations.some((r) => r.measure === 'working')).toBe(true);
      // The engine appended deltas; folding them changes no sum and leaves none.
      const deltas = await deltaRows();
      expect(deltas).toBeGreaterThan(3);
      // One delta row per transaction and one transaction per table: one row of each folded.
      expect(await foldAnalyticsRollups(store, 1, 1)).toBe(3);
      expect(await deltaRows()).toBe(deltas - 3);
      expect(await aggregates()).toEqual(kept);
      expect(await foldAnalyticsRollups(store, 2)).toBe(deltas - 3);
      expect(await deltaRows()).toBe(0);
      expect(await aggregates()).toEqual(kept);
      await store.transaction(async (tx) => {
        await tx.deleteFrom('analytics_durations').execute();
        await rebuildAnalyticsRollups(tx, store.caps.name);
      });
      expect(await aggregates()).toEqual(kept);
    });

    it('fills the same rows from the protocol as the engine wrote (working time aside)', async () => {
      const written = await rows();
      expect(written.length).toBeGreaterThan(0);
      await store.transaction((tx) => tx.deleteFrom('stage_visits').execute());
      expect(await rows()).toEqual([]);
      await store.transaction((tx) => backfillStageVisits(tx));
      expect(await rows()).toEqual(written.map((r) => ({ ...r, working_ms: null })));
    });

    it('writes the visits of many steps at once, with their working time and their aggregates', async () => {
      const a = await launchProcess(ctx, admin, { definitionId });
      const b = await launchProcess(ctx, admin, { definitionId });
      clock.advance(10 * MINUTE);
      const at = clock.now();
      const before = await aggregates();
      const half = (from: number, to: number) => Math.floor((to - from) / 2);
      await store.transaction((tx) =>
        recordStageVisitsOfMany(tx, [
          {
            owner: { processId: a.id, definitionId, version: 1, startedAt: a.started_at },
            at,
            changes: [
              { kind: 'leave', by: 'transition', result: 'Agreed', to: 'offer' },
              { kind: 'enter', stageKey: 'offer', visit: 2 },
            ],
            working: half,
          },
          {
            owner: { processId: b.id, definitionId, version: 1, startedAt: b.started_at },
            at,
            changes: [{ kind: 'leave', by: 'cancel' }],
            working: half,
          },
        ]),
      );
      const all = await rows();
      expect(
        all
          .filter((r) => r.process_id === a.id)
          .map((r) => [r.visit, r.left_by, r.duration_ms, r.working_ms]),
      ).toEqual([
        [1, 'transition', 10 * MINUTE, 5 * MINUTE],
        [2, null, null, null],
      ]);
      expect(
        all
          .filter((r) => r.process_id === b.id)
          .map((r) => [r.visit, r.left_by, r.duration_ms, r.working_ms]),
      ).toEqual([[1, 'cancel', 10 * MINUTE, 5 * MINUTE]]);
      const after = await aggregates();
      const total = (list: { n: number }[]) => list.reduce((sum, r) => sum + r.n, 0);
      const open = (list: typeof after.visits) => list.filter((r) => r.left_by === '');
      const closed = (list: typeof after.visits) => list.filter((r) => r.left_by !== '');
      const ofStatus = (list: typeof after.processes, status: string) =>
        list.filter((r) => r.status === status);
      // Two closed visits; one timed visit in two histograms (wall, working) at two grains; one cancellation.
      expect(total(closed(after.visits)) - total(closed(before.visits))).toBe(2);
      // Two open visits closed, one entered.
      expect(total(open(after.visits)) - total(open(before.visits))).toBe(-1);
      expect(total(after.durations) - total(before.durations)).toBe(4);
      // The table of processes is not written here: the cancellation is counted, the process row
      // (still active) is counted running, as its triggers keep it.
      expect(
        total(ofStatus(after.processes, 'cancelled')) - total(ofStatus(before.processes, 'cancelled')),
      ).toBe(1);
      expect(total(ofStatus(after.processes, 'active')) - total(ofStatus(before.processes, 'active'))).toBe(
        0,
      );
      const working = after.durations.filter(
        (r) => r.measure === 'working' && r.bucket === bucketOf(5 * MINUTE),
      );
      expect(
        total(working) -
          total(before.durations.filter((r) => r.measure === 'working' && r.bucket === bucketOf(5 * MINUTE))),
      ).toBe(2);
    });

    it('closes the open visit as the table has it, whether or not the process row names it exactly', async () => {
      const named = await launchProcess(ctx, admin, { definitionId });
      const stale = await launchProcess(ctx, admin, { definitionId });
      clock.advance(10 * MINUTE);
      const at = clock.now();
      const before = await aggregates();
      const leave = { kind: 'leave', by: 'transition', result: 'Agreed', to: 'offer' } as const;
      const owner = (p: typeof named) => ({
        processId: p.id,
        definitionId,
        version: 1,
        startedAt: p.started_at,
      });
      await store.transaction(async (tx) => {
        // Named exactly: closed by its key.
        await recordStageVisits(
          tx,
          { ...owner(named), current: { visit: 1, stageKey: 'call', enteredAt: named.entered_at } },
          at,
          [leave],
        );
        // Named with another entry time than the table's: the table's open visit is closed all the same.
        await recordStageVisits(
          tx,
          { ...owner(stale), current: { visit: 1, stageKey: 'call', enteredAt: stale.entered_at - MINUTE } },
          at,
          [leave],
        );
      });
      const all = await rows();
      for (const p of [named, stale]) {
        expect(
          all
            .filter((r) => r.process_id === p.id)
            .map((r) => [r.visit, r.stage_key, r.entered_at, r.left_at, r.left_by, r.duration_ms]),
        ).toEqual([[1, 'call', p.entered_at, at, 'transition', at - p.entered_at]]);
      }
      const after = await aggregates();
      const total = (list: { n: number }[]) => list.reduce((sum, r) => sum + r.n, 0);
      const open = (list: typeof after.visits) => list.filter((r) => r.left_by === '');
      expect(total(after.visits) - total(before.visits)).toBe(0);
      expect(total(open(after.visits)) - total(open(before.visits))).toBe(-2);
      const agreed = (list: typeof after.visits) =>
        total(list.filter((r) => r.stage_key === 'call' && r.result === 'Agreed'));
      expect(agreed(after.visits) - agreed(before.visits)).toBe(2);
    });
  });
}
