/**
 * Processes read and written several at a time, for work that steps many of them in one
 * transaction (timers fired in batches).
 */
import { CompiledQuery, SqliteAdapter, sql } from 'kysely';
import type { ProcessRow } from './processes.ts';
import type { ProcessTable } from './schema.ts';
import type { Db } from './store.ts';

/** Several processes by id, locked in id order where the store has row locks; keyed by id. */
export async function findProcessesForUpdate(
  db: Db,
  ids: readonly string[],
  rowLocks: boolean,
): Promise<Map<string, ProcessRow>> {
  if (ids.length === 0) return new Map();
  const q = db
    .selectFrom('processes')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .orderBy('id');
  const rows = await (rowLocks ? q.forUpdate() : q).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** A version-checked update of one process, as `updateProcessIfVersion` takes it. */
export interface ProcessUpdate {
  readonly id: string;
  readonly expectedVersion: number;
  readonly patch: Partial<Omit<ProcessTable, 'id' | 'version'>>;
}

/** Processes per multi-row update: well under either store's limit on bound parameters. */
const ROWS_PER_UPDATE = 500;

/**
 * Several version-checked updates, one statement per set of changed columns (per 500 processes);
 * returns how many processes were updated. On PostgreSQL each row is typed by the table itself;
 * on SQLite the rows are bound values joined by id. One statement instead of one per process
 * matters on SQLite beyond the round trips: an update of `processes` (its triggers) saves each
 * page it is about to change into a statement journal first, and the pages the processes share
 * (the journal indexes, the counters) are saved once per statement.
 */
export async function updateProcessesIfVersion(db: Db, updates: readonly ProcessUpdate[]): Promise<number> {
  const groups = new Map<string, ProcessUpdate[]>();
  for (const u of updates) {
    const columns = Object.keys(u.patch)
      .filter((c) => u.patch[c as keyof ProcessUpdate['patch']] !== undefined)
      .sort()
      .join(',');
    const group = groups.get(columns);
    if (group) group.push(u);
    else groups.set(columns, [u]);
  }
  if (db.getExecutor().adapter instanceof SqliteAdapter) return updateOnSqlite(db, groups);
  let updated = 0;
  for (const [columns, group] of groups) {
    const set = sql.join(columns.split(',').map((c) => sql`${sql.ref(c)} = ${sql.ref(`v.${c}`)}`));
    for (let i = 0; i < group.length; i += ROWS_PER_UPDATE) {
      const rows = group
        .slice(i, i + ROWS_PER_UPDATE)
        .map((u) => ({ ...u.patch, id: u.id, version: u.expectedVersion }));
      const result = await sql`
        update processes p set ${set}, version = v.version + 1
        from jsonb_populate_recordset(null::processes, ${JSON.stringify(rows)}::jsonb) v
        where p.id = v.id and p.version = v.version`.execute(db);
      updated += Number(result.numAffectedRows ?? 0);
    }
  }
  return updated;
}

/** The SQLite side of `updateProcessesIfVersion`: `update … from` a list of bound rows. */
async function updateOnSqlite(
  db: Db,
  groups: ReadonlyMap<string, readonly ProcessUpdate[]>,
): Promise<number> {
  let updated = 0;
  for (const [joined, group] of groups) {
    const columns = joined === '' ? [] : joined.split(',');
    for (const column of columns) {
      if (!/^[a-z_]+$/.test(column)) throw new Error(`not a column of processes: ${column}`);
    }
    const names = ['id', 'version', ...columns].map((c) => `"${c}"`).join(', ');
    const set = [...columns.map((c) => `"${c}" = v."${c}"`), '"version" = v."version" + 1'].join(', ');
    const row = `(${Array.from({ length: columns.length + 2 }, () => '?').join(', ')})`;
    for (let i = 0; i < group.length; i += ROWS_PER_UPDATE) {
      const chunk = group.slice(i, i + ROWS_PER_UPDATE);
      const parameters: unknown[] = [];
      for (const u of chunk) {
        parameters.push(u.id, u.expectedVersion);
        for (const c of columns) parameters.push(u.patch[c as keyof ProcessUpdate['patch']]);
      }
      const text =
        `with v (${names}) as (values ${Array.from({ length: chunk.length }, () => row).join(', ')}) ` +
        `update "processes" set ${set} from v where "processes"."id" = v."id" and "processes"."version" = v."version"`;
      const result = await db.executeQuery(CompiledQuery.raw(text, parameters));
      updated += Number(result.numAffectedRows ?? 0);
    }
  }
  return updated;
}
