/** Writing notifications: one helper for every engine path that notifies. */

import type { Insertable } from 'kysely';
import { notificationText } from '../domain/notification-text.ts';
import type { LoadedVersion } from '../store/definition-cache.ts';
import { notificationSubject } from '../store/notification-subjects.ts';
import { insertNotifications } from '../store/notifications.ts';
import type { ProcessRow } from '../store/processes.ts';
import type { NotificationTable } from '../store/schema.ts';
import type { Db } from '../store/store.ts';
import type { CommitLog } from './apply-effects.ts';

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
