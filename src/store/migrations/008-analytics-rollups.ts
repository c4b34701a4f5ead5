/**
 * Stage analytics at scale: working time on each closed visit, the pre-aggregated counts and
 * histograms (analytics-rollups.ts) filled from the visits and processes already recorded, and
 * indexes for what is still read from the raw rows.
 *
 * - `stage_visits_period` (definition, entry time): the visits of the partial days at the edges
 *   of a period;
 * - `stage_visits_timed` (definition, way out, stage, entry time, …, both durations): the visits
 *   still open, and the durations of one stage in a period when they are few enough to rank
 *   exactly. It replaces `stage_visits_durations` and `stage_visits_results`, which served the
 *   scans the aggregates now spare.
 *
 * Each aggregate table has a base row per key (`<table>_base`, unique) and delta rows appended by
 * the engine until the worker folds them (`<table>_deltas`).
 *
 * Visits closed before this migration keep no working time (the calendar then in force is not
 * known); working-time figures count the visits closed since.
 */
import { type Kysely, sql } from 'kysely';
import { ROLLUP_KEYS, rebuildAnalyticsRollups } from '../analytics-rollups.ts';
import type { DialectCapabilities } from '../capabilities.ts';
import type { Database } from '../schema.ts';
import { changeSchema } from './ddl.ts';

type Db = Kysely<unknown>;

export function m008(caps: DialectCapabilities) {
  return async (db: Db): Promise<void> => {
    const s = db.schema;
    const counted = { n: 'bigint not null', base: 'integer not null default 0' };
    const keyed = { definition_id: 'text not null', version: 'integer not null' };
    await changeSchema(db, {
      addColumns: { stage_visits: { working_ms: 'bigint' } },
      dropIndexes: ['stage_visits_durations', 'stage_visits_results'],
      tables: {
        analytics_visit_counts: {
          ...keyed,
          stage_key: 'text not null',
          day: 'integer not null',
          left_by: 'text not null',
          result: 'text not null',
          to_stage: 'text not null',
          ...counted,
        },
        analytics_durations: {
          ...keyed,
          stage_key: 'text not null',
          grain: 'text not null',
          period: 'integer not null',
          measure: 'text not null',
          bucket: 'integer not null',
          ...counted,
        },
        analytics_process_counts: { ...keyed, day: 'integer not null', status: 'text not null', ...counted },
      },
      indexes: {
        stage_visits_period: 'stage_visits (definition_id, entered_at)',
        stage_visits_timed:
          'stage_visits (definition_id, left_by, stage_key, entered_at, version, duration_ms, working_ms)',
      },
    });
    for (const [table, key] of Object.entries(ROLLUP_KEYS)) {
      await s
        .createIndex(`${table}_base`)
        .on(table)
        .columns([...key])
        .unique()
        .where(sql.ref('base'), '=', 1)
        .execute();
      await s
        .createIndex(`${table}_deltas`)
        .on(table)
        .column('definition_id')
        .where(sql.ref('base'), '=', 0)
        .execute();
    }
    await rebuildAnalyticsRollups(db as Kysely<Database>, caps.name);
    // PostgreSQL plans the new tables and indexes from statistics: gather them now rather than
    // wait for autovacuum (without them a join on the members of a process may be planned as a
    // nested loop over every visit). SQLite plans from its own rules and keeps no statistics here.
    if (caps.name === 'postgres') await sql`analyze`.execute(db);
  };
}
