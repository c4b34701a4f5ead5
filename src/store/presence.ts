/** The `presence` table: each node's open notification streams per employee, with a heartbeat. */
import type { Db } from './store.ts';

/** Renews a node's heartbeat and drops the rows of nodes silent for longer than `staleBefore`. */
export async function heartbeat(db: Db, nodeId: string, now: number, staleBefore: number): Promise<void> {
  await db.updateTable('presence').set({ heartbeat_at: now }).where('node_id', '=', nodeId).execute();
  await db.deleteFrom('presence').where('heartbeat_at', '<', staleBefore).execute();
}

export async function deleteNodePresence(db: Db, nodeId: string): Promise<void> {
  await db.deleteFrom('presence').where('node_id', '=', nodeId).execute();
}

/** Records how many streams an employee has open on a node; zero removes the row. */
export async function setPresence(
  db: Db,
  nodeId: string,
  employeeId: string,
  connections: number,
  now: number,
): Promise<void> {
  if (connections === 0) {
    await db
      .deleteFrom('presence')
      .where('node_id', '=', nodeId)
      .where('employee_id', '=', employeeId)
      .execute();
    return;
  }
  await db
    .insertInto('presence')
    .values({ node_id: nodeId, employee_id: employeeId, connections, heartbeat_at: now })
    .onConflict((oc) =>
      oc.columns(['node_id', 'employee_id']).doUpdateSet({ connections, heartbeat_at: now }),
    )
    .execute();
}

/** Which of the employees have a stream open on a node whose heartbeat is newer than `aliveAfter`. */
export async function onlineEmployees(db: Db, employeeIds: readonly string[], aliveAfter: number) {
  return db
    .selectFrom('presence')
    .select('employee_id')
    .distinct()
    .where('employee_id', 'in', [...employeeIds])
    .where('connections', '>', 0)
    .where('heartbeat_at', '>', aliveAfter)
    .execute();
}

/** Everyone with a stream open on a node other than `nodeId` whose heartbeat is newer than `aliveAfter`. */
export async function onlineElsewhere(db: Db, nodeId: string, aliveAfter: number) {
  return db
    .selectFrom('presence')
    .select('employee_id')
    .distinct()
    .where('node_id', '<>', nodeId)
    .where('connections', '>', 0)
    .where('heartbeat_at', '>', aliveAfter)
    .execute();
}
