/**
 * Fires what has fallen due: ends of waits and pauses, delayed task starts. Each timer is deleted
 * in the same transaction that applies it, so it fires once even across restarts and nodes.
 */

import type { EngineContext } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { type Command, openTask, taskIdOfStartKey } from '../domain/process/step.ts';
import { findProcessesForUpdate } from '../store/process-batch.ts';
import { findProcess, findProcessForUpdate, insertProtocol, type ProcessRow } from '../store/processes.ts';
import type { Db } from '../store/store.ts';
import { openPendingTaskRow } from '../store/tasks.ts';
import {
  claimDueTimers,
  countTimersDueBetween,
  deleteTimer,
  deleteTimersByKey,
  findTimer,
  recordTimerFailure,
  type TimerRow,
} from '../store/timers.ts';
import { type CommitLog, WriteBatch } from './apply-effects.ts';
import { faultPoint } from './fault-points.ts';
import { limitsOf } from './limits.ts';
import { notificationRows, writeNotifications } from './notifications.ts';
import { applyCommand, inTransaction } from './run-command.ts';
import { applyDueAbsences, routeAwaitingStages } from './time-control.ts';

/**
 * Timers whose rows are deleted and whose processes are loaded together, within a batch; smaller
 * under a time budget, which is checked between parts.
 */
const BATCH_PART = 100;
const BUDGETED_BATCH_PART = 50;

/** How long a timer whose application failed first waits before it is tried again; doubled each time. */
const RETRY_DELAY_MS = 60_000;

/**
 * Within a batch: processes of the batch as loaded with their part (each used for the timer it was
 * loaded for only; a later timer of the same process reads it again), and the rows held.
 */
interface BatchState {
  readonly loaded: Map<string, ProcessRow>;
  readonly writes: WriteBatch;
  /**
   * Timers deleted up front, with whether each was still there: those of processes with one
   * timer in the batch (another process's firing never touches them). A process's other timers
   * are deleted as they come, after its earlier firings had their say (a firing may cancel them).
   */
  readonly deleted: Map<string, boolean>;
}

async function applyTimer(
  tx: Db,
  ctx: EngineContext,
  timer: TimerRow,
  log: CommitLog,
  batch?: BatchState,
): Promise<boolean> {
  const present = batch?.deleted.get(timer.key) ?? (await deleteTimer(tx, timer.key));
  if (!present) return false;
  if (timer.kind === 'task.start') return openPendingTask(tx, ctx, timer, log);
  const preloaded = batch?.loaded.get(timer.process_id);
  batch?.loaded.delete(timer.process_id);
  const row = preloaded ?? (await findProcessForUpdate(tx, timer.process_id, ctx.store.caps.rowLocks));
  if (!row) return false;
  const command = commandOfTimer(timer);
  return (await applyCommand(tx, ctx, row, command, log, batch?.writes)).changed;
}

/** The command a process timer gives when it falls due. */
function commandOfTimer(timer: TimerRow): Command {
  switch (timer.kind) {
    case 'wait':
      return { type: 'wait.elapse', key: timer.key };
    case 'escalate':
      return { type: 'escalate', key: timer.key };
    case 'route':
      return { type: 'route.fallback', key: timer.key };
    default:
      return { type: 'resume', actorId: null, key: timer.key };
  }
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
  const task = await openPendingTaskRow(tx, taskId);
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
  /**
   * Stop a batch after this long (milliseconds of work, not business time) and commit what fired;
   * the rest of the claim stays due for the next batch. On SQLite the batch holds the one
   * connection and the event loop, so this bounds how long a request waits behind it.
   */
  readonly budgetMs?: number | undefined;
}

export interface BatchResult {
  /** Timers claimed. */
  readonly claimed: number;
  /** Timers that changed something. */
  readonly fired: number;
  /** Claimed timers left for the next batch, the time budget spent. */
  readonly left: number;
}

/**
 * Claims and fires one batch of due timers in one transaction (the fast path): one claim; per
 * part of the batch, its timer rows deleted and its processes loaded in one statement each; the
 * state machine per timer as for a single command; and the rows that record the changes written
 * together at the end, one statement per table (a timer of a process already changed in the batch
 * first writes what is held, so it sees it). With a budget, the batch stops between parts once
 * the budget is spent and leaves the rest of its claim due. When the batch
 * fails as a whole, each timer is tried alone in its own transaction, so only a failing timer's
 * work is rolled back; its failure is counted and it is tried again later, and after too many
 * failures it is parked for an administrator (GET /api/admin/timers/parked) instead of failing
 * forever. Returns how many timers changed something.
 */
export async function fireDueBatch(
  ctx: EngineContext,
  batchSize = 200,
  options: FireOptions = {},
): Promise<BatchResult> {
  const now = ctx.clock.now();
  const lock = !ctx.store.caps.skipLocked ? 'none' : options.waitForLocked ? 'wait' : 'skip';
  try {
    return await inTransaction(ctx, async (tx, log) => {
      const started = performance.now();
      const timers = await claimDueTimers(tx, now, batchSize, lock);
      const perProcess = new Map<string, number>();
      for (const t of timers) perProcess.set(t.process_id, (perProcess.get(t.process_id) ?? 0) + 1);
      // Processes are locked as their part is loaded (PostgreSQL), or the transaction is the only
      // writer (SQLite), so their updates can wait for the flush.
      const writes = new WriteBatch(ctx.store.caps.rowLocks || ctx.store.caps.name === 'sqlite');
      const batch: BatchState = { loaded: new Map(), writes, deleted: new Map() };
      let fired = 0;
      let done = 0;
      // Part by part, so that a batch cut short by its budget leaves no timer deleted unfired.
      const partSize = options.budgetMs === undefined ? BATCH_PART : BUDGETED_BATCH_PART;
      for (let i = 0; i < timers.length; i += partSize) {
        if (options.budgetMs !== undefined && i > 0 && performance.now() - started >= options.budgetMs) break;
        const part = timers.slice(i, i + partSize);
        // A process changed earlier in the batch is loaded as it now stands.
        if (part.some((t) => writes.holds(t.process_id))) await writes.flush(tx, log);
        const alone = part.filter((t) => perProcess.get(t.process_id) === 1).map((t) => t.key);
        const gone = await deleteTimersByKey(tx, alone);
        for (const key of alone) batch.deleted.set(key, gone.has(key));
        const ids = part.filter((t) => t.kind !== 'task.start').map((t) => t.process_id);
        for (const [id, row] of await findProcessesForUpdate(tx, ids, ctx.store.caps.rowLocks)) {
          batch.loaded.set(id, row);
        }
        for (const timer of part) {
          if (batch.writes.holds(timer.process_id)) await batch.writes.flush(tx, log);
          if (await applyTimer(tx, ctx, timer, log, batch)) fired++;
          done++;
          await faultPoint('mid-timer-batch');
        }
        // Under a budget what the part holds is written before the budget is looked at again, so
        // that the budget bounds the writing too (the held updates are most of a batch's work).
        if (options.budgetMs !== undefined) await batch.writes.flush(tx, log);
      }
      await batch.writes.flush(tx, log);
      return { claimed: timers.length, fired, left: timers.length - done };
    });
  } catch (error) {
    ctx.log?.warn({ err: error }, 'timer batch failed; firing one by one');
    return fireOneByOne(ctx, now, batchSize);
  }
}

async function fireOneByOne(ctx: EngineContext, now: number, batchSize: number): Promise<BatchResult> {
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
  return { claimed: due.length, fired, left: 0 };
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

/**
 * Fires everything due now, batch after batch, until nothing is left: absences that start or end
 * first (so routing sees who is away), then the timers, then stages waiting for someone online.
 */
export async function fireAllDue(
  ctx: EngineContext,
  batchSize = 200,
  options: FireOptions = {},
): Promise<number> {
  let total = await applyDueAbsences(ctx);
  for (let round = 0; round < 100_000; round++) {
    const { claimed, fired } = await fireDueBatch(ctx, batchSize, options);
    total += fired;
    if (claimed === 0) break;
  }
  return total + (await routeAwaitingStages(ctx));
}

/**
 * Moves the clock from `from` to `to` (`move` does it) and fires everything due, waiting for timers
 * the worker holds. Answers how many fired: this call's own count, or, when more, how many of the
 * timers the move brought due are gone, since the node's worker (or another node's) may have fired
 * some of them between the move and this call's claim.
 */
export async function moveClockAndFire(
  ctx: EngineContext,
  from: number,
  to: number,
  move: () => Promise<void>,
): Promise<number> {
  const broughtDue = await countTimersDueBetween(ctx.store.db, from, to);
  await move();
  const firedHere = await fireAllDue(ctx, 200, { waitForLocked: true });
  const left = await countTimersDueBetween(ctx.store.db, from, to);
  return Math.max(firedHere, broughtDue - left);
}
