/**
 * The journal's overdue counts read indexes only. Overdue processes are found from two indexes
 * (open tasks past due, stages past their deadline), but counting them per status looked every
 * one of them up in `processes`: 50,000 overdue processes were 50,000 random row reads.
 *
 * - `tasks.process_status`: the status of the task's process, kept by triggers (set when a task
 *   is written, rewritten when its process changes status), so `tasks_due_process` (due time,
 *   process, its status; open and pending tasks) gives both.
 * - `processes_due` holds the status too.
 *
 * A process changes status rarely (completed, cancelled, paused, resumed) and has few tasks, so
 * the triggers write little.
 */
import { type Kysely, sql } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';
import { changeSchema } from './ddl.ts';

type Db = Kysely<unknown>;

export function m010(caps: DialectCapabilities) {
  return async (db: Db): Promise<void> => {
    const run = (text: string) => sql.raw(text).execute(db);
    await changeSchema(db, {
      dropIndexes: ['tasks_due_process', 'processes_due'],
      addColumns: { tasks: { process_status: 'text' } },
    });
    await run(`update tasks set process_status = (select p.status from processes p where p.id = tasks.process_id)
      where process_id is not null`);
    if (caps.name === 'sqlite') {
      await run(`create trigger tasks_process_status after insert on tasks when new.process_id is not null begin
        update tasks set process_status = (select status from processes where id = new.process_id)
          where rowid = new.rowid;
      end`);
      await run(`create trigger tasks_process_status_moved after update of process_id on tasks
        when new.process_id is not old.process_id begin
        update tasks set process_status = (select status from processes where id = new.process_id)
          where rowid = new.rowid;
      end`);
      await run(`create trigger processes_status_tasks after update of status on processes
        when old.status is not new.status begin
        update tasks set process_status = new.status where process_id = new.id;
      end`);
    } else {
      await run(`create function tasks_process_status() returns trigger language plpgsql as $$
        begin
          new.process_status := (select status from processes where id = new.process_id);
          return new;
        end $$`);
      await run(`create trigger tasks_process_status before insert or update of process_id on tasks
        for each row execute function tasks_process_status()`);
      await run(`create function processes_status_tasks() returns trigger language plpgsql as $$
        begin
          update tasks set process_status = new.status where process_id = new.id;
          return null;
        end $$`);
      await run(`create trigger processes_status_tasks after update of status on processes
        for each row when (old.status is distinct from new.status)
        execute function processes_status_tasks()`);
    }
    await changeSchema(db, {
      indexes: {
        // The task's own status too: SQLite reads a partial index alone only if it holds every
        // column the query names.
        tasks_due_process: "tasks (due_at, process_id, process_status, status) where status <> 'done'",
        processes_due: 'processes (due_at, id, status) where due_at is not null',
      },
    });
  };
}
