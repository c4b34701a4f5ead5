/** Absences and the deputies who stand in for absent employees; the rows are their own timers. */
import type { Selectable } from 'kysely';
import type { AbsenceTable } from './schema.ts';
import type { Db } from './store.ts';

export type AbsenceRow = Selectable<AbsenceTable>;

export async function insertAbsence(db: Db, row: AbsenceRow): Promise<void> {
  await db.insertInto('absences').values(row).execute();
}

export async function findAbsence(db: Db, id: string): Promise<AbsenceRow | undefined> {
  return db.selectFrom('absences').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The absences that have not ended by `now` (of one employee, or everyone's), soonest first. */
export async function unendedAbsences(
  db: Db,
  now: number,
  options: { readonly employeeId?: string | undefined; readonly limit: number },
): Promise<AbsenceRow[]> {
  let q = db.selectFrom('absences').selectAll().where('to_at', '>', now);
  if (options.employeeId !== undefined) q = q.where('employee_id', '=', options.employeeId);
  return q.orderBy('from_at').orderBy('id').limit(options.limit).execute();
}

/** Whether another absence of the employee overlaps [from, to). */
export async function overlapsAbsence(
  db: Db,
  employeeId: string,
  from: number,
  to: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('absences')
    .select('id')
    .where('employee_id', '=', employeeId)
    .where('from_at', '<', to)
    .where('to_at', '>', from)
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteAbsence(db: Db, id: string): Promise<void> {
  await db.deleteFrom('absences').where('id', '=', id).execute();
}

/** Ends an absence early: it ends at `now` (the worker then gives the stages back). */
export async function endAbsenceAt(db: Db, id: string, now: number): Promise<void> {
  await db
    .updateTable('absences')
    .set({ to_at: now })
    .where('id', '=', id)
    .where('to_at', '>', now)
    .execute();
}

/**
 * The deputy of every employee absent at `now` (or of these employees only). Absences at any one
 * moment are few: the whole set is one small indexed read.
 */
export async function deputiesAt(
  db: Db,
  employeeIds: readonly string[] | undefined,
  now: number,
): Promise<Map<string, string>> {
  if (employeeIds?.length === 0) return new Map();
  let q = db
    .selectFrom('absences')
    .select(['employee_id', 'deputy_id'])
    .where('to_at', '>', now)
    .where('from_at', '<=', now);
  if (employeeIds) q = q.where('employee_id', 'in', [...employeeIds]);
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.employee_id, r.deputy_id]));
}

/** Each edge of an absence: the column that marks it applied, and the column of when it falls due. */
const EDGES = {
  start: { applied: 'started_at', due: 'from_at' },
  end: { applied: 'ended_at', due: 'to_at' },
} as const;

export type AbsenceEdge = keyof typeof EDGES;

const EDGE_NAMES = Object.keys(EDGES) as AbsenceEdge[];

/** The absences whose edge is due and not yet applied. */
function dueEdges(db: Db, edge: AbsenceEdge, now: number) {
  const { applied, due } = EDGES[edge];
  return db.selectFrom('absences').where(applied, 'is', null).where(due, '<=', now);
}

/** The edges of one absence that are due at `now` and not yet applied, start before end. */
export function dueEdgesOf(row: AbsenceRow, now: number): AbsenceEdge[] {
  return EDGE_NAMES.filter((edge) => row[EDGES[edge].applied] === null && row[EDGES[edge].due] <= now);
}

/** One absence, its row locked until the transaction ends (waiting for a node that holds it claimed). */
export async function findAbsenceForUpdate(
  db: Db,
  id: string,
  rowLocks: boolean,
): Promise<AbsenceRow | undefined> {
  const q = db.selectFrom('absences').selectAll().where('id', '=', id);
  return (rowLocks ? q.forUpdate() : q).executeTakeFirst();
}

/** Whether any absence has a start or an end that is due and not yet applied (a cheap indexed look). */
export async function hasDueAbsences(db: Db, now: number): Promise<boolean> {
  for (const edge of EDGE_NAMES) {
    if (await dueEdges(db, edge, now).select('id').limit(1).executeTakeFirst()) return true;
  }
  return false;
}

/**
 * Absences whose start or end is due and not yet applied, claimed so that each edge is applied by one
 * node once (rows locked with SKIP LOCKED where the store has it).
 */
export async function claimDueAbsences(
  db: Db,
  now: number,
  limit: number,
  skipLocked: boolean,
): Promise<{ row: AbsenceRow; edge: AbsenceEdge }[]> {
  const claimed: { row: AbsenceRow; edge: AbsenceEdge }[] = [];
  for (const edge of EDGE_NAMES) {
    let q = dueEdges(db, edge, now).selectAll().orderBy(EDGES[edge].due).limit(limit);
    if (skipLocked) q = q.forUpdate().skipLocked();
    for (const row of await q.execute()) claimed.push({ row, edge });
  }
  return claimed;
}

/** Marks an edge applied; false when another transaction did it first. */
export async function markAbsenceEdge(db: Db, id: string, edge: AbsenceEdge, now: number): Promise<boolean> {
  const column = EDGES[edge].applied;
  const result = await db
    .updateTable('absences')
    .set({ [column]: now })
    .where('id', '=', id)
    .where(column, 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Running processes by one column: whose stage an employee holds, holds for someone, or awaits. */
async function runningProcessIds(
  db: Db,
  where: (q: ReturnType<typeof running>) => ReturnType<typeof running>,
): Promise<string[]> {
  const rows = await where(running(db)).orderBy('id').execute();
  return rows.map((r) => r.id);
}

function running(db: Db) {
  return db.selectFrom('processes').select('id').where('status', 'in', ['active', 'paused']);
}

/** Running processes whose current stage the employee holds (for their own or as a deputy). */
export function processIdsHeldBy(db: Db, employeeId: string): Promise<string[]> {
  return runningProcessIds(db, (q) => q.where('responsible_id', '=', employeeId));
}

/** Running processes whose stage a deputy holds for the employee. */
export function processIdsActedFor(db: Db, employeeId: string): Promise<string[]> {
  return runningProcessIds(db, (q) => q.where('acting_for_id', '=', employeeId));
}

/** Running processes whose stage waits for a listed responsible to come online, with that stage. */
export function processesAwaitingResponsible(
  db: Db,
): Promise<{ id: string; definition_id: string; definition_version: number; stage_key: string }[]> {
  return running(db)
    .select(['definition_id', 'definition_version', 'stage_key'])
    .where('routing_until', 'is not', null)
    .orderBy('id')
    .execute();
}
