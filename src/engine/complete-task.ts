/**
 * Completes an open task: its assignee, the stage responsible, anyone who may change its process, or
 * an administrator. One transaction; the protocol records it.
 */
import type { Actor, EngineContext } from '../context.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { mayCompleteTask } from '../domain/process/stage-ownership.ts';
import { accessOf, findResponsible, recordChange } from '../store/processes.ts';
import { completeOpenTask, findTask, type TaskRow } from '../store/tasks.ts';
import { inTransaction } from './run-command.ts';

export async function completeTask(ctx: EngineContext, actor: Actor, taskId: string): Promise<TaskRow> {
  return inTransaction(ctx, async (tx) => {
    const row = await findTask(tx, taskId);
    if (!row) throw notFound('Task', taskId);
    const access = row.process_id ? await accessOf(tx, row.process_id, actor) : 'none';
    const mine = row.assignee_id === actor.id;
    if (!mine && access === 'none') throw notFound('Task', taskId);
    if (!mine && access !== 'edit') throw new DomainError('forbidden', 'You may not complete this task.');
    const process = row.process_id ? await findResponsible(tx, row.process_id) : undefined;
    if (!mayCompleteTask(actor, row.assignee_id, process?.responsible_id ?? null)) {
      throw new DomainError(
        'not_stage_responsible',
        'A task is completed by its assignee, the stage responsible or an administrator.',
        { assigneeId: row.assignee_id },
      );
    }
    if (row.status !== 'open') {
      throw new DomainError('task_not_open', `The task is ${row.status}.`, { status: row.status });
    }
    const now = ctx.clock.now();
    const done = await completeOpenTask(tx, taskId, now, actor.id);
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
}
