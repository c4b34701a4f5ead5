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
import { jsonInsert, SQL_NAME, uniformColumns } from './insert-rows.ts';
import { prepareByName } from './prepared-statements.ts';
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
      const together = inserts.flatMap((held) => {
        const names = fitsOneStatement(held);
        return names ? [{ held, names }] : [];
      });
      if (together.length + (update ? 1 : 0) > 1) {
        const ok = await writeTogether(tx, update, together);
        for (const held of inserts) if (!together.some((t) => t.held === held)) await held.write(tx);
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

/** Held rows that can be one part of the statement (`uniformColumns`), with their columns. */
function fitsOneStatement(held: HeldInsert): readonly string[] | undefined {
  const { ignoreConflictOn } = held;
  if (ignoreConflictOn && !ignoreConflictOn.every((c) => SQL_NAME.test(c))) return undefined;
  return uniformColumns(held.table, held.rows);
}

/**
 * PostgreSQL: the update and the inserts as the parts of one WITH; answers whether the update
 * found the row at the expected version. The parts see one snapshot and write different tables.
 */
async function writeTogether(
  tx: Db,
  update: HeldUpdate | undefined,
  inserts: readonly { readonly held: HeldInsert; readonly names: readonly string[] }[],
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
  inserts.forEach(({ held, names }, i) => {
    const conflict = held.ignoreConflictOn
      ? ` on conflict (${held.ignoreConflictOn.map((c) => `"${c}"`).join(', ')}) do nothing`
      : '';
    // The marker is the parameter's number once pushed: one more than the parameters so far.
    const { text, json } = jsonInsert(held.table, names, held.rows, `$${parameters.length + 1}`, conflict);
    parameters.push(json);
    parts.push(`inserted_${i} as (${text})`);
  });
  const answer = update ? 'select count(*) as n from updated' : 'select 1 as n';
  const text = `with ${parts.join(', ')} ${answer}`;
  // A command of a given kind writes the same parts each time: one prepared statement per kind.
  prepareByName(text);
  const { rows } = await tx.executeQuery<{ n: number | string }>(CompiledQuery.raw(text, parameters));
  return Number(rows[0]?.n) === 1;
}
