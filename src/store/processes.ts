/** Rows of a running process and of everything that records or hangs off it. */
import type { Insertable, Selectable } from 'kysely';
import { runCompiledOnce } from './compiled-once.ts';
import { insertRows } from './insert-rows.ts';
import type { ProcessMemberTable, ProcessTable, ProtocolTable } from './schema.ts';
import type { Db } from './store.ts';
import { EDIT_ROLES, type Viewer } from './visibility.ts';

export type ProcessRow = Selectable<ProcessTable>;

export async function findProcess(db: Db, id: string): Promise<ProcessRow | undefined> {
  return db.selectFrom('processes').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findProcessStatus(db: Db, id: string): Promise<Pick<ProcessRow, 'status'> | undefined> {
  return db.selectFrom('processes').select('status').where('id', '=', id).executeTakeFirst();
}

/** The responsible of a process's current stage. */
export async function findResponsible(db: Db, id: string) {
  return db.selectFrom('processes').select('responsible_id').where('id', '=', id).executeTakeFirst();
}

export async function processExists(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom('processes').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
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
  // Compiled once per set of columns; then each call only binds its values.
  const set: Record<string, unknown> = { ...patch, version: expectedVersion + 1 };
  const columns = Object.keys(set).filter((c) => set[c] !== undefined);
  const values = [...columns.map((c) => set[c]), id, expectedVersion];
  const result = await runCompiledOnce(db, `update-process:${columns.join(',')}`, values, (markers) =>
    db
      .updateTable('processes')
      .set(Object.fromEntries(columns.map((c, i) => [c, markers[i]])))
      .where('id', '=', markers[columns.length] as string)
      .where('version', '=', markers[columns.length + 1] as never)
      .compile(),
  );
  return Number(result.numAffectedRows) === 1;
}

export async function insertProtocol(db: Db, rows: readonly Insertable<ProtocolTable>[]): Promise<void> {
  await insertRows(db, 'protocol', rows);
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

/** The children a process spawned, with their definition's name, in the order they started. */
export async function childrenOf(
  db: Db,
  parentId: string,
): Promise<
  (Pick<ProcessRow, 'id' | 'status' | 'definition_id' | 'definition_version'> & { name: string })[]
> {
  return (
    db
      .selectFrom('processes as c')
      .innerJoin('definition_versions as v', (j) =>
        j.onRef('v.definition_id', '=', 'c.definition_id').onRef('v.version', '=', 'c.definition_version'),
      )
      .select(['c.id', 'c.status', 'c.definition_id', 'c.definition_version', 'v.name'])
      .where('c.parent_id', '=', parentId)
      // Children spawned together start at the same instant: the (time-ordered) id breaks the tie.
      .orderBy('c.started_at')
      .orderBy('c.id')
      .execute()
  );
}

/** One page of a process's protocol after entry `afterId`, oldest first, with the actors' names. */
export async function listProtocol(db: Db, processId: string, afterId: number, limit: number) {
  return db
    .selectFrom('protocol as r')
    .leftJoin('employees as e', 'e.id', 'r.actor_id')
    .select(['r.id', 'r.at', 'r.actor_id', 'e.name as actor_name', 'r.action', 'r.details'])
    .where('r.process_id', '=', processId)
    .where('r.id', '>', afterId)
    .orderBy('r.id')
    .limit(limit)
    .execute();
}
