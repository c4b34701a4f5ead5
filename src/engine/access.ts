/** Granting employees `view` or `edit` access to a process. */

import { DomainError } from '../domain/errors.ts';
import { requireUnfinished } from '../domain/process/step.ts';
import { type ProcessRow, recordChange } from '../store/processes.ts';
import type { Actor, EngineContext } from './context.ts';
import { inTransaction, loadForWrite } from './run-command.ts';

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
  return inTransaction(ctx, async (tx) => {
    const row = await loadForWrite(tx, ctx, actor, processId);
    requireUnfinished(row.status);
    const ids = [...byEmployee.keys()];
    if (ids.length > 0) {
      const found = await tx
        .selectFrom('employees')
        .select('id')
        .where('id', 'in', ids)
        .where('active', '=', 1)
        .execute();
      const known = new Set(found.map((f) => f.id));
      const missing = ids.find((id) => !known.has(id));
      if (missing)
        throw new DomainError('reference_not_found', `No employee "${missing}".`, {
          field: 'entries',
          id: missing,
        });
    }
    const before = await tx
      .selectFrom('process_members')
      .select(['employee_id', 'role'])
      .where('process_id', '=', processId)
      .where('role', 'in', ['view', 'edit'])
      .execute();
    await tx
      .deleteFrom('process_members')
      .where('process_id', '=', processId)
      .where('role', 'in', ['view', 'edit'])
      .execute();
    if (entries.length > 0) {
      await tx
        .insertInto('process_members')
        .values(entries.map((e) => ({ process_id: processId, employee_id: e.employeeId, role: e.level })))
        .execute();
    }
    const now = ctx.clock.now();
    await recordChange(tx, {
      processId,
      at: now,
      actorId: actor.id,
      action: 'access.changed',
      details: {
        before: before.map((b) => ({ employeeId: b.employee_id, level: b.role })),
        after: entries,
      },
    });
    return { ...row, updated_at: now };
  });
}
