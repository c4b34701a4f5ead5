/** Access granted on a process: its `view` and `edit` members. */
import type { Db } from './store.ts';

type Level = 'view' | 'edit';

/** The granted access list of a process; `byEmployee` sorts it as the card shows it. */
export async function grantedAccess(db: Db, processId: string, byEmployee = false) {
  const q = db
    .selectFrom('process_members')
    .select(['employee_id', 'role'])
    .where('process_id', '=', processId)
    .where('role', 'in', ['view', 'edit']);
  return (byEmployee ? q.orderBy('employee_id') : q).execute();
}

/** Replaces the granted access list; launchers, responsibles and task holders are left as they are. */
export async function replaceGrantedAccess(
  db: Db,
  processId: string,
  entries: readonly { employeeId: string; level: Level }[],
): Promise<void> {
  await db
    .deleteFrom('process_members')
    .where('process_id', '=', processId)
    .where('role', 'in', ['view', 'edit'])
    .execute();
  if (entries.length > 0) {
    await db
      .insertInto('process_members')
      .values(entries.map((e) => ({ process_id: processId, employee_id: e.employeeId, role: e.level })))
      .execute();
  }
}
