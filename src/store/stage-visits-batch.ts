/**
 * Stage visits of many processes' steps written together: what `recordStageVisits` writes for one
 * step, for a batch of steps of distinct processes, as one statement per kind of write (the open
 * visits closed, the visits added) instead of a few per step.
 */

import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import type { StageVisitTable } from './schema.ts';
import {
  closeVisit,
  openVisit,
  recordStageVisits,
  type StageVisitChange,
  type VisitOwner,
} from './stage-visits.ts';
import type { Db } from './store.ts';

/** One step of one process: its changes, all at the moment `at`. */
export interface VisitStep {
  readonly owner: VisitOwner;
  readonly at: number;
  readonly changes: readonly StageVisitChange[];
}

type VisitRow = Insertable<StageVisitTable>;

interface Closing {
  readonly processId: string;
  readonly at: number;
  readonly by: string;
  readonly result: string | null;
  readonly to: string | null;
}

const ROWS_PER_STATEMENT = 500;

/**
 * Applies the steps, each of a different process. A step whose changes re-key an open visit of
 * the table (a migration) is written alone by `recordStageVisits`; the others' closings of the
 * open visit in the table come first (they never touch a visit added here), then the added visits.
 */
export async function recordStageVisitsOfMany(tx: Db, steps: readonly VisitStep[]): Promise<void> {
  const closings: Closing[] = [];
  const added: VisitRow[] = [];
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
        if (change.kind === 'leave') closeVisit(latest, change, step.at);
        else Object.assign(latest, { stage_key: change.stageKey, version: change.version });
      } else if (change.kind === 'leave') {
        plan.push({
          processId: step.owner.processId,
          at: step.at,
          by: change.by,
          result: change.by === 'transition' ? change.result : null,
          to: change.by === 'transition' ? change.to : null,
        });
      } else {
        alone = true;
      }
    }
    if (alone) await recordStageVisits(tx, step.owner, step.at, step.changes);
    else {
      closings.push(...plan);
      added.push(...own);
    }
  }
  for (let i = 0; i < closings.length; i += ROWS_PER_STATEMENT) {
    const values = closings
      .slice(i, i + ROWS_PER_STATEMENT)
      .map(
        (c) =>
          sql`(${c.processId}, cast(${c.at} as bigint), ${c.by}, cast(${c.result} as text), cast(${c.to} as text))`,
      );
    await sql`
      with v (process_id, at, left_by, result, to_stage) as (values ${sql.join(values)})
      update stage_visits set left_at = v.at, left_by = v.left_by, result = v.result, to_stage = v.to_stage,
        duration_ms = v.at - stage_visits.entered_at
      from v where stage_visits.process_id = v.process_id and stage_visits.left_by is null`.execute(tx);
  }
  for (let i = 0; i < added.length; i += ROWS_PER_STATEMENT) {
    await tx
      .insertInto('stage_visits')
      .values(added.slice(i, i + ROWS_PER_STATEMENT))
      .execute();
  }
}
