/**
 * The journal at scale: a text index for its search, status counters kept by the database itself,
 * and indexes so that every filter and sort order is a range scan, never a walk over `processes`.
 *
 * Everything here is kept in sync by triggers, so every writer (the engine, the services, bulk SQL)
 * updates the index and the counters in the same transaction as the rows they describe.
 *
 * Text index. SQLite: FTS5 with the trigram tokenizer (`case_sensitive 0` folds case in every
 * script, Cyrillic included) over `processes.note` and `counterparties.name`, as external-content
 * tables keyed by the rows' rowids (rowids survive the page-level backup; should they ever be
 * renumbered, `insert into processes_fts(processes_fts) values ('rebuild')` restores the index).
 * PostgreSQL: pg_trgm GIN indexes on `lower(note)` and `lower(name)`, the very expressions the
 * search compares, so the index answers the same `like` the query states. `pg_trgm` is a trusted
 * extension: the database owner may create it.
 *
 * Status counters. `process_counts` holds, per scope, definition and status, how many processes
 * there are: scope `*` counts all of them (what an administrator sees), scope `<employee id>` the
 * processes that employee is a member of (what a manager sees), each process once however many
 * roles the employee holds in it. Process members are only ever inserted and deleted. A count is
 * the sum of `n` over the rows of its key.
 *
 * SQLite has one writer at a time, so its triggers keep one row per key, updated in place. On
 * PostgreSQL an updated counter row would be locked until its transaction commits, and every
 * transaction that launches or finishes a process of a definition would queue behind the others on
 * that row; there the triggers only ever insert delta rows (`base` false), which nothing waits on,
 * and `compactProcessCounts` (process-counts.ts) folds committed deltas into one `base` row per key.
 */
import { type Kysely, sql } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';
import { changeSchema } from './ddl.ts';

type Db = Kysely<unknown>;

/**
 * The journal's indexes: each filter followed by a sort column and the id (keyset order), so a
 * page is the first rows of one range; the status (and the start time on `processes_updated`)
 * follow, so counts and the checks made while walking a sort index read the index alone.
 * Filters that hold few rows (a client's processes, a parent's children) sort them instead of
 * keeping a second index per sort order.
 */
const JOURNAL_INDEXES: readonly [string, readonly string[]][] = [
  ['processes_updated', ['updated_at', 'id', 'status', 'started_at']],
  ['processes_started', ['started_at', 'id', 'status']],
  ['processes_status_started', ['status', 'started_at', 'id']],
  ['processes_definition', ['definition_id', 'updated_at', 'id', 'status']],
  ['processes_definition_started', ['definition_id', 'started_at', 'id']],
  ['processes_stage', ['definition_id', 'stage_key', 'updated_at', 'id', 'status']],
  ['processes_responsible', ['responsible_id', 'updated_at', 'id', 'status']],
  ['processes_responsible_started', ['responsible_id', 'started_at', 'id']],
  ['processes_counterparty', ['counterparty_id', 'updated_at', 'id', 'status']],
  ['processes_initiator', ['initiator_id', 'updated_at', 'id', 'status']],
  ['processes_initiator_started', ['initiator_id', 'started_at', 'id']],
  ['processes_parent', ['parent_id', 'updated_at', 'id', 'status']],
];

async function journalIndexes(db: Db): Promise<void> {
  for (const [name, columns] of JOURNAL_INDEXES) {
    await db.schema.dropIndex(name).ifExists().execute();
    await db.schema
      .createIndex(name)
      .on('processes')
      .columns([...columns])
      .execute();
  }
  // Overdue tasks: open or pending ones by due time, giving their processes.
  await db.schema
    .createIndex('tasks_due_process')
    .on('tasks')
    .columns(['due_at', 'process_id'])
    .where(sql<boolean>`status <> 'done'`)
    .execute();
}

async function countsTable(db: Db, caps: DialectCapabilities): Promise<void> {
  if (caps.name === 'sqlite') {
    await changeSchema(db, {
      tables: {
        process_counts: {
          scope: 'text not null',
          definition_id: 'text not null',
          status: 'text not null',
          n: 'bigint not null',
        },
      },
      primaryKeys: { process_counts: ['scope', 'definition_id', 'status'] },
    });
    return;
  }
  // Delta rows and the base rows they are folded into; one base row per key at most.
  await sql`create table process_counts (
    scope text not null, definition_id text not null, status text not null, n bigint not null,
    base boolean not null default false)`.execute(db);
  await sql`create index process_counts_key on process_counts (scope, definition_id, status) include (n)`.execute(
    db,
  );
  await sql`create unique index process_counts_base on process_counts (scope, definition_id, status)
    where base`.execute(db);
}

/** Fills the counters from the rows already there (an existing database). */
async function fillCounts(db: Db, caps: DialectCapabilities): Promise<void> {
  // One row per key: on PostgreSQL these are the base rows.
  const into =
    caps.name === 'sqlite'
      ? sql`process_counts (scope, definition_id, status, n)`
      : sql`process_counts (scope, definition_id, status, n, base)`;
  const base = caps.name === 'sqlite' ? sql`` : sql`, true`;
  await sql`
    insert into ${into}
    select '*', definition_id, status, count(*) ${base} from processes group by definition_id, status`.execute(
    db,
  );
  await sql`
    insert into ${into}
    select m.employee_id, p.definition_id, p.status, count(*) ${base}
    from (select distinct process_id, employee_id from process_members) m
    join processes p on p.id = m.process_id
    group by m.employee_id, p.definition_id, p.status`.execute(db);
}

async function sqliteUp(db: Db, caps: DialectCapabilities): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`create virtual table processes_fts using fts5(
    note, content='processes', tokenize='trigram case_sensitive 0')`);
  await run(`create virtual table counterparties_fts using fts5(
    name, content='counterparties', tokenize='trigram case_sensitive 0')`);
  // Empty texts are not indexed (nothing to find in them), so insert and delete skip them alike.
  for (const [table, column] of [
    ['processes', 'note'],
    ['counterparties', 'name'],
  ] as const) {
    const fts = `${table}_fts`;
    await run(`create trigger ${fts}_insert after insert on ${table} when new.${column} <> '' begin
      insert into ${fts} (rowid, ${column}) values (new.rowid, new.${column});
    end`);
    await run(`create trigger ${fts}_delete after delete on ${table} when old.${column} <> '' begin
      insert into ${fts} (${fts}, rowid, ${column}) values ('delete', old.rowid, old.${column});
    end`);
    await run(`create trigger ${fts}_update after update of ${column} on ${table}
      when old.${column} is not new.${column} begin
      insert into ${fts} (${fts}, rowid, ${column}) select 'delete', old.rowid, old.${column} where old.${column} <> '';
      insert into ${fts} (rowid, ${column}) select new.rowid, new.${column} where new.${column} <> '';
    end`);
    await run(
      `insert into ${fts} (rowid, ${column}) select rowid, ${column} from ${table} where ${column} <> ''`,
    );
  }

  await countsTable(db, caps);
  await run(`create trigger process_counts_insert after insert on processes begin
    insert into process_counts (scope, definition_id, status, n) values ('*', new.definition_id, new.status, 1)
      on conflict do update set n = n + 1;
  end`);
  await run(`create trigger process_counts_update after update of status, definition_id on processes
    when old.status is not new.status or old.definition_id is not new.definition_id begin
    update process_counts set n = n - 1
      where definition_id = old.definition_id and status = old.status
        and (scope = '*' or scope in (select employee_id from process_members where process_id = old.id));
    insert into process_counts (scope, definition_id, status, n)
      select '*', new.definition_id, new.status, 1 where true
      union select employee_id, new.definition_id, new.status, 1 from process_members where process_id = new.id
      on conflict do update set n = n + 1;
  end`);
  await run(`create trigger process_counts_delete after delete on processes begin
    update process_counts set n = n - 1
      where scope = '*' and definition_id = old.definition_id and status = old.status;
  end`);
  // SQLite runs row triggers as each row is written, so "the first role" and "the last role" of an
  // employee in a process are seen one row at a time.
  await run(`create trigger process_counts_member_insert after insert on process_members
    when (select count(*) from process_members
          where process_id = new.process_id and employee_id = new.employee_id) = 1 begin
    insert into process_counts (scope, definition_id, status, n)
      select new.employee_id, definition_id, status, 1 from processes where id = new.process_id
      on conflict do update set n = n + 1;
  end`);
  await run(`create trigger process_counts_member_delete after delete on process_members
    when not exists (select 1 from process_members
                     where process_id = old.process_id and employee_id = old.employee_id) begin
    update process_counts set n = n - 1
      where scope = old.employee_id
        and (definition_id, status) = (select definition_id, status from processes where id = old.process_id);
  end`);
  await fillCounts(db, caps);
  await journalIndexes(db);
}

/**
 * PostgreSQL: the function `name` and its statement triggers after insert and after delete on
 * `table` (`process_counts_insert`/`_delete` on processes, `process_counts_member_…` on members),
 * inserting the delta rows `select` makes of the statement's rows (`changed`), with `sign` 1 for
 * an insert and -1 for a delete.
 */
async function statementCounter(
  run: (text: string) => Promise<unknown>,
  name: string,
  table: 'processes' | 'process_members',
  select: string,
): Promise<void> {
  await run(`create function ${name}() returns trigger language plpgsql as $$
    declare
      sign bigint := case when tg_op = 'INSERT' then 1 else -1 end;
    begin
      insert into process_counts (scope, definition_id, status, n)
      ${select};
      return null;
    end $$`);
  const trigger = table === 'processes' ? 'process_counts' : 'process_counts_member';
  for (const [op, rows] of [
    ['insert', 'new'],
    ['delete', 'old'],
  ] as const) {
    await run(`create trigger ${trigger}_${op} after ${op} on ${table}
    referencing ${rows} table as changed for each statement execute function ${name}()`);
  }
}

async function postgresUp(db: Db, caps: DialectCapabilities): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run('create extension if not exists pg_trgm');
  await run('create index processes_note_trgm on processes using gin (lower(note) gin_trgm_ops)');
  await run('create index counterparties_name_trgm on counterparties using gin (lower(name) gin_trgm_ops)');

  await countsTable(db, caps);
  // Inserted and deleted processes and members are counted once per statement from its
  // transition table (a bulk insert is one delta per counter, not one per row); a status change
  // is counted per row. Every trigger only inserts delta rows, so no two writers wait on each other.
  await run(`create function process_counts_on_status() returns trigger language plpgsql as $$
    begin
      insert into process_counts (scope, definition_id, status, n)
      select s.scope, d.definition_id, d.status, d.n
      from (values (old.definition_id, old.status, -1::bigint), (new.definition_id, new.status, 1::bigint))
             d (definition_id, status, n)
      cross join (select '*'::text as scope
                  union select employee_id from process_members where process_id = new.id) s;
      return null;
    end $$`);
  await run(`create trigger process_counts_update after update of status, definition_id on processes
    for each row when (old.status is distinct from new.status or old.definition_id is distinct from new.definition_id)
    execute function process_counts_on_status()`);
  await statementCounter(
    run,
    'process_counts_on_processes',
    'processes',
    `select '*', definition_id, status, sign * count(*) from changed group by definition_id, status`,
  );
  // A member counts when their first role in a process arrives and stops with their last: the
  // pairs of the statement's rows with no other row left for the pair (after the statement).
  await statementCounter(
    run,
    'process_counts_on_members',
    'process_members',
    `select m.employee_id, p.definition_id, p.status, sign * count(*)
      from (select distinct process_id, employee_id from changed) m
      join processes p on p.id = m.process_id
      where not exists (
        select 1 from process_members x
        where x.process_id = m.process_id and x.employee_id = m.employee_id
          and not exists (select 1 from changed c where c.process_id = x.process_id
                          and c.employee_id = x.employee_id and c.role = x.role))
      group by m.employee_id, p.definition_id, p.status`,
  );
  await fillCounts(db, caps);
  await journalIndexes(db);
}

export function m004(caps: DialectCapabilities) {
  return async (db: Db): Promise<void> => {
    if (caps.name === 'sqlite') await sqliteUp(db, caps);
    else await postgresUp(db, caps);
  };
}
