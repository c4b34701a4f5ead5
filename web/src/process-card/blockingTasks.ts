import type { ProcessCard, Task } from '../api/types.ts';

/**
 * The open (or not yet started) blocking tasks of the current stage visit: the stage cannot be
 * finished until they are done. Tasks of an earlier visit of the same stage were created before
 * the process last entered it.
 */
export function blockingTasks(card: ProcessCard, tasks: readonly Task[]): Task[] {
  if (card.status !== 'active' && card.status !== 'paused') return [];
  const entered = Date.parse(card.stage.enteredAt);
  return tasks.filter(
    (task) =>
      task.blocking &&
      task.status !== 'done' &&
      task.stageKey === card.stage.key &&
      (task.createdAt === undefined || Date.parse(task.createdAt) >= entered),
  );
}
