/** Tasks and events of processes: lists filtered by access, and completing a task. */

import type { Actor, EngineContext } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import { decodeIdCursor, idPageOf } from '../store/cursor.ts';
import { listEventRows } from '../store/events.ts';
import { accessOf, processExists } from '../store/processes.ts';
import { namesByIds } from '../store/records.ts';
import type { Db } from '../store/store.ts';
import { listTaskRows, type TaskRow } from '../store/tasks.ts';

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
  const rows = await namesByIds(db, 'employees', wanted);
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
  const rows = await listTaskRows(
    db,
    viewer,
    {
      assigneeId: filter.assigneeId,
      processId: filter.processId,
      status: filter.status,
      after: decodeIdCursor(filter.after),
    },
    filter.limit + 1,
  );
  const { page, nextCursor } = idPageOf(rows, filter.limit);
  const names = await employeeNames(
    db,
    page.map((r) => r.assignee_id),
  );
  return { items: page.map((r) => taskView(r, names, ctx.clock.now())), nextCursor };
}

/** A task as the API shows it, with its assignee's name. */
export async function taskViewOf(ctx: EngineContext, row: TaskRow) {
  const names = await employeeNames(ctx.store.db, [row.assignee_id]);
  return taskView(row, names, ctx.clock.now());
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
    const exists = await processExists(db, processId);
    if (!exists || access === 'none') throw notFound('Process', processId);
  }
  const rows = await listEventRows(db, viewer, processId, decodeIdCursor(after), limit + 1);
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
