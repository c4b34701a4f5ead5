/**
 * Stage visits of many processes' steps written together: what `recordStageVisits` writes for one
 * step, for a batch of steps of distinct processes, as one statement per kind of write (the open
 * visits closed, the visits added) instead of a few per step.
 */

import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import { RollupDeltas } from './analytics-rollups.ts';
import type { StageVisitTable } from './schema.ts';
import {
  closedVisit,
  closeVisit,
  countEnd,
  openVisit,
  openVisitsOf,
  recordStageVisits,
  type StageVisitChange,
  type VisitOwner,
  type WorkingBetween,
  withWorkingTime,
} from './stage-visits.ts';
import type { Db } from './store.ts';

/** One step of one process: its changes, all at the moment `at`. */
export interface VisitStep {
  readonly owner: VisitOwner;
  readonly at: number;
  readonly changes: readonly StageVisitChange[];
  /** The working time of what the step closes (see recordStageVisits). */
  readonly working?: WorkingBetween | undefined;
}

type VisitRow = Insertable<StageVisitTable>;

interface Closing {
  readonly processId: string;
  readonly at: number;
  readonly change: Extract<StageVisitChange, { kind: 'leave' }>;
  readonly working: WorkingBetween | undefined;
}

const ROWS_PER_STATEMENT = 500;

/**
 * Applies the steps, each of a different process. A step whose changes re-key an open visit of
 * the table (a migration) is written alone by `recordStageVisits`; the others' closings of the
 * open visit in the table come first (they never touch a visit added here), then the added visits,
 * then what was closed and ended, and what is open now, is added to the analytics aggregates.
 */
export async function recordStageVisitsOfMany(tx: Db, steps: readonly VisitStep[]): Promise<void> {
  const closings: Closing[] = [];
  const added: VisitRow[] = [];
  const deltas = new RollupDeltas();
  for (const step of steps) {
    if (step.changes.length === 0) continue;
    const own: VisitRow[] = [];
    const plan: Closing[] = [];
    let alone = false;
    for (const change of step.changes) {
      const latest = own.at(-1);
      if (change.kind === 'enter') {
        own.push(openVisit(step.owner, change, step.at));
      } else if (latest && latest.left_by === null) {
        if (change.kind === 'leave') closeVisit(latest, change, step.at, step.working);
        else Object.assign(latest, { stage_key: change.stageKey, version: change.version });
      } else if (change.kind === 'leave') {
        plan.push({ processId: step.owner.processId, at: step.at, change, working: step.working });
      } else {
        alone = true;
      }
    }
    if (alone) await recordStageVisits(tx, step.owner, step.at, step.changes, step.working);
    else {
      for (const change of step.changes) countEnd(deltas, step.owner, change, step.at);
      closings.push(...plan);
      added.push(...own);
    }
  }
  for (let i = 0; i < closings.length; i += ROWS_PER_STATEMENT) {
    const chunk = closings.slice(i, i + ROWS_PER_STATEMENT);
    const open = new Map(
      (await openVisitsOf(tx, [...new Set(chunk.map((c) => c.processId))])).map((r) => [r.process_id, r]),
    );
    const values = [];
    for (const c of chunk) {
      const found = open.get(c.processId);
      if (!found) continue;
      deltas.open(found, -1);
      const row: VisitRow = { ...found };
      closeVisit(row, c.change, c.at, c.working);
      const closed = closedVisit(row);
      if (closed) deltas.visit(closed);
      values.push(
        sql`(${row.process_id}, cast(${row.visit} as integer), cast(${c.at} as bigint), ${c.change.by},
          cast(${row.result ?? null} as text), cast(${row.to_stage ?? null} as text),
          cast(${row.duration_ms ?? null} as bigint), cast(${row.working_ms ?? null} as bigint))`,
      );
    }
    if (values.length === 0) continue;
    await sql`
      with v (process_id, visit, at, left_by, result, to_stage, duration_ms, working_ms) as (values ${sql.join(values)})
      update stage_visits set left_at = v.at, left_by = v.left_by, result = v.result, to_stage = v.to_stage,
        duration_ms = v.duration_ms, working_ms = v.working_ms
      from v where stage_visits.process_id = v.process_id and stage_visits.visit = v.visit`.execute(tx);
  }
  for (let i = 0; i < added.length; i += ROWS_PER_STATEMENT) {
    await tx
      .insertInto('stage_visits')
      .values(withWorkingTime(added.slice(i, i + ROWS_PER_STATEMENT)))
      .execute();
  }
  for (const row of added) {
    const closed = closedVisit(row);
    if (closed) deltas.visit(closed);
    else deltas.open(row, 1);
  }
  await deltas.write(tx);
}
