/**
 * Processes read and written several at a time, for work that steps many of them in one
 * transaction (timers fired in batches).
 */
import { sql } from 'kysely';
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

/**
 * PostgreSQL: several version-checked updates, one statement per set of changed columns (per 500
 * processes), each row typed by the table itself; returns how many processes were updated.
 */
export async function updateProcessesIfVersion(db: Db, updates: readonly ProcessUpdate[]): Promise<number> {
  const groups = new Map<string, ProcessUpdate[]>();
  for (const u of updates) {
    const columns = Object.keys(u.patch).sort().join(',');
    groups.set(columns, [...(groups.get(columns) ?? []), u]);
  }
  let updated = 0;
  for (const [columns, group] of groups) {
    const set = sql.join(columns.split(',').map((c) => sql`${sql.ref(c)} = ${sql.ref(`v.${c}`)}`));
    for (let i = 0; i < group.length; i += 500) {
      const rows = group.slice(i, i + 500).map((u) => ({ ...u.patch, id: u.id, version: u.expectedVersion }));
      const result = await sql`
        update processes p set ${set}, version = v.version + 1
        from jsonb_populate_recordset(null::processes, ${JSON.stringify(rows)}::jsonb) v
        where p.id = v.id and p.version = v.version`.execute(db);
      updated += Number(result.numAffectedRows ?? 0);
    }
  }
  return updated;
}
