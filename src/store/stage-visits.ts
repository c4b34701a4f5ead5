/**
 * Stage visits: a narrow fact table kept beside the protocol, so stage analytics read indexed
 * columns instead of parsing protocol details. It is derived from the protocol entries of one
 * step and written in the same transaction; the migration that created it filled it from the
 * protocol the same way.
 */
import type { Insertable } from 'kysely';
import type { StageVisitTable } from './schema.ts';
import type { Db } from './store.ts';

/** What a protocol entry means for stage visits, in the order the entries were recorded. */
export type StageVisitChange =
  | { readonly kind: 'enter'; readonly stageKey: string; readonly visit: number }
  | { readonly kind: 'leave'; readonly by: 'transition'; readonly result: string; readonly to: string }
  | { readonly kind: 'leave'; readonly by: 'end' | 'cancel' }
  | { readonly kind: 'rekey'; readonly stageKey: string; readonly version: number };

/** A protocol entry as written: its action and its details as JSON text. */
export interface ProtocolEntryText {
  readonly action: string;
  readonly details: string;
}

const VISIT_ACTIONS = new Set([
  'stage.entered',
  'transition',
  'process.completed',
  'process.cancelled',
  'process.migrated',
]);

/** The protocol actions that open, close or re-key a stage visit. */
export const STAGE_VISIT_ACTIONS: readonly string[] = [...VISIT_ACTIONS];

/** Reads the stage-visit changes out of protocol entries; other entries are skipped. */
export function stageVisitChanges(entries: readonly ProtocolEntryText[]): StageVisitChange[] {
  const changes: StageVisitChange[] = [];
  for (const entry of entries) {
    if (!VISIT_ACTIONS.has(entry.action)) continue;
    const d = JSON.parse(entry.details) as Record<string, unknown>;
    switch (entry.action) {
      case 'stage.entered':
        changes.push({ kind: 'enter', stageKey: String(d.stage), visit: Number(d.visit) });
        break;
      case 'transition':
        changes.push({ kind: 'leave', by: 'transition', result: String(d.result), to: String(d.to) });
        break;
      case 'process.completed':
        changes.push({ kind: 'leave', by: 'end' });
        break;
      case 'process.cancelled':
        changes.push({ kind: 'leave', by: 'cancel' });
        break;
      case 'process.migrated':
        changes.push({ kind: 'rekey', stageKey: String(d.to), version: Number(d.toVersion) });
        break;
    }
  }
  return changes;
}

/** Who the visits belong to. */
export interface VisitOwner {
  readonly processId: string;
  readonly definitionId: string;
  readonly version: number;
}

type VisitRow = Insertable<StageVisitTable>;

/** The row of a visit an enter at `at` opens. */
export function openVisit(
  owner: VisitOwner,
  change: Extract<StageVisitChange, { kind: 'enter' }>,
  at: number,
): VisitRow {
  return {
    process_id: owner.processId,
    visit: change.visit,
    definition_id: owner.definitionId,
    version: owner.version,
    stage_key: change.stageKey,
    entered_at: at,
    left_at: null,
    left_by: null,
    result: null,
    to_stage: null,
    duration_ms: null,
  };
}

/** Closes a visit row being written by a leave at `at`. */
export function closeVisit(
  row: VisitRow,
  change: Extract<StageVisitChange, { kind: 'leave' }>,
  at: number,
): void {
  row.left_at = at;
  row.left_by = change.by;
  row.duration_ms = at - row.entered_at;
  if (change.by === 'transition') {
    row.result = change.result;
    row.to_stage = change.to;
  }
}

/**
 * Applies one step's changes, all at the moment `at`: a leave closes the visit entered earlier
 * in the same step, or else the process's open visit in the table; an enter adds a visit.
 */
export async function recordStageVisits(
  tx: Db,
  owner: VisitOwner,
  at: number,
  changes: readonly StageVisitChange[],
): Promise<void> {
  if (changes.length === 0) return;
  const added: VisitRow[] = [];
  for (const change of changes) {
    const latest = added.at(-1);
    if (change.kind === 'enter') {
      added.push(openVisit(owner, change, at));
    } else if (latest && latest.left_by === null) {
      if (change.kind === 'leave') closeVisit(latest, change, at);
      else Object.assign(latest, { stage_key: change.stageKey, version: change.version });
    } else if (change.kind === 'leave') {
      await tx
        .updateTable('stage_visits')
        .set((eb) => ({
          left_at: at,
          left_by: change.by,
          result: change.by === 'transition' ? change.result : null,
          to_stage: change.by === 'transition' ? change.to : null,
          duration_ms: eb(eb.val(at), '-', eb.ref('entered_at')),
        }))
        .where('process_id', '=', owner.processId)
        .where('left_by', 'is', null)
        .execute();
    } else {
      await tx
        .updateTable('stage_visits')
        .set({ stage_key: change.stageKey, version: change.version })
        .where('process_id', '=', owner.processId)
        .where('left_by', 'is', null)
        .execute();
    }
  }
  if (added.length > 0) await tx.insertInto('stage_visits').values(added).execute();
}

/**
 * The visits of one process folded from its whole protocol (entries in the order written, each
 * with its time), for filling the table from an existing protocol.
 */
export function foldStageVisits(
  owner: VisitOwner,
  entries: readonly (ProtocolEntryText & { readonly at: number })[],
): VisitRow[] {
  const rows: VisitRow[] = [];
  for (const entry of entries) {
    const open = rows.at(-1);
    for (const change of stageVisitChanges([entry])) {
      if (change.kind === 'enter') {
        rows.push(openVisit(owner, change, entry.at));
      } else if (open && open.left_by === null) {
        if (change.kind === 'leave') closeVisit(open, change, entry.at);
        else open.stage_key = change.stageKey;
      }
    }
  }
  return rows;
}
