/** Tasks and events of processes: lists filtered by access, and completing a task. */

import { isoTime } from '../domain/clock.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { mayCompleteTask } from '../domain/process/stage-ownership.ts';
import { accessOf, recordChange, type TaskRow } from '../store/processes.ts';
import type { Db } from '../store/store.ts';
import { visibleTo } from '../store/visibility.ts';
import type { Actor, EngineContext } from './context.ts';
import { decodeIdCursor, idPageOf } from './cursor.ts';
import { processCard } from './process-card.ts';
import { inTransaction } from './run-command.ts';

function taskView(row: TaskRow, names: ReadonlyMap<string, string>, now: number) {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    processId: row.process_id,
    stageKey: row.stage_key,
    assignee: row.assignee_id ? { id: row.assignee_id, name: names.get(row.assignee_id) ?? '' } : null,
    assigneeId: row.assignee_id,
    blocking: row.blocking === 1,
    status: row.status,
    startsAt: isoTime(row.starts_at),
    dueAt: isoTime(row.due_at),
    overdue: row.status !== 'done' && row.due_at !== null && row.due_at < now,
    createdAt: isoTime(row.created_at),
    completedAt: isoTime(row.completed_at),
    completedBy: row.completed_by,
  };
}

export type TaskView = ReturnType<typeof taskView>;

async function employeeNames(db: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('employees').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export interface TaskFilter {
  readonly assigneeId?: string | undefined;
  readonly processId?: string | undefined;
  readonly status?: TaskRow['status'] | undefined;
  readonly limit: number;
  readonly after?: string | undefined;
}

/** Tasks the viewer may see: their own, and those of processes they may see. */
export async function listTasks(ctx: EngineContext, viewer: Actor, filter: TaskFilter) {
  const db = ctx.store.db;
  let q = db.selectFrom('tasks').selectAll('tasks');
  if (viewer.role !== 'admin') {
    q = q.where((eb) =>
      eb.or([
        eb('tasks.assignee_id', '=', viewer.id),
        eb.exists(
          eb
            .selectFrom('processes as p')
            .select('p.id')
            .whereRef('p.id', '=', 'tasks.process_id')
            .where(visibleTo(viewer)),
        ),
      ]),
    );
  }
  if (filter.assigneeId) q = q.where('tasks.assignee_id', '=', filter.assigneeId);
  if (filter.processId) q = q.where('tasks.process_id', '=', filter.processId);
  if (filter.status) q = q.where('tasks.status', '=', filter.status);
  const after = decodeIdCursor(filter.after);
  if (after) q = q.where('tasks.id', '>', after);
  const rows = await q
    .orderBy('tasks.id')
    .limit(filter.limit + 1)
    .execute();
  const { page, nextCursor } = idPageOf(rows, filter.limit);
  const names = await employeeNames(
    db,
    page.map((r) => r.assignee_id),
  );
  return { items: page.map((r) => taskView(r, names, ctx.clock.now())), nextCursor };
}

/**
 * Completes an open task: its assignee, anyone who may change its process, or an administrator.
 * Answers with the process card, so whoever completes a process task is taken to the process.
 */
export async function completeTask(ctx: EngineContext, actor: Actor, taskId: string) {
  const task = await inTransaction(ctx, async (tx) => {
    const row = await tx.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
    if (!row) throw notFound('Task', taskId);
    const access = row.process_id ? await accessOf(tx, row.process_id, actor) : 'none';
    const mine = row.assignee_id === actor.id;
    if (!mine && access === 'none') throw notFound('Task', taskId);
    if (!mine && access !== 'edit') throw new DomainError('forbidden', 'You may not complete this task.');
    const process = row.process_id
      ? await tx
          .selectFrom('processes')
          .select('responsible_id')
          .where('id', '=', row.process_id)
          .executeTakeFirst()
      : undefined;
    if (!mayCompleteTask(actor, row.assignee_id, process?.responsible_id ?? null)) {
      throw new DomainError(
        'not_stage_responsible',
        'A task is completed by its assignee, the stage responsible or an administrator.',
        {
          assigneeId: row.assignee_id,
        },
      );
    }
    if (row.status !== 'open') {
      throw new DomainError('task_not_open', `The task is ${row.status}.`, { status: row.status });
    }
    const now = ctx.clock.now();
    const done = await tx
      .updateTable('tasks')
      .set({ status: 'done', completed_at: now, completed_by: actor.id })
      .where('id', '=', taskId)
      .where('status', '=', 'open')
      .returningAll()
      .executeTakeFirst();
    if (!done) throw new DomainError('version_conflict', 'The task changed in the meantime.');
    if (done.process_id) {
      await recordChange(tx, {
        processId: done.process_id,
        at: now,
        actorId: actor.id,
        action: 'task.completed',
        details: { taskId, title: done.title, blocking: done.blocking === 1 },
      });
    }
    return done;
  });
  const names = await employeeNames(ctx.store.db, [task.assignee_id]);
  const process = task.process_id
    ? await processCard(ctx, { ...actor }, task.process_id).catch(() => null)
    : null;
  return { task: taskView(task, names, ctx.clock.now()), process };
}

/** Events of a process the viewer may see, oldest first. */
export async function listEvents(
  ctx: EngineContext,
  viewer: Actor,
  processId: string | undefined,
  limit: number,
  after?: string,
) {
  const db = ctx.store.db;
  if (processId) {
    const access = await accessOf(db, processId, viewer);
    const exists = await db
      .selectFrom('processes')
      .select('id')
      .where('id', '=', processId)
      .executeTakeFirst();
    if (!exists || access === 'none') throw notFound('Process', processId);
  }
  let q = db.selectFrom('events').selectAll('events');
  if (processId) q = q.where('events.process_id', '=', processId);
  else if (viewer.role !== 'admin') {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('processes as p')
          .select('p.id')
          .whereRef('p.id', '=', 'events.process_id')
          .where(visibleTo(viewer)),
      ),
    );
  }
  const afterId = decodeIdCursor(after);
  if (afterId) q = q.where('events.id', '>', afterId);
  const rows = await q
    .orderBy('events.id')
    .limit(limit + 1)
    .execute();
  const { page, nextCursor } = idPageOf(rows, limit);
  return {
    items: page.map((e) => ({
      id: e.id,
      type: e.type,
      comment: e.comment,
      processId: e.process_id,
      stageKey: e.stage_key,
      at: isoTime(e.at),
      actorId: e.actor_id,
    })),
    nextCursor,
  };
}
