/**
 * The writes of one command after its step: the version-checked update of the process row and the
 * rows that record the change (protocol, stage visits, analytics deltas, tasks, events, timers),
 * held until the command has worked out all of them and then written together. On SQLite each goes
 * as its own statement, as it would unheld. On PostgreSQL, where every statement is a round trip,
 * they go as one statement: the update and each insert a data-modifying part of one WITH, the rows
 * of each insert one JSON parameter (as insert-rows.ts sends several rows). Only inserts with plain
 * values and no trigger that reads other tables are held this way; process members (whose counter
 * triggers read the process's status, and the status trigger its members) are written on their own,
 * after the update, as they were before.
 */
import { CompiledQuery, SqliteAdapter } from 'kysely';
import { isPlain, SQL_NAME } from './insert-rows.ts';
import { updateProcessIfVersion } from './processes.ts';
import type { ProcessTable } from './schema.ts';
import type { Db } from './store.ts';

type Row = Record<string, unknown>;

interface HeldInsert {
  readonly table: string;
  readonly rows: readonly Row[];
  /** `on conflict (…) do nothing` on these columns, when the insert has one. */
  readonly ignoreConflictOn: readonly string[] | undefined;
  /** Writes the rows on their own (SQLite, or rows that do not fit one statement). */
  readonly write: (tx: Db) => Promise<void>;
}

interface HeldUpdate {
  readonly id: string;
  readonly expectedVersion: number;
  readonly patch: Partial<Omit<ProcessTable, 'id' | 'version'>>;
}

export class CommandWrites {
  #update: HeldUpdate | undefined;
  readonly #inserts: HeldInsert[] = [];

  /** Holds the version-checked update of the process row (see updateProcessIfVersion). */
  updateProcess(id: string, expectedVersion: number, patch: HeldUpdate['patch']): void {
    this.#update = { id, expectedVersion, patch };
  }

  /**
   * Holds rows for `table`; `write` writes them on their own, the way the table's rows are always
   * written (with `ignoreConflictOn` when that way ignores rows whose key exists).
   */
  insert(
    table: string,
    rows: readonly Row[],
    write: (tx: Db) => Promise<void>,
    ignoreConflictOn?: readonly string[],
  ): void {
    if (rows.length > 0) this.#inserts.push({ table, rows, ignoreConflictOn, write });
  }

  /** Writes what is held and forgets it; false when the process had moved on (no row updated). */
  async flush(tx: Db): Promise<boolean> {
    const update = this.#update;
    const inserts = this.#inserts.splice(0);
    this.#update = undefined;
    if (!(tx.getExecutor().adapter instanceof SqliteAdapter)) {
      const together = inserts.filter(fitsOneStatement);
      if (together.length + (update ? 1 : 0) > 1) {
        const ok = await writeTogether(tx, update, together);
        for (const held of inserts) if (!together.includes(held)) await held.write(tx);
        return ok;
      }
    }
    const ok = update
      ? await updateProcessIfVersion(tx, update.id, update.expectedVersion, update.patch)
      : true;
    for (const held of inserts) await held.write(tx);
    return ok;
  }
}

/** The columns a row sets (an undefined value sets none, as Kysely leaves it out). */
function columnsOf(row: Row | undefined): string[] {
  return row ? Object.keys(row).filter((c) => row[c] !== undefined) : [];
}

/** Rows of one set of columns, every value plain, every name a plain SQL name. */
function fitsOneStatement({ table, rows, ignoreConflictOn }: HeldInsert): boolean {
  const names = columnsOf(rows[0]);
  if (names.length === 0 || !SQL_NAME.test(table) || !names.every((c) => SQL_NAME.test(c))) return false;
  if (ignoreConflictOn && !ignoreConflictOn.every((c) => SQL_NAME.test(c))) return false;
  const joined = names.join(',');
  for (const row of rows) {
    if (columnsOf(row).join(',') !== joined) return false;
    for (const c of names) if (!isPlain(row[c])) return false;
  }
  return true;
}

/**
 * PostgreSQL: the update and the inserts as the parts of one WITH; answers whether the update
 * found the row at the expected version. The parts see one snapshot and write different tables.
 */
async function writeTogether(
  tx: Db,
  update: HeldUpdate | undefined,
  inserts: readonly HeldInsert[],
): Promise<boolean> {
  const parts: string[] = [];
  const parameters: unknown[] = [];
  const bind = (value: unknown) => `$${parameters.push(value)}`;
  if (update) {
    const set: Row = { ...update.patch, version: update.expectedVersion + 1 };
    const columns = Object.keys(set).filter((c) => set[c] !== undefined);
    const assignments = columns.map((c) => `"${c}" = ${bind(set[c])}`).join(', ');
    parts.push(
      `updated as (update "processes" set ${assignments} where "id" = ${bind(update.id)} and "version" = ${bind(update.expectedVersion)} returning 1)`,
    );
  }
  inserts.forEach(({ table, rows, ignoreConflictOn }, i) => {
    const names = columnsOf(rows[0]);
    const list = names.map((c) => `"${c}"`).join(', ');
    const json = JSON.stringify(rows.map((row) => Object.fromEntries(names.map((c) => [c, row[c]]))));
    // In the rows' order, so that ids drawn from a sequence (the protocol's) follow it.
    const conflict = ignoreConflictOn
      ? ` on conflict (${ignoreConflictOn.map((c) => `"${c}"`).join(', ')}) do nothing`
      : '';
    parts.push(
      `inserted_${i} as (insert into "${table}" (${list}) select ${names.map((c) => `r."${c}"`).join(', ')} ` +
        `from jsonb_populate_recordset(null::"${table}", ${bind(json)}::jsonb) with ordinality as r order by r.ordinality${conflict})`,
    );
  });
  const answer = update ? 'select count(*) as n from updated' : 'select 1 as n';
  const { rows } = await tx.executeQuery<{ n: number | string }>(
    CompiledQuery.raw(`with ${parts.join(', ')} ${answer}`, parameters),
  );
  return Number(rows[0]?.n) === 1;
}
