/**
 * PostgreSQL: journal counts that read one range of the viewer's own rows. A manager sees the
 * processes she is a member of; a count of those matching a filter (a month of starts, a
 * responsible, an initiator, a stage, the overdue ones) probed her membership once per process the
 * filter gives — tens of thousands of index probes at a million processes, or a hash of all her
 * member rows — and took 60–200 ms. An administrator's overdue count united the overdue tasks'
 * processes with the processes past their deadline to count each once (50,000 of them: 45 ms).
 *
 * `process_viewers` holds one row per employee and process they are a member of (however many
 * roles they hold in it), and for `*`, the administrator's scope as in `process_counts`, one row per
 * process that can be overdue (a deadline, or an unfinished task with a due time), with the process's columns those filters compare: status, start time,
 * responsible, initiator, definition, and `overdue_at`, the earliest of its stage's deadline and
 * its unfinished tasks' due times (the journal's "overdue" is `overdue_at < now`). Each filter has
 * an index led by the employee, so a count is one range, read from the index alone; a stage's
 * count joins her rows of the definition with the stage's processes (the process's own index). The
 * stage itself is not copied: every stage move would then rewrite a handful of rows and their
 * index entries (measured: +0.17 ms of the database's time per move). The `*` rows are in the
 * overdue index only (the process's own indexes answer the rest), and a process that cannot be
 * overdue has none: a change to it writes only its members' rows.
 *
 * Triggers keep the rows in the same transaction as the rows they copy: a process launched,
 * members arriving and leaving (per statement, from the transition tables), a process's status,
 * responsible or deadline changing, and tasks being written. Each writes only the rows of the
 * processes it touched.
 *
 * SQLite reads a process row or a member row by its key at little cost, and its journal counts are
 * within the goal without this (bench/notes/journal.md): there is nothing to keep.
 */
import { type Kysely, sql } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';

type Db = Kysely<unknown>;

/** The earliest of the process `p`'s stage deadline and its unfinished tasks' due times. */
const OVERDUE_AT = `least(p.due_at, (select min(t.due_at) from tasks t
  where t.process_id = p.id and t.status <> 'done'))`;

/** The columns of the process `p` a row copies, in the table's order. */
const COPIED = `p.status, p.started_at, p.responsible_id, p.initiator_id, p.definition_id,
  ${OVERDUE_AT}`;

/**
 * The `*` rows of the processes in `from` (aliased `p`) that have an `overdue_at`: only those can
 * be overdue, and only "overdue" is asked of the `*` rows.
 */
const ADMIN_ROWS = (from: string) => `
  select * from (select p.id, '*', ${COPIED} as overdue_at from ${from}) r where r.overdue_at is not null`;

/**
 * Sets `overdue_at` again for the processes the list `ids` names (a select, or one id): their
 * members' rows take it, and their `*` row comes or goes with it.
 */
const REFRESH_OVERDUE = (ids: string) => `
  with x as materialized (select p.id, ${OVERDUE_AT} as overdue_at from processes p where p.id in (${ids})),
  kept as (
    update process_viewers v set overdue_at = x.overdue_at from x
    where v.process_id = x.id and v.overdue_at is distinct from x.overdue_at
      and (v.employee_id <> '*' or x.overdue_at is not null)),
  added as (
    insert into process_viewers
    select p.id, '*', p.status, p.started_at, p.responsible_id, p.initiator_id, p.definition_id, x.overdue_at
    from x join processes p on p.id = x.id where x.overdue_at is not null
    on conflict do nothing)
  delete from process_viewers v using x
  where v.process_id = x.id and v.employee_id = '*' and x.overdue_at is null`;

/**
 * Every statement of these triggers reads rows by key (a process, its tasks, its viewer rows). Their
 * plans are made once per connection, and one made while the tables were small (a database being
 * filled before any statistics) reads whole tables instead: the member rows of a 100,000-process
 * slice then took minutes. Planned without sequential scans, each stays a lookup by key.
 */
const KEYED = 'set enable_seqscan = off';

type Run = (text: string) => Promise<unknown>;

/**
 * The indexes of `process_viewers`, by name, built by `fillViewerRows` once the rows are in. Each
 * holds the status (the counts group by it); a page's ids come from the process in the
 * responsible's and the initiator's. Only "overdue" is asked of the administrator's rows.
 */
const VIEWER_INDEXES = [
  ['process_viewers_started', "(employee_id, started_at) include (status) where employee_id <> '*'"],
  [
    'process_viewers_definition',
    "(employee_id, definition_id) include (status, process_id) where employee_id <> '*'",
  ],
  [
    'process_viewers_responsible',
    "(employee_id, responsible_id) include (status, process_id) where employee_id <> '*'",
  ],
  [
    'process_viewers_initiator',
    "(employee_id, initiator_id) include (status, process_id) where employee_id <> '*'",
  ],
  ['process_viewers_overdue', '(employee_id, overdue_at) include (status) where overdue_at is not null'],
] as const;

/** Fills the empty `process_viewers` from the members and processes there are, then indexes it. */
async function fillViewerRows(run: Run): Promise<void> {
  await run(`insert into process_viewers
    select p.id, m.employee_id, ${COPIED}
    from (select distinct process_id, employee_id from process_members) m
    join processes p on p.id = m.process_id
    union all
    ${ADMIN_ROWS('processes p')}`);
  for (const [name, columns] of VIEWER_INDEXES)
    await run(`create index ${name} on process_viewers ${columns}`);
  // The planner's statistics now, not when autovacuum gets round to a table it has not seen.
  await run('analyze process_viewers');
}

/**
 * The triggers that write viewer rows as processes, members and tasks are inserted. A bulk load
 * (the journal benchmark's million processes) may turn them off and fill the table once afterwards
 * with `refillViewerRows`, as this migration fills it on a database that already has processes.
 */
export const VIEWER_INSERT_TRIGGERS = [
  { table: 'processes', trigger: 'process_viewers_launched' },
  { table: 'process_members', trigger: 'process_viewers_members_in' },
  { table: 'tasks', trigger: 'process_viewers_tasks_insert' },
] as const;

/** Empties `process_viewers` and fills it again from what there is, its indexes built afterwards. */
export async function refillViewerRows(run: Run): Promise<void> {
  for (const [name] of VIEWER_INDEXES) await run(`drop index if exists ${name}`);
  await run('truncate process_viewers');
  await fillViewerRows(run);
}

export function m011(caps: DialectCapabilities) {
  return async (db: Db): Promise<void> => {
    if (caps.name !== 'postgres') return;
    const run = (text: string) => sql.raw(text).execute(db);
    // Filling it from a large database's members takes longer than any request may (the
    // migrations run in one transaction, which this setting lasts until).
    await run('set local statement_timeout = 0');
    await run(`create table process_viewers (
      process_id text not null, employee_id text not null,
      status text not null, started_at bigint not null, responsible_id text, initiator_id text not null,
      definition_id text not null, overdue_at bigint,
      primary key (process_id, employee_id))`);
    await fillViewerRows(run);

    // Members: an employee's first role in a process brings the row, their last one takes it away.
    await run(`create function process_viewers_members_in() returns trigger language plpgsql ${KEYED} as $$
      begin
        insert into process_viewers
        select p.id, m.employee_id, ${COPIED}
        from (select distinct process_id, employee_id from changed) m
        join processes p on p.id = m.process_id
        on conflict do nothing;
        return null;
      end $$`);
    await run(`create trigger process_viewers_members_in after insert on process_members
      referencing new table as changed for each statement execute function process_viewers_members_in()`);
    await run(`create function process_viewers_members_out() returns trigger language plpgsql ${KEYED} as $$
      begin
        delete from process_viewers v
        using (select distinct process_id, employee_id from changed) m
        where v.process_id = m.process_id and v.employee_id = m.employee_id
          and not exists (select 1 from process_members x
                          where x.process_id = m.process_id and x.employee_id = m.employee_id);
        return null;
      end $$`);
    await run(`create trigger process_viewers_members_out after delete on process_members
      referencing old table as changed for each statement execute function process_viewers_members_out()`);

    // A process's own row, and its copied columns.
    await run(`create function process_viewers_launched() returns trigger language plpgsql ${KEYED} as $$
      begin
        insert into process_viewers ${ADMIN_ROWS('changed p')};
        return null;
      end $$`);
    await run(`create trigger process_viewers_launched after insert on processes
      referencing new table as changed for each statement execute function process_viewers_launched()`);
    // Per row, and only when a copied column changed: most updates of a process change none of
    // them (a stage move changes its stage, time and version), and a row trigger with a condition
    // costs nothing there, where a statement trigger fills its transition tables on every update.
    const copied = ['status', 'started_at', 'responsible_id', 'initiator_id', 'definition_id', 'due_at'];
    await run(`create function process_viewers_process() returns trigger language plpgsql ${KEYED} as $$
      begin
        if tg_op = 'DELETE' then
          delete from process_viewers where process_id = old.id;
          return null;
        end if;
        update process_viewers v set status = new.status, started_at = new.started_at,
          responsible_id = new.responsible_id, initiator_id = new.initiator_id,
          definition_id = new.definition_id
        where v.process_id = new.id;
        if old.due_at is distinct from new.due_at then
          ${REFRESH_OVERDUE('new.id')};
        end if;
        return null;
      end $$`);
    await run(`create trigger process_viewers_process after update of ${copied.join(', ')} on processes
      for each row when (${copied.map((c) => `old.${c} is distinct from new.${c}`).join(' or ')})
      execute function process_viewers_process()`);
    await run(`create trigger process_viewers_process_delete after delete on processes for each row
      execute function process_viewers_process()`);

    // Tasks: their processes' overdue_at again, per statement (an update may move a task between
    // processes, so both its old and its new process).
    for (const [op, tables, ids] of [
      ['insert', 'new table as changed', 'select process_id from changed'],
      ['delete', 'old table as changed', 'select process_id from changed'],
      [
        'update',
        'old table as before new table as changed',
        'select process_id from before union select process_id from changed',
      ],
    ] as const) {
      await run(`create function process_viewers_tasks_${op}() returns trigger language plpgsql ${KEYED} as $$
        begin
          ${REFRESH_OVERDUE(ids)};
          return null;
        end $$`);
      await run(`create trigger process_viewers_tasks_${op} after ${op} on tasks
        referencing ${tables} for each statement execute function process_viewers_tasks_${op}()`);
    }
  };
}
