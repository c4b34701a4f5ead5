/**
 * A database that already holds stage visits and processes when the analytics aggregates arrive:
 * the migrations fill them from the rows there (visits closed before it keep no working time; the
 * open visits and running processes too, since migration 012), and the analytics answer from them
 * at once.
 */
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineContext } from '../../src/context.ts';
import { bucketOf } from '../../src/domain/analytics/histogram.ts';
import { stageAnalytics } from '../../src/queries/analytics.ts';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { openSqlite } from '../../src/store/sqlite.ts';
import { migrate, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** 2027-01-30 12:00 UTC: two days before a month ends, so the visits span two months. */
const T = Date.UTC(2027, 0, 30, 12);

const BODY = JSON.stringify({
  stages: [
    { key: 'call', name: 'Call', kind: 'start' },
    { key: 'won', name: 'Won', kind: 'end' },
  ],
  transitions: [{ from: 'call', to: 'won', result: 'Signed' }],
});

for (const kind of STORES) {
  describe(`${kind}: the analytics migration on a database with visits`, () => {
    let database: TestDatabase;
    let store: Store;

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      store = database.databaseUrl
        ? openPostgres(database.databaseUrl, 2)
        : openSqlite(path.join(database.dataDir, 'stageflow.db'));
      const migrator = new Migrator({ db: store.db, provider: migrationProvider(store.caps) });
      const before = await migrator.migrateTo('007_running_version_index');
      expect(before.error).toBeUndefined();
      const db = store.db;
      await sql`insert into employees (id, login, name, role, password_hash, active, created_at)
        values ('e-admin', 'admin', 'Admin', 'admin', 'x', 1, ${T})`.execute(db);
      await sql`insert into definitions (id, name, description, draft, status, version, draft_changed, created_at, updated_at)
        values ('d1', 'Deal', '', ${BODY}, 'published', 1, 0, ${T}, ${T})`.execute(db);
      await sql`insert into definition_versions (definition_id, version, name, body, published_at, published_by)
        values ('d1', 1, 'Deal', ${BODY}, ${T}, 'e-admin')`.execute(db);
      // p1 signed after 1 h, p2 after 3 days (entered in January, left in February), p3 still calling.
      const processes: [string, string, number, number | null][] = [
        ['p1', 'completed', T, T + HOUR],
        ['p2', 'completed', T + HOUR, T + HOUR + 3 * DAY],
        ['p3', 'active', T + 2 * HOUR, null],
      ];
      for (const [id, status, started, completed] of processes) {
        await sql`insert into processes (id, definition_id, definition_version, status, stage_key, stage_state,
            visit, responsible_id, entered_at, note, counterparty_id, initiator_id, parent_id, paused_until,
            started_at, updated_at, completed_at, version)
          values (${id}, 'd1', 1, ${status}, 'call', 'in_progress', 1, null, ${started}, '', null,
            'e-admin', null, null, ${started}, ${started}, ${completed}, 1)`.execute(db);
        const left = completed;
        await sql`insert into stage_visits (process_id, visit, definition_id, version, stage_key, entered_at,
            left_at, left_by, result, to_stage, duration_ms)
          values (${id}, 1, 'd1', 1, 'call', ${started}, ${left}, ${left === null ? null : 'transition'},
            ${left === null ? null : 'Signed'}, ${left === null ? null : 'won'},
            ${left === null ? null : left - started})`.execute(db);
        if (left !== null) {
          await sql`insert into stage_visits (process_id, visit, definition_id, version, stage_key, entered_at,
              left_at, left_by, result, to_stage, duration_ms)
            values (${id}, 2, 'd1', 1, 'won', ${left}, ${left}, 'end', null, null, 0)`.execute(db);
        }
      }
      await migrate(store);
    });
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });

    it('fills the aggregates from the visits and processes already there', async () => {
      const counts = await store.db
        .selectFrom('analytics_visit_counts')
        .select(['stage_key', 'left_by', 'result', 'to_stage', 'day', 'n', 'base'])
        .orderBy('stage_key')
        .orderBy('day')
        .orderBy('left_by')
        .execute();
      expect(counts.map((r) => ({ ...r, n: Number(r.n) }))).toEqual([
        // p3's visit, still open.
        {
          stage_key: 'call',
          left_by: '',
          result: '',
          to_stage: '',
          day: Math.floor(T / DAY),
          n: 1,
          base: 1,
        },
        {
          stage_key: 'call',
          left_by: 'transition',
          result: 'Signed',
          to_stage: 'won',
          day: Math.floor(T / DAY),
          n: 2,
          base: 1,
        },
        {
          stage_key: 'won',
          left_by: 'end',
          result: '',
          to_stage: '',
          day: Math.floor((T + HOUR) / DAY),
          n: 1,
          base: 1,
        },
        {
          stage_key: 'won',
          left_by: 'end',
          result: '',
          to_stage: '',
          day: Math.floor((T + HOUR + 3 * DAY) / DAY),
          n: 1,
          base: 1,
        },
      ]);
      const durations = await store.db
        .selectFrom('analytics_durations')
        .select(['stage_key', 'grain', 'period', 'measure', 'bucket', 'n'])
        .orderBy('stage_key')
        .orderBy('measure')
        .orderBy('grain')
        .orderBy('bucket')
        .execute();
      const day = Math.floor(T / DAY);
      const january = Date.UTC(2027, 0, 1) / DAY;
      expect(durations.map((r) => ({ ...r, n: Number(r.n) }))).toEqual([
        { stage_key: '', grain: 'day', period: day, measure: 'lead', bucket: bucketOf(HOUR), n: 1 },
        { stage_key: '', grain: 'day', period: day, measure: 'lead', bucket: bucketOf(3 * DAY), n: 1 },
        { stage_key: '', grain: 'month', period: january, measure: 'lead', bucket: bucketOf(HOUR), n: 1 },
        { stage_key: '', grain: 'month', period: january, measure: 'lead', bucket: bucketOf(3 * DAY), n: 1 },
        // No working time is known for visits closed before the migration.
        { stage_key: 'call', grain: 'day', period: day, measure: 'wall', bucket: bucketOf(HOUR), n: 1 },
        { stage_key: 'call', grain: 'day', period: day, measure: 'wall', bucket: bucketOf(3 * DAY), n: 1 },
        { stage_key: 'call', grain: 'month', period: january, measure: 'wall', bucket: bucketOf(HOUR), n: 1 },
        {
          stage_key: 'call',
          grain: 'month',
          period: january,
          measure: 'wall',
          bucket: bucketOf(3 * DAY),
          n: 1,
        },
      ]);
      const processes = await store.db
        .selectFrom('analytics_process_counts')
        .select(['status', 'day', 'n'])
        .orderBy('status')
        .execute();
      expect(processes.map((r) => ({ ...r, n: Number(r.n) }))).toEqual([
        { status: 'active', day, n: 1 },
        { status: 'completed', day, n: 2 },
      ]);
      const visits = await store.db.selectFrom('stage_visits').select('working_ms').execute();
      expect(visits.every((v) => v.working_ms === null)).toBe(true);
    });

    it('answers the analytics from them', async () => {
      const ctx = createEngineContext({ store, clock: new ManualClock(T + 10 * DAY) });
      const answer = await stageAnalytics(
        ctx,
        { id: 'e-admin', role: 'admin', name: 'Admin' },
        { definitionId: 'd1' },
      );
      expect(answer).toMatchObject({ launched: 3, completed: 2, cancelled: 0 });
      const [call, won] = answer.stages;
      expect(call).toMatchObject({ key: 'call', entered: 3, completed: 2, now: 1 });
      // Two visits: ranked exactly, interpolated halfway.
      expect(call?.medianMs).toBe(Math.round((HOUR + 3 * DAY) / 2));
      expect(call?.workingMedianMs).toBeNull();
      expect(won).toMatchObject({ key: 'won', entered: 2, completed: 2, now: 0 });
      expect(answer.leadTimeMedianMs).toBe(Math.round((HOUR + 3 * DAY) / 2));
    });
  });
}
