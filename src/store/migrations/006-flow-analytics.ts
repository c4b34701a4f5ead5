/**
 * Stage analytics: the `stage_visits` fact table (one row per stage visit, written by the engine
 * with the protocol entries that record the visit), its two covering indexes, an index on the
 * processes of a definition by launch time, and the table filled from the existing protocol.
 *
 * `stage_visits_durations` answers the time-in-stage percentiles: within one definition and stage
 * the visits left through a transition are in duration order, so the k-th one is an index offset.
 * `stage_visits_results` answers every count in one ordered pass (entered, left, in it now, per
 * result). Both end in the entry time and the version, the period and version filters.
 *
 * Visits filled from the protocol take the version the process is on now.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';
import { foldStageVisits, STAGE_VISIT_ACTIONS } from '../stage-visits.ts';
import { changeSchema } from './ddl.ts';

type Db = Kysely<unknown>;

const BACKFILL_BATCH = 500;

/** Fills `stage_visits` from the protocol of every process (the table must be empty). */
export async function backfillStageVisits(db: Kysely<Database>): Promise<void> {
  let after = '';
  for (;;) {
    const processes = await db
      .selectFrom('processes')
      .select(['id', 'definition_id', 'definition_version'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BACKFILL_BATCH)
      .execute();
    const last = processes.at(-1);
    if (!last) return;
    after = last.id;
    const entries = await db
      .selectFrom('protocol')
      .select(['process_id', 'at', 'action', 'details'])
      .where(
        'process_id',
        'in',
        processes.map((p) => p.id),
      )
      .where('action', 'in', [...STAGE_VISIT_ACTIONS])
      .orderBy('process_id')
      .orderBy('id')
      .execute();
    const byProcess = new Map<string, typeof entries>();
    for (const entry of entries) {
      const list = byProcess.get(entry.process_id);
      if (list) list.push(entry);
      else byProcess.set(entry.process_id, [entry]);
    }
    const rows = processes.flatMap((p) =>
      foldStageVisits(
        { processId: p.id, definitionId: p.definition_id, version: p.definition_version },
        byProcess.get(p.id) ?? [],
      ),
    );
    for (let i = 0; i < rows.length; i += BACKFILL_BATCH) {
      await db
        .insertInto('stage_visits')
        .values(rows.slice(i, i + BACKFILL_BATCH))
        .execute();
    }
  }
}

export function m006() {
  return async (db: Db): Promise<void> => {
    await changeSchema(db, {
      tables: {
        stage_visits: {
          process_id: 'text not null',
          visit: 'integer not null',
          definition_id: 'text not null',
          version: 'integer not null',
          stage_key: 'text not null',
          entered_at: 'bigint not null',
          left_at: 'bigint',
          left_by: 'text',
          result: 'text',
          to_stage: 'text',
          duration_ms: 'bigint',
        },
      },
      primaryKeys: { stage_visits: ['process_id', 'visit'] },
    });
    await backfillStageVisits(db as Kysely<Database>);
    await changeSchema(db, {
      indexes: {
        stage_visits_durations:
          'stage_visits (definition_id, stage_key, left_by, duration_ms, entered_at, version)',
        stage_visits_results:
          'stage_visits (definition_id, stage_key, left_by, result, to_stage, entered_at, version)',
      },
    });
    // The processes of a definition by status; within a status by lead time, so the median lead
    // time of the completed ones is an index offset too.
    await sql`create index processes_analytics on processes
      (definition_id, status, (completed_at - started_at), started_at, definition_version)`.execute(db);
  };
}
