/**
 * The reconciler: every sleeping thing must have its timer row, and every timer row must still
 * have something to wake. It finds (a) running processes that wait (a paused process with a pause
 * end, a process at a stage with a wait) and pending tasks whose timer row is missing, and
 * (b) timer rows whose process is gone or ended (or whose task is gone or no longer pending); it
 * reports both and repairs them: the missing timer is re-created with the key and due time the
 * engine would have given it, the orphan is deleted. Each repair runs in its own transaction and
 * checks again first, so it is safe while the engine runs and on several nodes at once.
 */

import type { EngineContext } from '../context.ts';
import { addDuration, mustParseDuration } from '../domain/duration.ts';
import {
  resumeTimerKey,
  type TimerKind,
  taskIdOfStartKey,
  taskStartTimerKey,
  waitTimerKey,
} from '../domain/process/step.ts';
import type { LoadedVersion } from '../store/definition-cache.ts';
import { findProcessForUpdate } from '../store/processes.ts';
import type { TimerTable } from '../store/schema.ts';
import type { Db } from '../store/store.ts';
import { isTaskPending } from '../store/tasks.ts';
import {
  atStagesWithoutWaitTimer,
  deleteTimer,
  hasTimerOfKind,
  orphanTimers,
  pausedWithoutResumeTimer,
  pendingTasksWithoutTimer,
  runningVersions,
  setTimers,
} from '../store/timers.ts';

export interface ReconciledTimer {
  readonly key: string;
  readonly kind: TimerTable['kind'];
  readonly processId: string;
  readonly dueAt: number;
}

export interface ReconcileReport {
  readonly missingTimers: readonly ReconciledTimer[];
  readonly orphanTimers: readonly ReconciledTimer[];
  readonly repaired: boolean;
}

/** Finds missing and orphan timers and, unless `repair` is false, repairs them. */
export async function reconcileTimers(
  ctx: EngineContext,
  options: { repair?: boolean } = {},
): Promise<ReconcileReport> {
  const repair = options.repair ?? true;
  const db = ctx.store.db;
  const missing: ReconciledTimer[] = [];

  for (const p of await pausedWithoutResumeTimer(db)) {
    missing.push({
      key: resumeTimerKey(p.id, p.paused_until),
      kind: 'resume',
      processId: p.id,
      dueAt: p.paused_until,
    });
  }
  for (const v of await runningVersions(db)) {
    let def: LoadedVersion;
    try {
      def = await ctx.definitions.load(db, v.definition_id, v.definition_version);
    } catch (err) {
      // A version that cannot be loaded is no timer problem; its processes fail on their own.
      ctx.log?.error(
        { err, definitionId: v.definition_id, version: v.definition_version },
        'reconciler skipped',
      );
      continue;
    }
    const waits = new Map<string, string>();
    for (const stage of def.compiled.stages.values()) {
      if (stage.wait !== undefined && stage.kind !== 'end') waits.set(stage.key, stage.wait);
    }
    if (waits.size === 0) continue;
    for (const p of await atStagesWithoutWaitTimer(db, def.id, def.version, [...waits.keys()])) {
      const wait = waits.get(p.stage_key);
      if (wait === undefined) continue;
      missing.push({
        key: waitTimerKey(p.id, p.stage_key, p.visit),
        kind: 'wait',
        processId: p.id,
        // The engine set it on entering the stage: entered_at plus the wait, in the configured zone.
        dueAt: addDuration(p.entered_at, mustParseDuration(wait), ctx.zone),
      });
    }
  }
  for (const task of await pendingTasksWithoutTimer(db)) {
    if (task.process_id === null) continue;
    missing.push({
      key: taskStartTimerKey(task.id),
      kind: 'task.start',
      processId: task.process_id,
      dueAt: task.starts_at,
    });
  }
  const orphans: ReconciledTimer[] = (await orphanTimers(db)).map((t) => ({
    key: t.key,
    kind: t.kind,
    processId: t.process_id,
    dueAt: t.due_at,
  }));

  const repairedMissing: ReconciledTimer[] = [];
  const repairedOrphans: ReconciledTimer[] = [];
  if (repair) {
    for (const timer of missing) if (await recreate(ctx, timer)) repairedMissing.push(timer);
    for (const timer of orphans) if (await removeOrphan(ctx, timer)) repairedOrphans.push(timer);
  }
  const report: ReconcileReport = repair
    ? { missingTimers: repairedMissing, orphanTimers: repairedOrphans, repaired: true }
    : { missingTimers: missing, orphanTimers: orphans, repaired: false };
  const found = { missingTimers: missing.length, orphanTimers: orphans.length };
  if (missing.length + orphans.length > 0) {
    ctx.log?.warn(
      { ...found, report },
      repair ? 'reconciler repaired timers' : 'reconciler found timer problems',
    );
  } else {
    ctx.log?.info(found, 'reconciler: timers consistent');
  }
  return report;
}

/** Whether the task a `task-start:` timer opens is still pending. */
async function pendingTaskOf(tx: Db, key: string): Promise<boolean> {
  const taskId = taskIdOfStartKey(key);
  if (taskId === null) return false;
  return isTaskPending(tx, taskId);
}

/** Re-creates a missing timer if the process (or task) still waits for it; false when it no longer does. */
async function recreate(ctx: EngineContext, timer: ReconciledTimer): Promise<boolean> {
  return ctx.store.transaction(async (tx) => {
    if (timer.kind === 'task.start') {
      if (!(await pendingTaskOf(tx, timer.key))) return false;
    } else {
      const row = await findProcessForUpdate(tx, timer.processId, ctx.store.caps.rowLocks);
      if (!row || !stillWaits(row, timer.kind, timer.key)) return false;
      if (await hasTimerOfKind(tx, timer.processId, timer.kind)) return false;
    }
    await setTimers(tx, [
      { key: timer.key, kind: timer.kind, process_id: timer.processId, due_at: timer.dueAt, deferred: 0 },
    ]);
    return true;
  });
}

function stillWaits(
  row: { id: string; status: string; paused_until: number | null; stage_key: string; visit: number },
  kind: TimerKind | 'task.start',
  key: string,
): boolean {
  if (kind === 'resume') {
    return (
      row.status === 'paused' && row.paused_until !== null && key === resumeTimerKey(row.id, row.paused_until)
    );
  }
  return (
    (row.status === 'active' || row.status === 'paused') &&
    key === waitTimerKey(row.id, row.stage_key, row.visit)
  );
}

/** Deletes an orphan timer if it is still one; false when it was gone or is needed again. */
async function removeOrphan(ctx: EngineContext, timer: ReconciledTimer): Promise<boolean> {
  return ctx.store.transaction(async (tx) => {
    if (timer.kind === 'task.start') {
      if (await pendingTaskOf(tx, timer.key)) return false;
    } else {
      const row = await findProcessForUpdate(tx, timer.processId, ctx.store.caps.rowLocks);
      if (row && row.status !== 'completed' && row.status !== 'cancelled') return false;
    }
    return deleteTimer(tx, timer.key);
  });
}
