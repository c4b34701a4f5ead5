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
  if (rows.length > 1 && (await insertUniformRows(db, table, rows as never))) return;
  // Compiled once per table, row count and columns of each row (undefined columns are left out,
  // as Kysely leaves them out); then each call only binds its values.
  const columns = rows.map((row) =>
    Object.keys(row).filter((c) => (row as Record<string, unknown>)[c] !== undefined),
  );
  const values = rows.flatMap((row, i) => (columns[i] ?? []).map((c) => (row as Record<string, unknown>)[c]));
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
 * The columns of rows that can go as one statement built as text: every row sets the same columns
 * (an undefined value sets none, as Kysely leaves it out), every value is plain and every name a
 * plain SQL name. Undefined when they cannot.
 */
export function uniformColumns(
  table: string,
  rows: readonly Record<string, unknown>[],
): string[] | undefined {
  const columnsOf = (row: Record<string, unknown>) => Object.keys(row).filter((c) => row[c] !== undefined);
  const names = rows[0] ? columnsOf(rows[0]) : [];
  if (names.length === 0 || !SQL_NAME.test(table) || !names.every((c) => SQL_NAME.test(c))) return undefined;
  const joined = names.join(',');
  for (const row of rows) {
    if (columnsOf(row).join(',') !== joined) return undefined;
    for (const c of names) if (!isPlain(row[c])) return undefined;
  }
  return names;
}

/**
 * PostgreSQL: an insert of `rows` (of `uniformColumns`) read from one JSON parameter, bound at
 * `marker`, as rows of the table's own type; the server parses one value instead of one per column
 * and row. In the rows' order, so that ids drawn from a sequence (the protocol's) follow it.
 * `tail` ends the statement (an `on conflict` clause).
 */
export function jsonInsert(
  table: string,
  names: readonly string[],
  rows: readonly Record<string, unknown>[],
  marker: string,
  tail = '',
): { text: string; json: string } {
  const json = JSON.stringify(rows.map((row) => Object.fromEntries(names.map((c) => [c, row[c]]))));
  const text =
    `insert into "${table}" (${names.map((c) => `"${c}"`).join(', ')}) select ${names.map((c) => `r."${c}"`).join(', ')} ` +
    `from jsonb_populate_recordset(null::"${table}", ${marker}::jsonb) with ordinality as r order by r.ordinality${tail}`;
  return { text, json };
}

/**
 * Several rows with the same columns and plain values, as one statement built without the query
 * builder (building and compiling a statement of hundreds of rows costs more than running it):
 * on SQLite a list of bound rows; on PostgreSQL one JSON parameter (`jsonInsert`). False when the
 * rows do not fit (`uniformColumns`): the caller writes them the usual way.
 */
async function insertUniformRows(
  db: Db,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<boolean> {
  const names = uniformColumns(table, rows);
  if (!names) return false;
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    const tuple = `(${names.map(() => '?').join(', ')})`;
    const parameters: unknown[] = [];
    for (const row of rows) for (const c of names) parameters.push(row[c]);
    const list = names.map((c) => `"${c}"`).join(', ');
    const text = `insert into "${table}" (${list}) values ${rows.map(() => tuple).join(', ')}`;
    await db.executeQuery(CompiledQuery.raw(text, parameters));
    return true;
  }
  const { text, json } = jsonInsert(table, names, rows, '$1');
  await db.executeQuery(CompiledQuery.raw(text, [json]));
  return true;
}
