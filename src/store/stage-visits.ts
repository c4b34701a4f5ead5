/**
 * Stage visits: a narrow fact table kept beside the protocol, so stage analytics read indexed
 * columns instead of parsing protocol details. It is derived from the protocol entries of one
 * step and written in the same transaction; the migration that created it filled it from the
 * protocol the same way.
 */
import { CompiledQuery, type Insertable, type Selectable, SqliteAdapter, sql } from 'kysely';
import { type ClosedVisit, RollupDeltas } from './analytics-rollups.ts';
import type { CommandWrites } from './command-writes.ts';
import { runCompiledOnce } from './compiled-once.ts';
import { insertRows } from './insert-rows.ts';
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
  /** When the process was launched: with it, its end is counted in the analytics aggregates. */
  readonly startedAt?: number | undefined;
  /**
   * The visit the process was at before the step, as its row says (number, stage, entry): a leave
   * closes it by its key when the table's open visit is that one, without reading it first.
   */
  readonly current?: { readonly visit: number; readonly stageKey: string; readonly enteredAt: number };
}

/**
 * Working time in [a, b) on the business calendar in force (the engine's, from the domain); null
 * when it cannot be told.
 */
export type WorkingBetween = (a: number, b: number) => number | null;

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

/** Closes a visit row being written by a leave at `at`; with `working`, its working time too. */
export function closeVisit(
  row: VisitRow,
  change: Extract<StageVisitChange, { kind: 'leave' }>,
  at: number,
  working?: WorkingBetween,
): void {
  row.left_at = at;
  row.left_by = change.by;
  row.duration_ms = at - row.entered_at;
  if (working) row.working_ms = working(row.entered_at, at);
  if (change.by === 'transition') {
    row.result = change.result;
    row.to_stage = change.to;
  }
}

/** A visit row closed here, as the analytics aggregates count it. */
export function closedVisit(row: VisitRow): ClosedVisit | undefined {
  if (!row.left_by) return undefined;
  return {
    definition_id: row.definition_id,
    version: row.version,
    stage_key: row.stage_key,
    entered_at: row.entered_at,
    left_by: row.left_by,
    result: row.result ?? null,
    to_stage: row.to_stage ?? null,
    duration_ms: row.duration_ms ?? 0,
    working_ms: row.working_ms ?? null,
  };
}

/** Counts the end of the process a leave records (a completion or a cancellation), if it is one. */
export function countEnd(
  deltas: RollupDeltas,
  owner: VisitOwner,
  change: StageVisitChange,
  at: number,
): void {
  if (change.kind !== 'leave' || change.by === 'transition' || owner.startedAt === undefined) return;
  deltas.process({
    definitionId: owner.definitionId,
    version: owner.version,
    startedAt: owner.startedAt,
    endedAt: at,
    status: change.by === 'end' ? 'completed' : 'cancelled',
  });
}

/**
 * SQLite: the primary key's index of `stage_visits`, named for the read below. SQLite plans from
 * the statistics of the last ANALYZE; taken while the table was small they make a full scan look
 * cheaper than the key lookups, and the table grows with every closed visit, so each read of a
 * batch would scan all of it. PostgreSQL keeps its statistics current itself.
 */
const SQLITE_VISIT_KEY_INDEX = 'sqlite_autoindex_stage_visits_1';

/** The open visit rows of processes (one each), read before closing them; by key on either store. */
export async function openVisitsOf(
  tx: Db,
  processIds: readonly string[],
): Promise<Selectable<StageVisitTable>[]> {
  if (processIds.length === 0) return [];
  if (tx.getExecutor().adapter instanceof SqliteAdapter) {
    const marks = processIds.map(() => '?').join(', ');
    const text = `select * from "stage_visits" indexed by "${SQLITE_VISIT_KEY_INDEX}" where "process_id" in (${marks}) and "left_by" is null`;
    return (await tx.executeQuery<Selectable<StageVisitTable>>(CompiledQuery.raw(text, [...processIds])))
      .rows;
  }
  if (processIds.length === 1) {
    const result = await runCompiledOnce(tx, 'stage-visits:open-of-one', processIds, ([id]) =>
      tx
        .selectFrom('stage_visits')
        .selectAll()
        .where('process_id', '=', id as string)
        .where('left_by', 'is', null)
        .compile(),
    );
    return result.rows;
  }
  return tx
    .selectFrom('stage_visits')
    .selectAll()
    .where('process_id', 'in', processIds)
    .where('left_by', 'is', null)
    .execute();
}

/** The rows with `working_ms` stated on every one (null where unknown), so they share columns. */
export function withWorkingTime(rows: readonly VisitRow[]): VisitRow[] {
  return rows.map((r) => ({ ...r, working_ms: r.working_ms ?? null }));
}

/**
 * Writes how a visit row was closed (`closeVisit`): the update that closes `row`'s visit by its key (compiled once per shape); with `onlyIfOpenAsIs`
 * only while the visit is open and is exactly `row` (definition version, stage, entry time).
 * Answers how many rows it changed.
 */
async function writeClosedVisit(tx: Db, row: VisitRow, onlyIfOpenAsIs: boolean): Promise<number> {
  const closed = [
    row.left_at,
    row.left_by,
    row.result ?? null,
    row.to_stage ?? null,
    row.duration_ms ?? null,
    row.working_ms ?? null,
    row.process_id,
    row.visit,
  ];
  const values = onlyIfOpenAsIs
    ? [...closed, row.definition_id, row.version, row.stage_key, row.entered_at]
    : closed;
  const name = onlyIfOpenAsIs ? 'stage-visits:close-current' : 'stage-visits:close';
  const result = await runCompiledOnce(tx, name, values, (m) => {
    const byKey = tx
      .updateTable('stage_visits')
      .set({
        left_at: m[0] as never,
        left_by: m[1] as never,
        result: m[2] as never,
        to_stage: m[3] as never,
        duration_ms: m[4] as never,
        working_ms: m[5] as never,
      })
      .where('process_id', '=', m[6] as never)
      .where('visit', '=', m[7] as never);
    return (
      onlyIfOpenAsIs
        ? byKey
            .where('left_by', 'is', null)
            .where('definition_id', '=', m[8] as never)
            .where('version', '=', m[9] as never)
            .where('stage_key', '=', m[10] as never)
            .where('entered_at', '=', m[11] as never)
        : byKey
    ).compile();
  });
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Closes the open visit `owner.current` names, by its key, when the table's open visit is exactly
 * that one (same visit, definition version, stage and entry); answers the closed row, or undefined
 * when nothing matched (then the open visit is read and closed as usual).
 */
async function closeCurrentVisit(
  tx: Db,
  owner: VisitOwner,
  change: Extract<StageVisitChange, { kind: 'leave' }>,
  at: number,
  working: WorkingBetween | undefined,
): Promise<VisitRow | undefined> {
  const current = owner.current;
  if (!current) return undefined;
  const row: VisitRow = {
    process_id: owner.processId,
    visit: current.visit,
    definition_id: owner.definitionId,
    version: owner.version,
    stage_key: current.stageKey,
    entered_at: current.enteredAt,
    left_at: null,
    left_by: null,
    result: null,
    to_stage: null,
    duration_ms: null,
  };
  closeVisit(row, change, at, working);
  return (await writeClosedVisit(tx, row, true)) === 1 ? row : undefined;
}

/** The key of an open visit as it was: what the open visits' count held it under. */
type OpenVisitWas = Pick<StageVisitTable, 'definition_id' | 'version' | 'stage_key' | 'entered_at'>;

/**
 * Re-keys the process's open visit (a migration to another version) and answers it as it was
 * before: on PostgreSQL in one statement (the old row read in the update's own `from`), on SQLite
 * read and then updated.
 */
async function rekeyOpenVisit(
  tx: Db,
  processId: string,
  change: Extract<StageVisitChange, { kind: 'rekey' }>,
): Promise<OpenVisitWas[]> {
  if (tx.getExecutor().adapter instanceof SqliteAdapter) {
    const open = await openVisitsOf(tx, [processId]);
    await tx
      .updateTable('stage_visits')
      .set({ stage_key: change.stageKey, version: change.version })
      .where('process_id', '=', processId)
      .where('left_by', 'is', null)
      .execute();
    return open;
  }
  const { rows } = await sql<OpenVisitWas>`
    update stage_visits v set stage_key = ${change.stageKey}, version = ${change.version}
    from (select process_id, visit, definition_id, version, stage_key, entered_at from stage_visits
          where process_id = ${processId} and left_by is null) o
    where v.process_id = o.process_id and v.visit = o.visit
    returning o.definition_id, o.version, o.stage_key, o.entered_at`.execute(tx);
  return rows;
}

/**
 * Applies one step's changes, all at the moment `at`: a leave closes the visit entered earlier
 * in the same step, or else the process's open visit in the table; an enter adds a visit. What
 * was closed (and the end of the process) and what is open now is added to the analytics
 * aggregates in the same transaction. `working` gives the working time of what is closed. With `writes`, the rows added
 * are held there, to be written with the command's other writes.
 */
export async function recordStageVisits(
  tx: Db,
  owner: VisitOwner,
  at: number,
  changes: readonly StageVisitChange[],
  working?: WorkingBetween,
  writes?: CommandWrites,
): Promise<void> {
  if (changes.length === 0) return;
  const added: VisitRow[] = [];
  const deltas = new RollupDeltas();
  for (const change of changes) {
    countEnd(deltas, owner, change, at);
    const latest = added.at(-1);
    if (change.kind === 'enter') {
      added.push(openVisit(owner, change, at));
    } else if (latest && latest.left_by === null) {
      if (change.kind === 'leave') closeVisit(latest, change, at, working);
      else Object.assign(latest, { stage_key: change.stageKey, version: change.version });
    } else if (change.kind === 'leave') {
      const closedNow = await closeCurrentVisit(tx, owner, change, at, working);
      if (closedNow) {
        deltas.open(closedNow, -1);
        const closed = closedVisit(closedNow);
        if (closed) deltas.visit(closed);
        continue;
      }
      for (const open of await openVisitsOf(tx, [owner.processId])) {
        deltas.open(open, -1);
        const row: VisitRow = { ...open };
        closeVisit(row, change, at, working);
        await writeClosedVisit(tx, row, false);
        const closed = closedVisit(row);
        if (closed) deltas.visit(closed);
      }
    } else {
      for (const open of await rekeyOpenVisit(tx, owner.processId, change)) {
        deltas.open(open, -1);
        deltas.open({ ...open, stage_key: change.stageKey, version: change.version }, 1);
      }
    }
  }
  const rows = withWorkingTime(added);
  if (writes) writes.insert('stage_visits', rows, (db) => insertRows(db, 'stage_visits', rows));
  else await insertRows(tx, 'stage_visits', rows);
  for (const row of added) {
    const closed = closedVisit(row);
    if (closed) deltas.visit(closed);
    else deltas.open(row, 1);
  }
  await deltas.write(tx, writes);
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
