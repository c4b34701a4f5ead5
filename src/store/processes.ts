/** Rows of a running process and of everything that records or hangs off it. */
import type { Insertable, Selectable } from 'kysely';
import type {
  EventTable,
  NotificationTable,
  ProcessMemberTable,
  ProcessTable,
  ProtocolTable,
  TaskTable,
  TimerTable,
} from './schema.ts';
import type { Db } from './store.ts';
import { EDIT_ROLES, type Viewer } from './visibility.ts';

export type ProcessRow = Selectable<ProcessTable>;
export type TaskRow = Selectable<TaskTable>;
export type TimerRow = Selectable<TimerTable>;
export type NotificationRow = Selectable<NotificationTable>;

export async function findProcess(db: Db, id: string): Promise<ProcessRow | undefined> {
  return db.selectFrom('processes').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Reads a process for a command inside a write transaction. Where the database has row locks the
 * row is locked, so commands on one process queue as they do under SQLite's single writer, and
 * both back ends behave alike: the second of two racing commands sees the first one's result.
 */
export async function findProcessForUpdate(
  db: Db,
  id: string,
  rowLocks: boolean,
): Promise<ProcessRow | undefined> {
  const q = db.selectFrom('processes').selectAll().where('id', '=', id);
  return (rowLocks ? q.forUpdate() : q).executeTakeFirst();
}

/** The caller's access to a process: none, view only, or edit. Admins edit everything. */
export async function accessOf(db: Db, processId: string, viewer: Viewer): Promise<'none' | 'view' | 'edit'> {
  if (viewer.role === 'admin') return 'edit';
  const roles = await db
    .selectFrom('process_members')
    .select('role')
    .where('process_id', '=', processId)
    .where('employee_id', '=', viewer.id)
    .execute();
  if (roles.length === 0) return 'none';
  return roles.some((r) => (EDIT_ROLES as readonly string[]).includes(r.role)) ? 'edit' : 'view';
}

export async function insertProcess(db: Db, row: Insertable<ProcessTable>): Promise<void> {
  await db.insertInto('processes').values(row).execute();
}

/** Writes the new state only if nobody changed the process since it was read; false on a conflict. */
export async function updateProcessIfVersion(
  db: Db,
  id: string,
  expectedVersion: number,
  patch: Partial<Omit<ProcessTable, 'id' | 'version'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('processes')
    .set({ ...patch, version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertProtocol(db: Db, rows: readonly Insertable<ProtocolTable>[]): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('protocol')
      .values([...rows])
      .execute();
}

/**
 * Records a change that is not a state change (a file, a link, access, a task done) in the
 * protocol and marks the process as updated, so the journal's "last change" moves.
 */
export async function recordChange(
  db: Db,
  change: {
    processId: string;
    at: number;
    actorId: string | null;
    action: string;
    details: Record<string, unknown>;
  },
): Promise<void> {
  await insertProtocol(db, [
    {
      process_id: change.processId,
      at: change.at,
      actor_id: change.actorId,
      action: change.action,
      details: JSON.stringify(change.details),
    },
  ]);
  await db
    .updateTable('processes')
    .set({ updated_at: change.at })
    .where('id', '=', change.processId)
    .execute();
}

export async function addMembers(db: Db, rows: readonly ProcessMemberTable[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('process_members')
    .values([...rows])
    .onConflict((oc) => oc.columns(['process_id', 'employee_id', 'role']).doNothing())
    .execute();
}

export async function insertTasks(db: Db, rows: readonly Insertable<TaskTable>[]): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('tasks')
      .values([...rows])
      .execute();
}

export async function insertEvents(db: Db, rows: readonly Insertable<EventTable>[]): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('events')
      .values([...rows])
      .execute();
}

export async function insertNotifications(
  db: Db,
  rows: readonly Insertable<NotificationTable>[],
): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('notifications')
      .values([...rows])
      .execute();
}

/** Sets timers; a key that exists already is left as it is, so re-running a step cannot double a timer. */
export async function setTimers(db: Db, rows: readonly Insertable<TimerTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('timers')
    .values([...rows])
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

export async function deleteTimers(db: Db, processId: string, kind: TimerTable['kind']): Promise<void> {
  await db.deleteFrom('timers').where('process_id', '=', processId).where('kind', '=', kind).execute();
}

/** Holds a wait that fell due during a pause until the pause ends (the fired row is re-created). */
export async function deferTimer(db: Db, key: string, processId: string, until: number): Promise<void> {
  await db
    .insertInto('timers')
    .values({ key, kind: 'wait', process_id: processId, due_at: until, deferred: 1 })
    .onConflict((oc) => oc.column('key').doUpdateSet({ due_at: until, deferred: 1 }))
    .execute();
}

/**
 * How a claim treats due timers another transaction holds: `skip` leaves them to it (nodes claim
 * disjoint batches), `wait` waits until it has fired them, `none` takes no row locks (SQLite).
 */
export type ClaimLock = 'skip' | 'wait' | 'none';

/** Claims up to `limit` due timers that are not parked (the partial index `timers_due` serves it). */
export async function claimDueTimers(
  db: Db,
  now: number,
  limit: number,
  lock: ClaimLock,
): Promise<TimerRow[]> {
  let q = db
    .selectFrom('timers')
    .selectAll()
    .where('due_at', '<=', now)
    .where('parked_at', 'is', null)
    .orderBy('due_at')
    .orderBy('key')
    .limit(limit);
  if (lock === 'skip') q = q.forUpdate().skipLocked();
  else if (lock === 'wait') q = q.forUpdate();
  return q.execute();
}

/** Deletes a timer; false when it was gone already (another node fired it). */
export async function deleteTimer(db: Db, key: string): Promise<boolean> {
  const result = await db.deleteFrom('timers').where('key', '=', key).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Makes the held waits of a resumed process due now. */
export async function releaseDeferredTimers(db: Db, processId: string, now: number): Promise<void> {
  await db
    .updateTable('timers')
    .set({ due_at: now, deferred: 0 })
    .where('process_id', '=', processId)
    .where('deferred', '=', 1)
    .execute();
}

/** Open or pending blocking tasks of one stage visit. */
export async function countOpenBlockingTasks(db: Db, processId: string, visit: number): Promise<number> {
  const row = await db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('process_id', '=', processId)
    .where('visit', '=', visit)
    .where('blocking', '=', 1)
    .where('status', '!=', 'done')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Moves the not-yet-done tasks that follow the responsible to the new responsible. */
export async function reassignFollowingTasks(
  db: Db,
  processId: string,
  visit: number,
  toId: string,
): Promise<TaskRow[]> {
  return db
    .updateTable('tasks')
    .set({ assignee_id: toId })
    .where('process_id', '=', processId)
    .where('visit', '=', visit)
    .where('follows_responsible', '=', 1)
    .where('status', '!=', 'done')
    .returningAll()
    .execute();
}
