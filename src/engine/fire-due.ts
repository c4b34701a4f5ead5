/**
 * Fires what has fallen due: ends of waits and pauses, delayed task starts. Each timer is deleted
 * in the same transaction that applies it, so it fires once even across restarts and nodes.
 */

import type { EngineContext } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { openTask, taskIdOfStartKey } from '../domain/process/step.ts';
import {
  claimDueTimers,
  deleteTimer,
  findProcess,
  findProcessForUpdate,
  insertProtocol,
  type TimerRow,
} from '../store/processes.ts';
import type { Db } from '../store/store.ts';
import { findTimer, recordTimerFailure } from '../store/timers.ts';
import type { CommitLog } from './apply-effects.ts';
import { faultPoint } from './fault-points.ts';
import { limitsOf } from './limits.ts';
import { notificationRows, writeNotifications } from './notifications.ts';
import { applyCommand, inTransaction } from './run-command.ts';

/** How long a timer whose application failed first waits before it is tried again; doubled each time. */
const RETRY_DELAY_MS = 60_000;

async function applyTimer(tx: Db, ctx: EngineContext, timer: TimerRow, log: CommitLog): Promise<boolean> {
  if (!(await deleteTimer(tx, timer.key))) return false;
  if (timer.kind === 'task.start') return openPendingTask(tx, ctx, timer, log);
  const row = await findProcessForUpdate(tx, timer.process_id, ctx.store.caps.rowLocks);
  if (!row) return false;
  const command =
    timer.kind === 'wait'
      ? ({ type: 'wait.elapse', key: timer.key } as const)
      : ({ type: 'resume', actorId: null, key: timer.key } as const);
  return (await applyCommand(tx, ctx, row, command, log)).changed;
}

/** Opens the pending task a `task-start:` timer names: the protocol says so and its assignee is told. */
async function openPendingTask(
  tx: Db,
  ctx: EngineContext,
  timer: TimerRow,
  log: CommitLog,
): Promise<boolean> {
  const taskId = taskIdOfStartKey(timer.key);
  if (taskId === null) return false;
  const task = await tx
    .updateTable('tasks')
    .set({ status: 'open' })
    .where('id', '=', taskId)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
  if (!task) return false;
  const now = ctx.clock.now();
  const effects = openTask(
    { id: task.id, title: task.title, stageKey: task.stage_key, assigneeId: task.assignee_id },
    null,
    true,
  );
  const notices = effects.flatMap((e) => (e.type === 'notify' ? [e] : []));
  for (const effect of effects) {
    if (effect.type !== 'protocol' || !task.process_id) continue;
    await insertProtocol(tx, [
      {
        process_id: task.process_id,
        at: now,
        actor_id: effect.actorId,
        action: effect.action,
        details: JSON.stringify(effect.details),
      },
    ]);
  }
  if (notices.length > 0) {
    const process = task.process_id ? await findProcess(tx, task.process_id) : undefined;
    const def = process
      ? await ctx.definitions.load(tx, process.definition_id, process.definition_version)
      : undefined;
    const drafts = notices.map((n) => ({
      id: ctx.newId(),
      employeeId: n.employeeId,
      kind: n.kind,
      details: n.details,
    }));
    await writeNotifications(tx, await notificationRows(tx, process, def, drafts, now), log);
  }
  return true;
}

export interface FireOptions {
  /**
   * Wait for due timers another transaction (the worker) holds instead of skipping them, so that
   * everything due has fired when the call returns; the test clock promises exactly that.
   */
  readonly waitForLocked?: boolean | undefined;
}

/**
 * Claims and fires one batch of due timers in one transaction (the fast path). When the batch fails
 * as a whole, each timer is tried alone in its own transaction, so only a failing timer's work is
 * rolled back; its failure is counted and it is tried again later, and after too many failures it is
 * parked for an administrator (GET /api/admin/timers/parked) instead of failing forever.
 * Returns how many timers changed something.
 */
export async function fireDueBatch(
  ctx: EngineContext,
  batchSize = 200,
  options: FireOptions = {},
): Promise<{ claimed: number; fired: number }> {
  const now = ctx.clock.now();
  const lock = !ctx.store.caps.skipLocked ? 'none' : options.waitForLocked ? 'wait' : 'skip';
  try {
    return await inTransaction(ctx, async (tx, log) => {
      const timers = await claimDueTimers(tx, now, batchSize, lock);
      let fired = 0;
      for (const timer of timers) {
        if (await applyTimer(tx, ctx, timer, log)) fired++;
        await faultPoint('mid-timer-batch');
      }
      return { claimed: timers.length, fired };
    });
  } catch (error) {
    ctx.log?.warn({ err: error }, 'timer batch failed; firing one by one');
    return fireOneByOne(ctx, now, batchSize);
  }
}

async function fireOneByOne(
  ctx: EngineContext,
  now: number,
  batchSize: number,
): Promise<{ claimed: number; fired: number }> {
  const due = await claimDueTimers(ctx.store.db, now, batchSize, 'none');
  let fired = 0;
  for (const timer of due) {
    try {
      const ok = await inTransaction(ctx, async (tx, log) => {
        const still = await findTimer(tx, timer.key);
        // Parked meanwhile, or failed and put off by another node: not this round's to fire.
        return still && still.parked_at === null && still.due_at <= now
          ? applyTimer(tx, ctx, still, log)
          : false;
      });
      if (ok) fired++;
    } catch (error) {
      await recordFailure(ctx, timer.key, now, error);
    }
  }
  return { claimed: due.length, fired };
}

/** Counts a failed firing in a small transaction of its own; a failure to count is only logged. */
async function recordFailure(ctx: EngineContext, key: string, dueBy: number, error: unknown): Promise<void> {
  const now = ctx.clock.now();
  const maxAttempts = limitsOf(ctx).timerMaxAttempts;
  try {
    const row = await ctx.store.transaction((tx) =>
      recordTimerFailure(tx, key, describeError(error), {
        now,
        dueBy,
        maxAttempts,
        retryAt: (attempts) => now + RETRY_DELAY_MS * 2 ** Math.min(attempts - 1, 10),
      }),
    );
    if (row?.parked_at != null) {
      ctx.log?.error({ err: error, timer: key, attempts: row.attempts }, 'timer failed too often; parked');
    } else {
      ctx.log?.warn({ err: error, timer: key, attempts: row?.attempts }, 'timer failed; retrying later');
    }
  } catch (failure) {
    ctx.log?.error({ err: failure, cause: error, timer: key }, 'could not record a timer failure');
  }
}

function describeError(error: unknown): string {
  if (error instanceof DomainError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Fires everything due now, batch after batch, until nothing is left. */
export async function fireAllDue(
  ctx: EngineContext,
  batchSize = 200,
  options: FireOptions = {},
): Promise<number> {
  let total = 0;
  for (let round = 0; round < 100_000; round++) {
    const { claimed, fired } = await fireDueBatch(ctx, batchSize, options);
    total += fired;
    if (claimed === 0) break;
  }
  return total;
}
