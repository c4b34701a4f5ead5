/** The caller's persistent notifications, behind the notification monitor: list and mark read. */
import type { Actor, EngineContext } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import { decodeIdCursor, idPageOf } from '../store/cursor.ts';
import type { NotificationRow } from '../store/processes.ts';

export function notificationView(row: NotificationRow) {
  return {
    id: row.id,
    kind: row.kind,
    processId: row.process_id,
    text: row.text,
    details: JSON.parse(row.details) as Record<string, unknown>,
    read: row.read === 1,
    at: isoTime(row.at),
  };
}

export async function listNotifications(
  ctx: EngineContext,
  actor: Actor,
  options: { unread?: boolean | undefined; limit: number; before?: string | undefined },
) {
  let q = ctx.store.db.selectFrom('notifications').selectAll().where('employee_id', '=', actor.id);
  if (options.unread) q = q.where('read', '=', 0);
  const before = decodeIdCursor(options.before);
  if (before) q = q.where('id', '<', before);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  const { page, nextCursor } = idPageOf(rows, options.limit);
  const unread = await ctx.store.db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('employee_id', '=', actor.id)
    .where('read', '=', 0)
    .executeTakeFirstOrThrow();
  return { items: page.map(notificationView), unread: Number(unread.n), nextCursor };
}

export async function markRead(ctx: EngineContext, actor: Actor, id: string) {
  const row = await ctx.store.transaction((tx) =>
    tx
      .updateTable('notifications')
      .set({ read: 1 })
      .where('id', '=', id)
      .where('employee_id', '=', actor.id)
      .returningAll()
      .executeTakeFirst(),
  );
  if (!row) throw notFound('Notification', id);
  return notificationView(row);
}

export async function markAllRead(ctx: EngineContext, actor: Actor): Promise<number> {
  const result = await ctx.store.transaction((tx) =>
    tx
      .updateTable('notifications')
      .set({ read: 1 })
      .where('employee_id', '=', actor.id)
      .where('read', '=', 0)
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}
