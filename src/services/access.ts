/** Granting employees `view` or `edit` access to a process. */

import type { Insertable } from 'kysely';
import type { Actor, EngineContext } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { notificationText } from '../domain/notification-text.ts';
import { requireUnfinished } from '../domain/process/step.ts';
import { type CommitLog, logNotifications } from '../engine/apply-effects.ts';
import { inTransaction, loadForWrite, recordActorChange } from '../engine/run-command.ts';
import { grantedAccess, replaceGrantedAccess } from '../store/access.ts';
import { activeEmployeesAmong } from '../store/employees.ts';
import { definitionName, employeeName, notificationSubject } from '../store/notification-subjects.ts';
import { insertNotifications } from '../store/notifications.ts';
import type { ProcessRow } from '../store/processes.ts';
import type { NotificationTable } from '../store/schema.ts';
import type { Db } from '../store/store.ts';

export interface AccessEntry {
  readonly employeeId: string;
  readonly level: 'view' | 'edit';
}

/** Replaces the granted access list. Launchers, responsibles and task holders keep theirs regardless. */
export async function setAccess(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  entries: readonly AccessEntry[],
): Promise<ProcessRow> {
  const byEmployee = new Map<string, AccessEntry>();
  for (const e of entries) byEmployee.set(e.employeeId, e);
  if (byEmployee.size !== entries.length) {
    throw new DomainError('validation_failed', 'An employee is listed twice.', { field: 'entries' });
  }
  return inTransaction(ctx, async (tx, log) => {
    const row = await loadForWrite(tx, ctx, actor, processId);
    requireUnfinished(row.status);
    const ids = [...byEmployee.keys()];
    if (ids.length > 0) {
      const found = await activeEmployeesAmong(tx, ids);
      const known = new Set(found.map((f) => f.id));
      const missing = ids.find((id) => !known.has(id));
      if (missing)
        throw new DomainError('reference_not_found', `No employee "${missing}".`, {
          field: 'entries',
          id: missing,
        });
    }
    const before = await grantedAccess(tx, processId);
    await replaceGrantedAccess(tx, processId, entries);
    const now = await recordActorChange(tx, ctx, actor, processId, 'access.changed', {
      before: before.map((b) => ({ employeeId: b.employee_id, level: b.role })),
      after: entries,
    });
    await notifyGranted(tx, ctx, actor, row, before, entries, now, log);
    return { ...row, updated_at: now };
  });
}

/**
 * Tells each employee who was granted access (new to the list, or raised from view to edit) about
 * it; the one granting is not told.
 */
async function notifyGranted(
  tx: Db,
  ctx: EngineContext,
  actor: Actor,
  row: ProcessRow,
  before: readonly { employee_id: string; role: string }[],
  entries: readonly AccessEntry[],
  now: number,
  log: CommitLog,
): Promise<void> {
  const had = new Map(before.map((b) => [b.employee_id, b.role]));
  const granted = entries.filter(
    (e) => e.employeeId !== actor.id && had.get(e.employeeId) !== e.level && had.get(e.employeeId) !== 'edit',
  );
  if (granted.length === 0) return;
  const details = {
    definitionId: row.definition_id,
    definitionName: await definitionName(tx, row.definition_id),
    actorName: await employeeName(tx, actor.id),
    ...(await notificationSubject(tx, row)),
  };
  const rows: Insertable<NotificationTable>[] = granted.map((e) => {
    const full = { ...details, level: e.level };
    return {
      id: ctx.newId(),
      employee_id: e.employeeId,
      kind: 'access.granted',
      process_id: row.id,
      text: notificationText('access.granted', full),
      details: JSON.stringify(full),
      read: 0,
      at: now,
    };
  });
  await insertNotifications(tx, rows);
  logNotifications(log, rows);
}
