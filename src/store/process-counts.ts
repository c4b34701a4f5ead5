/**
 * Folding the journal's status counters (migration 004). On PostgreSQL the triggers append delta
 * rows; here committed deltas are folded into one base row per key, in short transactions that
 * delete exactly the deltas they fold. Deltas another node is folding are skipped (SKIP LOCKED), so
 * several nodes may fold at once; base rows are upserted in key order, so two folds never deadlock.
 * A count reads the same before and after: the sum of a key's rows does not change.
 * SQLite keeps one row per key already (one writer at a time, nothing to fold).
 */
import { sql } from 'kysely';
import type { Store } from './store.ts';

/** Folds up to `limit` delta rows; returns how many it folded. */
export async function foldProcessCounts(store: Store, limit: number): Promise<number> {
  if (store.caps.name === 'sqlite') return 0;
  return store.transaction(async (tx) => {
    const { rows } = await sql<{ folded: number | string | null }>`
      with picked as (
        select ctid from process_counts where not base limit ${limit} for update skip locked
      ), moved as (
        delete from process_counts where ctid = any(array(select ctid from picked))
        returning scope, definition_id, status, n
      ), folded as (
        insert into process_counts (scope, definition_id, status, n, base)
        select scope, definition_id, status, sum(n), true from moved
        group by scope, definition_id, status
        order by scope, definition_id, status
        on conflict (scope, definition_id, status) where base do update set n = process_counts.n + excluded.n
      )
      select count(*) as folded from moved`.execute(tx);
    return Number(rows[0]?.folded ?? 0);
  });
}

/**
 * Folds all committed deltas, `batch` rows per transaction, at most `maxBatches` transactions;
 * returns how many it folded.
 */
export async function compactProcessCounts(store: Store, batch = 5000, maxBatches = 200): Promise<number> {
  let folded = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await foldProcessCounts(store, batch);
    folded += n;
    if (n < batch) break;
  }
  return folded;
}
