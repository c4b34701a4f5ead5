/** Tasks of processes (and standalone ones): written by the engine, listed, opened and completed. */
import type { Insertable, Selectable } from 'kysely';
import { insertRows } from './insert-rows.ts';
import type { TaskTable } from './schema.ts';
import type { Db } from './store.ts';
import { type Viewer, visibleTo } from './visibility.ts';

export type TaskRow = Selectable<TaskTable>;

export async function insertTasks(db: Db, rows: readonly Insertable<TaskTable>[]): Promise<void> {
  await insertRows(db, 'tasks', rows);
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

export async function findTask(db: Db, id: string): Promise<TaskRow | undefined> {
  return db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Whether the task is still pending (not yet open). */
export async function isTaskPending(db: Db, id: string): Promise<boolean> {
  const task = await db
    .selectFrom('tasks')
    .select('id')
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return task !== undefined;
}

/** Opens a pending task; undefined when it is not pending (any more). */
export async function openPendingTaskRow(db: Db, id: string): Promise<TaskRow | undefined> {
  return db
    .updateTable('tasks')
    .set({ status: 'open' })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

/** Completes an open task; undefined when it is not open (any more). */
export async function completeOpenTask(db: Db, id: string, now: number, actorId: string) {
  return db
    .updateTable('tasks')
    .set({ status: 'done', completed_at: now, completed_by: actorId })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst();
}

export interface TaskRowFilter {
  readonly assigneeId?: string | undefined;
  readonly processId?: string | undefined;
  readonly status?: TaskRow['status'] | undefined;
  readonly after?: string | undefined;
}

/**
 * One page of the tasks the viewer may see (their own, and those of processes they may see), by id;
 * `limit + 1` rows tell whether more follow.
 */
export async function listTaskRows(db: Db, viewer: Viewer, filter: TaskRowFilter, limit: number) {
  let q = db.selectFrom('tasks').selectAll('tasks');
  if (viewer.role !== 'admin') {
    q = q.where((eb) =>
      eb.or([
        eb('tasks.assignee_id', '=', viewer.id),
        eb.exists(
          eb
            .selectFrom('processes as p')
            .select('p.id')
            .whereRef('p.id', '=', 'tasks.process_id')
            .where(visibleTo(viewer)),
        ),
      ]),
    );
  }
  if (filter.assigneeId) q = q.where('tasks.assignee_id', '=', filter.assigneeId);
  if (filter.processId) q = q.where('tasks.process_id', '=', filter.processId);
  if (filter.status) q = q.where('tasks.status', '=', filter.status);
  if (filter.after) q = q.where('tasks.id', '>', filter.after);
  return q.orderBy('tasks.id').limit(limit).execute();
}
