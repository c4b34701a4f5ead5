/**
 * Notifications: writing them (one helper for every engine path that notifies) and the caller's
 * persistent list behind the notification monitor.
 */

import type { Insertable } from 'kysely';
import { isoTime } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import { notificationSubject } from '../store/notification-subjects.ts';
import { insertNotifications, type NotificationRow, type ProcessRow } from '../store/processes.ts';
import type { NotificationTable } from '../store/schema.ts';
import type { Db } from '../store/store.ts';
import type { CommitLog } from './apply-effects.ts';
import type { Actor, EngineContext } from './context.ts';
import { decodeIdCursor, idPageOf } from './cursor.ts';
import type { LoadedVersion } from './definition-cache.ts';
import { notificationText } from './notification-text.ts';

/** A notification about a process as decided, before it names who and what; its id already taken. */
export interface NotificationDraft {
  readonly id: string;
  readonly employeeId: string;
  readonly kind: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * The rows of notifications about one process: each names its stage by name (when it names a
 * stage), the definition and, as every notification does, the client (or linked record) and the
 * launcher; then its text is rendered from those details.
 */
export async function notificationRows(
  tx: Db,
  process: ProcessRow | undefined,
  def: LoadedVersion | undefined,
  drafts: readonly NotificationDraft[],
  at: number,
): Promise<Insertable<NotificationTable>[]> {
  if (drafts.length === 0) return [];
  const subject = process ? await notificationSubject(tx, process) : {};
  return drafts.map((draft) => {
    const { stage } = draft.details;
    const details = {
      ...draft.details,
      ...(stage !== undefined && draft.details.stageName === undefined
        ? { stageName: typeof stage === 'string' ? (def?.compiled.stages.get(stage)?.name ?? stage) : null }
        : {}),
      definitionId: def?.id,
      definitionName: def?.name,
      ...subject,
    };
    return {
      id: draft.id,
      employee_id: draft.employeeId,
      kind: draft.kind,
      process_id: process?.id ?? null,
      text: notificationText(draft.kind, details),
      details: JSON.stringify(details),
      read: 0,
      at,
    };
  });
}

/** Writes notification rows and logs them to be announced once the transaction commits. */
export async function writeNotifications(
  tx: Db,
  rows: readonly Insertable<NotificationTable>[],
  log: CommitLog,
): Promise<void> {
  await insertNotifications(tx, rows);
  logNotifications(log, rows);
}

/** Announces notification rows once their transaction commits. */
export function logNotifications(log: CommitLog, rows: readonly Insertable<NotificationTable>[]): void {
  for (const n of rows) {
    log.notifications.push({
      id: n.id,
      employeeId: n.employee_id,
      kind: n.kind,
      processId: n.process_id ?? null,
      text: n.text,
      details: JSON.parse(n.details) as Record<string, unknown>,
      at: n.at,
    });
  }
}

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
