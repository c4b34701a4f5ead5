/**
 * The journal's overdue counts with no other filter read the status of each overdue process from
 * the indexes (`tasks.process_status`, kept by triggers): they must equal a count of the rows
 * themselves for every viewer, after processes change status with overdue tasks open, after tasks
 * are written for finished processes, and with processes overdue twice over.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countByStatus } from '../../src/store/journal.ts';
import { type Db, openStore, type Store } from '../../src/store/store.ts';
import type { Viewer } from '../../src/store/visibility.ts';
import { processRow } from '../support/rows.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const DEF = 'def-overdue';
const NOW = 1_000_000;
const PAST = 500_000;
const LATER = 2_000_000;

const viewers: Viewer[] = [
  { id: 'root', role: 'admin' },
  { id: 'anna', role: 'manager' },
  { id: 'boris', role: 'manager' },
  { id: 'vera', role: 'manager' },
];

type Counts = Record<'active' | 'paused' | 'completed' | 'cancelled', number>;

/** The overdue processes the viewer sees, per status, counted from the rows themselves. */
async function counted(db: Db, viewer: Viewer): Promise<Counts> {
  const visible =
    viewer.role === 'admin'
      ? sql`1 = 1`
      : sql`p.id in (select process_id from process_members where employee_id = ${viewer.id})`;
  const { rows } = await sql<{ status: keyof Counts; n: number | string }>`
    select p.status, count(*) as n from processes p
    where (p.due_at < ${NOW} or exists (select 1 from tasks t
        where t.process_id = p.id and t.status in ('open', 'pending') and t.due_at < ${NOW}))
      and ${visible}
    group by p.status`.execute(db);
  const out: Counts = { active: 0, paused: 0, completed: 0, cancelled: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

async function launch(tx: Db, id: string, members: readonly string[], dueAt: number | null = null) {
  await tx
    .insertInto('processes')
    .values(processRow({ id, definition_id: DEF, due_at: dueAt }))
    .execute();
  for (const [i, employee] of members.entries()) {
    await tx
      .insertInto('process_members')
      .values({ process_id: id, employee_id: employee, role: `role-${i}` } as never)
      .execute();
  }
}

let taskSeq = 0;
async function task(tx: Db, processId: string | null, status: string, dueAt: number | null): Promise<string> {
  const id = `task-${++taskSeq}`;
  await tx
    .insertInto('tasks')
    .values({
      id,
      process_id: processId,
      stage_key: 'start',
      visit: 1,
      title: 'Call',
      assignee_id: null,
      follows_responsible: 0,
      blocking: 0,
      status,
      starts_at: 0,
      due_at: dueAt,
      created_at: 0,
    } as never)
    .execute();
  return id;
}

async function setStatus(tx: Db, ids: readonly string[], status: string): Promise<void> {
  await tx
    .updateTable('processes')
    .set({ status } as never)
    .where('id', 'in', [...ids])
    .execute();
}

for (const kind of STORES) {
  describe(`${kind}: overdue counts`, () => {
    let db: TestDatabase;
    let store: Store;
    const expectCountsMatchRows = async () => {
      for (const viewer of viewers) {
        const counts = await countByStatus(store.db, store.caps, viewer, { overdue: true }, NOW);
        expect(counts, viewer.id).toEqual(await counted(store.db, viewer));
      }
    };

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/t.db` });
      await store.transaction(async (tx) => {
        for (const id of ['anna', 'boris', 'vera']) {
          await tx
            .insertInto('employees')
            .values({ id, login: id, name: id, role: 'manager', password_hash: 'x', created_at: 0 } as never)
            .execute();
        }
        await tx
          .insertInto('definitions')
          .values({
            id: DEF,
            name: DEF,
            draft: '{}',
            status: 'published',
            created_at: 0,
            updated_at: 0,
          } as never)
          .execute();
      });
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it('counts each overdue process once, with its current status, for every viewer', async () => {
      const later: Record<string, string> = {};
      await store.transaction(async (tx) => {
        // One overdue task; two overdue tasks (one pending); a stage past its deadline and a task.
        await launch(tx, 'one-task', ['anna', 'anna']);
        await task(tx, 'one-task', 'open', PAST);
        await launch(tx, 'two-tasks', ['anna', 'boris']);
        await task(tx, 'two-tasks', 'open', PAST);
        await task(tx, 'two-tasks', 'pending', PAST + 1);
        await launch(tx, 'stage-and-task', ['boris'], PAST);
        await task(tx, 'stage-and-task', 'open', PAST);
        await launch(tx, 'stage-only', ['anna'], PAST);
        // Not overdue: a task done past due, a task due later, a stage due later, no task at all.
        await launch(tx, 'done-task', ['anna', 'boris']);
        await task(tx, 'done-task', 'done', PAST);
        await launch(tx, 'due-later', ['anna'], LATER);
        await task(tx, 'due-later', 'open', LATER);
        await launch(tx, 'no-task', ['boris']);
        await task(tx, 'no-task', 'open', null);
        // A task of no process is not counted.
        await task(tx, null, 'open', PAST);
        // Processes that change status while their overdue tasks stay open.
        for (const id of ['to-complete', 'to-cancel', 'to-pause', 'paused-resumed']) {
          await launch(tx, id, ['boris', 'anna']);
          later[id] = await task(tx, id, 'open', PAST);
        }
        await launch(tx, 'task-closed-later', ['anna']);
        later['task-closed-later'] = await task(tx, 'task-closed-later', 'open', PAST);
      });
      await expectCountsMatchRows();
      expect(await countByStatus(store.db, store.caps, viewers[0]!, { overdue: true }, NOW)).toEqual({
        active: 9,
        paused: 0,
        completed: 0,
        cancelled: 0,
      });

      await store.transaction(async (tx) => {
        // Two processes in one statement, as bulk actions change them.
        await setStatus(tx, ['to-complete', 'finished-first'], 'completed');
        await setStatus(tx, ['to-cancel'], 'cancelled');
        await setStatus(tx, ['to-pause', 'paused-resumed'], 'paused');
        await setStatus(tx, ['paused-resumed'], 'active');
        await tx
          .updateTable('tasks')
          .set({ status: 'done' } as never)
          .where('id', '=', later['task-closed-later']!)
          .execute();
        // A task written for a process already finished takes its status.
        await launch(tx, 'finished-first', ['vera']);
        await setStatus(tx, ['finished-first'], 'completed');
        await task(tx, 'finished-first', 'open', PAST);
      });
      await expectCountsMatchRows();
      expect(await countByStatus(store.db, store.caps, viewers[0]!, { overdue: true }, NOW)).toEqual({
        active: 5,
        paused: 1,
        completed: 2,
        cancelled: 1,
      });
      expect(await countByStatus(store.db, store.caps, viewers[3]!, { overdue: true }, NOW)).toEqual({
        active: 0,
        paused: 0,
        completed: 1,
        cancelled: 0,
      });
      expect(await countByStatus(store.db, store.caps, viewers[2]!, { overdue: true }, NOW)).toEqual({
        active: 3,
        paused: 1,
        completed: 1,
        cancelled: 1,
      });
    });
  });
}
