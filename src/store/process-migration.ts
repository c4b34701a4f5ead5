/** What moving processes between definition versions reads and writes. */
import { sql } from 'kysely';
import type { ProcessRow } from './processes.ts';
import type { Db } from './store.ts';

/**
 * Ids of the running (active or paused) processes of one definition version after `afterId`, in id
 * order: a keyset page, so a long migration goes page by page and never holds one transaction.
 */
export async function runningProcessIds(
  db: Db,
  definitionId: string,
  version: number,
  afterId: string | undefined,
  limit: number,
): Promise<string[]> {
  let q = db
    .selectFrom('processes')
    .select('id')
    .where('definition_id', '=', definitionId)
    .where('definition_version', '=', version)
    // Stated as the partial index `processes_running_version` states it, so both databases use it.
    .where(sql<boolean>`status in ('active', 'paused')`);
  if (afterId !== undefined) q = q.where('id', '>', afterId);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** The timers of one process, by kind and key. */
export async function timersOfProcess(db: Db, processId: string): Promise<{ kind: string; key: string }[]> {
  return db
    .selectFrom('timers')
    .select(['kind', 'key'])
    .where('process_id', '=', processId)
    .orderBy('key')
    .execute();
}

/** Tasks of one stage visit that are not done, in id order. */
export async function unfinishedTasksOfVisit(
  db: Db,
  processId: string,
  visit: number,
): Promise<{ id: string; blocking: boolean; stage_key: string | null }[]> {
  const rows = await db
    .selectFrom('tasks')
    .select(['id', 'blocking', 'stage_key'])
    .where('process_id', '=', processId)
    .where('visit', '=', visit)
    .where('status', '!=', 'done')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, blocking: r.blocking === 1, stage_key: r.stage_key }));
}

/** Files these tasks of a process under another stage. */
export async function restageTasks(
  db: Db,
  processId: string,
  taskIds: readonly string[],
  stageKey: string,
): Promise<void> {
  if (taskIds.length === 0) return;
  await db
    .updateTable('tasks')
    .set({ stage_key: stageKey })
    .where('process_id', '=', processId)
    .where('id', 'in', [...taskIds])
    .execute();
}

/** What a preview of many processes' migration reads of each: its row, timers and unfinished tasks. */
export interface MigrationInputs {
  readonly rows: ProcessRow[];
  /** Per process, its timers in key order. */
  readonly timers: Map<string, { kind: string; key: string }[]>;
  /** Per process, the tasks of its current visit that are not done, in id order. */
  readonly unfinishedTasks: Map<string, { id: string; blocking: boolean; stage_key: string | null }[]>;
}

/**
 * The rows, timers and unfinished tasks of many processes in three statements, read as
 * `timersOfProcess` and `unfinishedTasksOfVisit` read them for one (a task counts when it belongs
 * to the visit its process is at).
 */
export async function migrationInputsOf(db: Db, processIds: readonly string[]): Promise<MigrationInputs> {
  const empty = { rows: [], timers: new Map(), unfinishedTasks: new Map() };
  if (processIds.length === 0) return empty;
  const ids = [...processIds];
  const rows = await db.selectFrom('processes').selectAll().where('id', 'in', ids).execute();
  const timers = new Map<string, { kind: string; key: string }[]>();
  for (const t of await db
    .selectFrom('timers')
    .select(['process_id', 'kind', 'key'])
    .where('process_id', 'in', ids)
    .orderBy('key')
    .execute()) {
    if (t.process_id === null) continue;
    const list = timers.get(t.process_id) ?? [];
    list.push({ kind: t.kind, key: t.key });
    timers.set(t.process_id, list);
  }
  const visitOf = new Map(rows.map((r) => [r.id, r.visit]));
  const unfinishedTasks = new Map<string, { id: string; blocking: boolean; stage_key: string | null }[]>();
  for (const t of await db
    .selectFrom('tasks')
    .select(['process_id', 'visit', 'id', 'blocking', 'stage_key'])
    .where('process_id', 'in', ids)
    .where('status', '!=', 'done')
    .orderBy('id')
    .execute()) {
    if (t.process_id === null || visitOf.get(t.process_id) !== t.visit) continue;
    const list = unfinishedTasks.get(t.process_id) ?? [];
    list.push({ id: t.id, blocking: t.blocking === 1, stage_key: t.stage_key });
    unfinishedTasks.set(t.process_id, list);
  }
  return { rows, timers, unfinishedTasks };
}
