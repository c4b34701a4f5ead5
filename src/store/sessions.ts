/** Housekeeping SQL for the sessions table. */
import type { Store } from './store.ts';

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
