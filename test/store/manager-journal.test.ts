/**
 * A manager's journal filtered by start time, responsible, initiator, stage, "mine" and "overdue": its
 * counts and its pages must equal what the rows themselves say, after any mix of the writes the
 * application makes (launches, status, responsible and deadline changes, tasks written, closed and
 * moved, roles granted and taken away, several at once). On PostgreSQL those counts and pages read
 * the manager's own rows in `process_viewers` (migration 011), kept by triggers; there the table
 * must also equal its definition after every round.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countByStatus, type JournalFilter, listProcesses } from '../../src/store/journal.ts';
import type { ProcessTable } from '../../src/store/schema.ts';
import { type Db, openStore, type Store } from '../../src/store/store.ts';
import type { Viewer } from '../../src/store/visibility.ts';
import { processRow } from '../support/rows.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const DEF = 'def-mj';
const NOW = 1_000_000;
const EMPLOYEES = ['anna', 'boris', 'vera'] as const;
const STATUSES = ['active', 'paused', 'completed', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];
type Counts = Record<Status, number>;

const employee = fc.constantFrom(...EMPLOYEES);
const time = fc.constantFrom(100_000, 400_000, 700_000, 1_300_000);
const maybeTime = fc.option(time, { nil: null });

/** One write, on the processes and tasks of the round (named by index, taken modulo their count). */
const write = fc.oneof(
  fc.record({
    kind: fc.constant('launch' as const),
    members: fc.uniqueArray(fc.tuple(employee, fc.constantFrom('initiator', 'responsible', 'view', 'edit')), {
      maxLength: 4,
      selector: ([e, r]) => `${e}/${r}`,
    }),
    responsible: fc.option(employee, { nil: null }),
    initiator: employee,
    started: time,
    due: maybeTime,
  }),
  fc.record({ kind: fc.constant('status' as const), p: fc.nat(), status: fc.constantFrom(...STATUSES) }),
  fc.record({
    kind: fc.constant('responsible' as const),
    p: fc.nat(),
    to: fc.option(employee, { nil: null }),
  }),
  fc.record({ kind: fc.constant('due' as const), p: fc.nat(), due: maybeTime }),
  fc.record({
    kind: fc.constant('stage' as const),
    p: fc.nat(),
    to: fc.constantFrom('start', 'call', 'offer'),
  }),
  fc.record({
    kind: fc.constant('task' as const),
    p: fc.nat(),
    status: fc.constantFrom('open', 'pending', 'done'),
    due: maybeTime,
  }),
  fc.record({ kind: fc.constant('closeTask' as const), t: fc.nat() }),
  fc.record({ kind: fc.constant('taskDue' as const), t: fc.nat(), due: maybeTime }),
  fc.record({ kind: fc.constant('moveTask' as const), t: fc.nat(), p: fc.nat() }),
  fc.record({
    kind: fc.constant('grant' as const),
    p: fc.nat(),
    who: employee,
    role: fc.constantFrom('view', 'edit'),
  }),
  fc.record({ kind: fc.constant('revoke' as const), p: fc.nat(), who: employee }),
);

interface Row {
  id: string;
  status: Status;
  started_at: number;
  updated_at: number;
  responsible_id: string | null;
  initiator_id: string;
  definition_id: string;
  stage_key: string;
  due_at: number | null;
}

/** What the rows say: the processes a manager sees that match the filter (its status aside). */
async function expected(db: Db, viewer: Viewer, filter: JournalFilter): Promise<Row[]> {
  const processes = (await db
    .selectFrom('processes')
    .selectAll()
    .where('definition_id', '=', DEF)
    .execute()) as Row[];
  const members = await db.selectFrom('process_members').select(['process_id', 'employee_id']).execute();
  const tasks = await db.selectFrom('tasks').select(['process_id', 'status', 'due_at']).execute();
  const sees = new Set(members.filter((m) => m.employee_id === viewer.id).map((m) => m.process_id));
  return processes.filter(
    (p) =>
      (viewer.role === 'admin' || sees.has(p.id)) &&
      (!filter.definitionId || p.definition_id === filter.definitionId) &&
      (!filter.stageKey || p.stage_key === filter.stageKey) &&
      (filter.startedFrom === undefined || Number(p.started_at) >= filter.startedFrom) &&
      (filter.startedTo === undefined || Number(p.started_at) <= filter.startedTo) &&
      (!filter.responsibleId || p.responsible_id === filter.responsibleId) &&
      (!filter.initiatorId || p.initiator_id === filter.initiatorId) &&
      (!filter.mine || p.responsible_id === viewer.id || p.initiator_id === viewer.id) &&
      (!filter.overdue ||
        (p.due_at !== null && Number(p.due_at) < NOW) ||
        tasks.some(
          (t) => t.process_id === p.id && t.status !== 'done' && t.due_at !== null && Number(t.due_at) < NOW,
        )),
  );
}

function countsOf(rows: readonly Row[]): Counts {
  const out: Counts = { active: 0, paused: 0, completed: 0, cancelled: 0 };
  for (const r of rows) out[r.status] += 1;
  return out;
}

/** Every page of the journal, three rows a page, newest updated first. */
async function allPages(store: Store, viewer: Viewer, filter: JournalFilter): Promise<string[]> {
  const ids: string[] = [];
  let after: { value: number; id: string } | undefined;
  for (let guard = 0; guard < 200; guard += 1) {
    const page = await listProcesses(store.db, store.caps, viewer, filter, {
      sort: '-updatedAt',
      limit: 3,
      after,
      now: NOW,
    });
    ids.push(...page.rows.map((r) => r.id));
    if (!page.next) return ids;
    after = page.next;
  }
  throw new Error('the pages did not end');
}

const FILTERS: readonly JournalFilter[] = [
  { startedFrom: 300_000, startedTo: 800_000 },
  { startedFrom: 400_000 },
  { responsibleId: 'boris' },
  { responsibleId: 'anna', status: ['active'] },
  { initiatorId: 'vera' },
  { initiatorId: 'anna', responsibleId: 'boris' },
  { overdue: true },
  { overdue: true, responsibleId: 'vera' },
  { mine: true },
  { mine: true, startedTo: 700_000 },
  { definitionId: DEF, stageKey: 'call' },
  { definitionId: DEF, stageKey: 'offer', overdue: true },
  { definitionId: DEF, startedTo: 400_000 },
];

/** The managers, and an administrator (who sees every process). */
const VIEWERS: readonly Viewer[] = [
  ...EMPLOYEES.map((id): Viewer => ({ id, role: 'manager' })),
  { id: 'root', role: 'admin' },
];

for (const kind of STORES) {
  describe(`${kind}: a manager's journal by start, responsible, initiator, stage, mine and overdue`, () => {
    let db: TestDatabase;
    let store: Store;
    let round = 0;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/t.db` });
      await store.transaction(async (tx) => {
        for (const id of EMPLOYEES) {
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

    it('counts and pages equal what the rows say after any mix of writes', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(write, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
          async (transactions) => {
            round += 1;
            const processes: string[] = [];
            const tasks: string[] = [];
            let clock = round * 1000;
            for (const writes of transactions) {
              await store.transaction(async (tx) => {
                for (const w of writes) {
                  clock += 1;
                  const p = processes.length > 0 && 'p' in w ? processes[w.p % processes.length]! : undefined;
                  const t = tasks.length > 0 && 't' in w ? tasks[w.t % tasks.length]! : undefined;
                  const touch = (id: string, set: Partial<ProcessTable>) =>
                    tx
                      .updateTable('processes')
                      .set({ ...set, updated_at: clock } as never)
                      .where('id', '=', id)
                      .execute();
                  if (w.kind === 'launch') {
                    const id = `r${round}-p${processes.length}`;
                    processes.push(id);
                    await tx
                      .insertInto('processes')
                      .values(
                        processRow({
                          id,
                          definition_id: DEF,
                          responsible_id: w.responsible,
                          initiator_id: w.initiator,
                          started_at: w.started,
                          updated_at: clock,
                          due_at: w.due,
                        }),
                      )
                      .execute();
                    if (w.members.length > 0) {
                      await tx
                        .insertInto('process_members')
                        .values(
                          w.members.map(([e, role]) => ({ process_id: id, employee_id: e, role })) as never,
                        )
                        .execute();
                    }
                  } else if (w.kind === 'status' && p) await touch(p, { status: w.status });
                  else if (w.kind === 'responsible' && p) await touch(p, { responsible_id: w.to });
                  else if (w.kind === 'due' && p) await touch(p, { due_at: w.due });
                  else if (w.kind === 'stage' && p) await touch(p, { stage_key: w.to });
                  else if (w.kind === 'task' && p) {
                    const id = `r${round}-t${tasks.length}`;
                    tasks.push(id);
                    await tx
                      .insertInto('tasks')
                      .values({
                        id,
                        process_id: p,
                        stage_key: 'start',
                        visit: 1,
                        title: 'Call',
                        assignee_id: null,
                        follows_responsible: 0,
                        blocking: 0,
                        status: w.status,
                        starts_at: 0,
                        due_at: w.due,
                        created_at: 0,
                      } as never)
                      .execute();
                  } else if (w.kind === 'closeTask' && t) {
                    await tx
                      .updateTable('tasks')
                      .set({ status: 'done' } as never)
                      .where('id', '=', t)
                      .execute();
                  } else if (w.kind === 'taskDue' && t) {
                    await tx
                      .updateTable('tasks')
                      .set({ due_at: w.due } as never)
                      .where('id', '=', t)
                      .execute();
                  } else if (w.kind === 'moveTask' && t && p) {
                    await tx
                      .updateTable('tasks')
                      .set({ process_id: p } as never)
                      .where('id', '=', t)
                      .execute();
                  } else if (w.kind === 'grant' && p) {
                    await tx
                      .insertInto('process_members')
                      .values({ process_id: p, employee_id: w.who, role: w.role } as never)
                      .onConflict((oc) => oc.doNothing())
                      .execute();
                  } else if (w.kind === 'revoke' && p) {
                    // Every role of one employee, as taking away access does; or one of two.
                    await tx
                      .deleteFrom('process_members')
                      .where('process_id', '=', p)
                      .where('employee_id', '=', w.who)
                      .where(
                        'role',
                        'in',
                        w.who === 'anna' ? ['view', 'edit'] : ['initiator', 'responsible', 'view', 'edit'],
                      )
                      .execute();
                  }
                }
              });
            }
            for (const viewer of VIEWERS) {
              const { id } = viewer;
              for (const filter of FILTERS) {
                const rows = await expected(store.db, viewer, filter);
                const what = `${id} ${JSON.stringify(filter)}`;
                expect(await countByStatus(store.db, store.caps, viewer, filter, NOW), what).toEqual(
                  countsOf(rows),
                );
                const wanted = rows
                  .filter((r) => !filter.status || filter.status.includes(r.status))
                  .sort(
                    (a, b) =>
                      Number(b.updated_at) - Number(a.updated_at) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0),
                  )
                  .map((r) => r.id);
                expect(await allPages(store, viewer, filter), what).toEqual(wanted);
              }
            }
            if (store.caps.name === 'postgres') {
              // The rows as migration 011 defines them: one per member and process, one for `*` per process
              // that can be overdue.
              const defined = sql`select p.id, m.employee_id, p.status, p.started_at, p.responsible_id,
                  p.initiator_id, p.definition_id,
                  least(p.due_at, (select min(t.due_at) from tasks t where t.process_id = p.id and t.status <> 'done'))
                from (select distinct process_id, employee_id from process_members
                      union all select id, '*' from processes) m
                join processes p on p.id = m.process_id
                where m.employee_id <> '*' or least(p.due_at, (select min(t.due_at) from tasks t
                  where t.process_id = p.id and t.status <> 'done')) is not null`;
              const kept = sql`select process_id, employee_id, status, started_at, responsible_id, initiator_id,
                  definition_id, overdue_at from process_viewers`;
              const { rows: drift } = await sql<{ n: string }>`select count(*) as n from (
                (${kept} except ${defined}) union all (${defined} except ${kept})) d`.execute(store.db);
              expect(Number(drift[0]?.n), 'process_viewers differs from its definition').toBe(0);
            }
          },
        ),
        {
          numRuns: 25,
          // Later runs see the rows of earlier ones: shrinking would name the wrong writes.
          endOnFailure: true,
          // An overdue task moved to another process, closed, and its process's deadline cleared.
          examples: [
            [
              [
                [
                  {
                    kind: 'launch',
                    members: [['anna', 'view']],
                    responsible: 'boris',
                    initiator: 'vera',
                    started: 100_000,
                    due: null,
                  },
                  {
                    kind: 'launch',
                    members: [
                      ['anna', 'edit'],
                      ['boris', 'view'],
                    ],
                    responsible: null,
                    initiator: 'anna',
                    started: 400_000,
                    due: 100_000,
                  },
                  { kind: 'task', p: 0, status: 'open', due: 400_000 },
                ],
                [{ kind: 'moveTask', t: 0, p: 1 }],
                [
                  { kind: 'due', p: 1, due: null },
                  { kind: 'revoke', p: 1, who: 'anna' },
                ],
                [
                  { kind: 'closeTask', t: 0 },
                  { kind: 'grant', p: 1, who: 'anna', role: 'view' },
                ],
              ],
            ],
          ],
        },
      );
    });
  });
}
