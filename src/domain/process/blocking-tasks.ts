/**
 * The blocking-task rule: a stage cannot be finished while a blocking task of its current visit is
 * still open (or not yet started). Tasks of an earlier visit of the same stage (a loop back to it)
 * were created before the process last entered the stage, and no longer count.
 */
import type { ProcessStatus } from './step.ts';

/** A moment: epoch milliseconds, or an ISO 8601 time as the API writes it. */
export type Moment = number | string;

/** The process as far as the rule is concerned: its status and the visit of its current stage. */
export interface CurrentStage {
  readonly status: ProcessStatus;
  readonly stageKey: string;
  /** When the process last entered the stage. */
  readonly enteredAt: Moment;
}

/** A task as far as the rule is concerned. */
export interface BlockingCandidate {
  readonly blocking: boolean;
  readonly status: 'pending' | 'open' | 'done';
  readonly stageKey: string | null;
  readonly createdAt: Moment;
}

const ms = (moment: Moment): number => (typeof moment === 'number' ? moment : Date.parse(moment));

/** The tasks that keep the current stage from being finished; none once the process has ended. */
export function openBlockingTasks<T extends BlockingCandidate>(
  stage: CurrentStage,
  tasks: readonly T[],
): T[] {
  if (stage.status !== 'active' && stage.status !== 'paused') return [];
  const entered = ms(stage.enteredAt);
  return tasks.filter(
    (task) =>
      task.blocking &&
      task.status !== 'done' &&
      task.stageKey === stage.stageKey &&
      ms(task.createdAt) >= entered,
  );
}
