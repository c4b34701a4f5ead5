/** Notification rows: written with the change they tell of, listed and marked read by their employee. */
import type { Insertable, Selectable } from 'kysely';
import { insertRows } from './insert-rows.ts';
import type { NotificationTable } from './schema.ts';
import type { Db } from './store.ts';

export type NotificationRow = Selectable<NotificationTable>;

export async function insertNotifications(db: Db, rows: readonly Insertable<NotificationTable>[]) {
  await insertRows(db, 'notifications', rows);
}

/** One page of an employee's notifications, newest first; `limit + 1` rows tell whether more follow. */
export async function listNotificationRows(
  db: Db,
  employeeId: string,
  options: { unread?: boolean | undefined; before?: string | undefined },
  limit: number,
): Promise<NotificationRow[]> {
  let q = db.selectFrom('notifications').selectAll().where('employee_id', '=', employeeId);
  if (options.unread) q = q.where('read', '=', 0);
  if (options.before) q = q.where('id', '<', options.before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

export async function countUnread(db: Db, employeeId: string): Promise<number> {
  const unread = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('employee_id', '=', employeeId)
    .where('read', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(unread.n);
}

/** Marks one of an employee's notifications read; undefined when it is not theirs or does not exist. */
export async function markNotificationRead(db: Db, employeeId: string, id: string) {
  return db
    .updateTable('notifications')
    .set({ read: 1 })
    .where('id', '=', id)
    .where('employee_id', '=', employeeId)
    .returningAll()
    .executeTakeFirst();
}

/** Marks all of an employee's unread notifications read; returns how many. */
export async function markAllNotificationsRead(db: Db, employeeId: string): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read: 1 })
    .where('employee_id', '=', employeeId)
    .where('read', '=', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
