/** The one way rows that record a change (protocol, tasks, events, notifications) are written. */
import type { Insertable } from 'kysely';
import { runCompiledOnce } from './compiled-once.ts';
import type { Database } from './schema.ts';
import type { Db } from './store.ts';

/** Inserts the rows into the table in one statement; none, no statement. */
export async function insertRows<T extends keyof Database>(
  db: Db,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  // Compiled once per table, row count and columns of each row (undefined columns are left out,
  // as Kysely leaves them out); then each call only binds its values.
  const columns = rows.map((row) =>
    Object.keys(row).filter((c) => (row as Record<string, unknown>)[c] !== undefined),
  );
  const values = rows.flatMap((row, i) => columns[i]!.map((c) => (row as Record<string, unknown>)[c]));
  await runCompiledOnce(
    db,
    `insert:${table}:${columns.map((c) => c.join(',')).join('|')}`,
    values,
    (markers) => {
      let at = 0;
      const marked = columns.map((cs) => Object.fromEntries(cs.map((c) => [c, markers[at++]])));
      // Kysely cannot relate a row type to a table chosen by a type parameter; `rows` is typed above.
      return db
        .insertInto(table)
        .values(marked as never)
        .compile();
    },
  );
}
