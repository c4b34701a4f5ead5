/** Sessions: opening, closing, looking up by token hash, and housekeeping. */
import type { Insertable } from 'kysely';
import type { EmployeeTable, SessionTable } from './schema.ts';
import type { Db, Store } from './store.ts';

/** Opens a session, first dropping the employee's sessions that expired at or before `now`. */
export async function openSession(db: Db, row: Insertable<SessionTable>, now: number): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where('employee_id', '=', row.employee_id)
    .where('expires_at', '<=', now)
    .execute();
  await db.insertInto('sessions').values(row).execute();
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

/** The active employee a session belongs to, with the session's expiry. */
export async function findSessionEmployee(
  db: Db,
  tokenHash: string,
): Promise<
  { id: string; login: string; name: string; role: EmployeeTable['role']; expires_at: number } | undefined
> {
  return db
    .selectFrom('sessions as s')
    .innerJoin('employees as e', 'e.id', 's.employee_id')
    .select(['e.id', 'e.login', 'e.name', 'e.role', 's.expires_at'])
    .where('s.token_hash', '=', tokenHash)
    .where('e.active', '=', 1)
    .executeTakeFirst();
}

/**
 * Deletes at most `limit` sessions that expired at or before `now`, in one short transaction, and
 * returns how many went. The `sessions_expires` index finds them; a bounded batch keeps the write
 * lock short however many have piled up.
 */
export async function deleteExpiredSessions(store: Store, now: number, limit: number): Promise<number> {
  return store.transaction(async (tx) => {
    const result = await tx
      .deleteFrom('sessions')
      .where('token_hash', 'in', (q) =>
        q.selectFrom('sessions').select('token_hash').where('expires_at', '<=', now).limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
