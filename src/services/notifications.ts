/** The caller's persistent notifications, behind the notification monitor: list and mark read. */
import type { Actor, EngineContext } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import { decodeIdCursor, idPageOf } from '../store/cursor.ts';
import {
  countUnread,
  listNotificationRows,
  markAllNotificationsRead,
  markNotificationRead,
  type NotificationRow,
} from '../store/notifications.ts';

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
  const rows = await listNotificationRows(
    ctx.store.db,
    actor.id,
    { unread: options.unread, before: decodeIdCursor(options.before) },
    options.limit + 1,
  );
  const { page, nextCursor } = idPageOf(rows, options.limit);
  const unread = await countUnread(ctx.store.db, actor.id);
  return { items: page.map(notificationView), unread, nextCursor };
}

export async function markRead(ctx: EngineContext, actor: Actor, id: string) {
  const row = await ctx.store.transaction((tx) => markNotificationRead(tx, actor.id, id));
  if (!row) throw notFound('Notification', id);
  return notificationView(row);
}

export async function markAllRead(ctx: EngineContext, actor: Actor): Promise<number> {
  return ctx.store.transaction((tx) => markAllNotificationsRead(tx, actor.id));
}
