/**
 * Stage analytics without counting what still changes. An administrator's figures for a period
 * came from the aggregates for whole days, but the open visits and the running processes were
 * still counted from `stage_visits` and `processes` on every call: tens of thousands of index
 * entries for a large definition (analytics-rollups.ts). Now the aggregates hold them too:
 *
 * - `analytics_visit_counts` rows with `left_by` '' count open visits per definition, version,
 *   stage and UTC day of entry; the engine adds them as a delta in the transaction that opens,
 *   closes or re-keys a visit (stage-visits.ts), as it adds the closed ones;
 * - `analytics_process_counts` rows with status `active` or `paused` count the running processes
 *   per definition, version and UTC day of launch; triggers keep them, so every writer (a launch,
 *   a pause, a resume, an end, a move to another version, bulk SQL) changes them in the same
 *   transaction. SQLite (one writer) adds to the base row in place; PostgreSQL appends delta rows,
 *   which nothing waits on, and the timer worker folds them as it folds the engine's.
 *
 * The finished processes stay counted by the engine as they end (with their lead time).
 */
import { type Kysely, sql } from 'kysely';
import { rebuildAnalyticsRollups } from '../analytics-rollups.ts';
import type { DialectCapabilities } from '../capabilities.ts';
import type { Database } from '../schema.ts';

type Db = Kysely<unknown>;

const DAY_MS = 86_400_000;
const RUNNING = "('active', 'paused')";

/** The key of a process's row in `analytics_process_counts`, from `row` (new or old). */
const processKey = (row: string) =>
  `${row}.definition_id, ${row}.definition_version, ${row}.started_at / ${DAY_MS}, ${row}.status`;

const CHANGED = ['status', 'definition_id', 'definition_version', 'started_at'];

async function sqliteTriggers(run: (text: string) => Promise<unknown>): Promise<void> {
  const add = (row: string, n: number) => `insert into analytics_process_counts
      (definition_id, version, day, status, n, base) values (${processKey(row)}, ${n}, 1)
      on conflict (definition_id, day, version, status) where base = 1 do update set n = n + excluded.n;`;
  await run(`create trigger analytics_running_insert after insert on processes
    when new.status in ${RUNNING} begin ${add('new', 1)} end`);
  await run(`create trigger analytics_running_delete after delete on processes
    when old.status in ${RUNNING} begin ${add('old', -1)} end`);
  await run(`create trigger analytics_running_left after update of ${CHANGED.join(', ')} on processes
    when old.status in ${RUNNING}
      and (${CHANGED.map((c) => `old.${c} is not new.${c}`).join(' or ')}) begin ${add('old', -1)} end`);
  await run(`create trigger analytics_running_entered after update of ${CHANGED.join(', ')} on processes
    when new.status in ${RUNNING}
      and (${CHANGED.map((c) => `old.${c} is not new.${c}`).join(' or ')}) begin ${add('new', 1)} end`);
}

async function postgresTriggers(run: (text: string) => Promise<unknown>): Promise<void> {
  // Inserted and deleted processes per statement, from its transition table (a bulk insert is a
  // delta per key, not per row).
  await run(`create function analytics_running_rows() returns trigger language plpgsql as $$
    declare
      sign bigint := case when tg_op = 'INSERT' then 1 else -1 end;
    begin
      insert into analytics_process_counts (definition_id, version, day, status, n, base)
      select definition_id, definition_version, started_at / ${DAY_MS}, status, sign * count(*), 0
      from changed where status in ${RUNNING}
      group by definition_id, definition_version, started_at / ${DAY_MS}, status;
      return null;
    end $$`);
  for (const [op, rows] of [
    ['insert', 'new'],
    ['delete', 'old'],
  ] as const) {
    await run(`create trigger analytics_running_${op} after ${op} on processes
      referencing ${rows} table as changed for each statement execute function analytics_running_rows()`);
  }
  // A change of status or version per row, and only when one of the key's columns changed: most
  // updates of a process change none of them, and a row trigger with a condition costs nothing there.
  await run(`create function analytics_running_changed() returns trigger language plpgsql as $$
    begin
      insert into analytics_process_counts (definition_id, version, day, status, n, base)
      select d.* from (values (${processKey('old')}, -1::bigint, 0), (${processKey('new')}, 1::bigint, 0))
        d (definition_id, version, day, status, n, base)
      where d.status in ${RUNNING};
      return null;
    end $$`);
  await run(`create trigger analytics_running_changed after update of ${CHANGED.join(', ')} on processes
    for each row when ((old.status in ${RUNNING} or new.status in ${RUNNING})
      and (${CHANGED.map((c) => `old.${c} is distinct from new.${c}`).join(' or ')}))
    execute function analytics_running_changed()`);
}

export function m012(caps: DialectCapabilities) {
  return async (db: Db): Promise<void> => {
    const run = (text: string) => sql.raw(text).execute(db);
    if (caps.name === 'sqlite') await sqliteTriggers(run);
    else {
      // Filling the aggregates again from a large database takes longer than any request may.
      await run('set local statement_timeout = 0');
      await postgresTriggers(run);
    }
    // The open visits and running processes the aggregates now hold, with what they held.
    await rebuildAnalyticsRollups(db as Kysely<Database>, caps.name);
  };
}
