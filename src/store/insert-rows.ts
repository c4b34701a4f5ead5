/** The one way rows that record a change (protocol, tasks, events, notifications) are written. */
import { CompiledQuery, type Insertable, SqliteAdapter } from 'kysely';
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
  if (rows.length > 1 && (await insertUniformRows(db, table, rows as never, columns))) return;
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

/** A table or column name written into SQL text as it is. */
export const SQL_NAME = /^[a-z_][a-z0-9_]*$/;

/** Half of a surrogate pair standing alone: bound, it becomes U+FFFD; in JSON, PostgreSQL refuses it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A value both stores take alike whether bound or read from JSON. */
export function isPlain(value: unknown): boolean {
  return (
    value === null ||
    (typeof value === 'string' && !LONE_SURROGATE.test(value)) ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * Several rows with the same columns and plain values, as one statement built without the query
 * builder (building and compiling a statement of hundreds of rows costs more than running it):
 * on SQLite a list of bound rows; on PostgreSQL one JSON parameter read as rows of the table's
 * own type, so the server parses one value instead of one per column and row. False when the rows
 * do not fit (their columns differ, a value is not plain): the caller writes them the usual way.
 */
async function insertUniformRows(
  db: Db,
  table: string,
  rows: readonly Record<string, unknown>[],
  columns: readonly (readonly string[])[],
): Promise<boolean> {
  const names = columns[0];
  if (!names || names.length === 0 || !SQL_NAME.test(table) || !names.every((c) => SQL_NAME.test(c)))
    return false;
  const joined = names.join(',');
  if (columns.some((cs) => cs.join(',') !== joined)) return false;
  for (const row of rows) for (const c of names) if (!isPlain(row[c])) return false;
  const list = names.map((c) => `"${c}"`).join(', ');
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    const tuple = `(${names.map(() => '?').join(', ')})`;
    const parameters: unknown[] = [];
    for (const row of rows) for (const c of names) parameters.push(row[c]);
    const text = `insert into "${table}" (${list}) values ${rows.map(() => tuple).join(', ')}`;
    await db.executeQuery(CompiledQuery.raw(text, parameters));
    return true;
  }
  const json = JSON.stringify(rows.map((row) => Object.fromEntries(names.map((c) => [c, row[c]]))));
  // In the rows' order, so that ids drawn from a sequence (the protocol's) follow it.
  const text =
    `insert into "${table}" (${list}) select ${names.map((c) => `r."${c}"`).join(', ')} ` +
    `from jsonb_populate_recordset(null::"${table}", $1::jsonb) with ordinality as r order by r.ordinality`;
  await db.executeQuery(CompiledQuery.raw(text, [json]));
  return true;
}
