/**
 * Moving a running process onto another published version of its definition. A migration keeps
 * the process where it is: the same visit, responsible, note and pause; its stage is re-keyed to the
 * stage the map names in the new version. It runs no on-enter actions (no new task, event, child or
 * notification); only the parts of the process that belong to the stage are brought in line with
 * the new stage: the open tasks of the current visit carry the new stage key; a new stage that
 * waits starts its wait at the moment of migration; and the stage clock follows the new stage's
 * deadline and escalation ladder (the time already spent in the stage still counts, a clock the old
 * stage did not have starts at the migration, and escalation steps already overdue then count as
 * taken, so a migration never sets off a burst of escalations). A process waiting on a timer of its
 * stage (a wait, or the wait for a listed responsible to come online) or with an unfinished blocking
 * task is refused instead, as is one whose stage has no place in the new version, or whose new
 * stage is an end (reaching an end is a step, not a migration).
 */

import { isoTime } from '../clock.ts';
import type { CompiledDefinition } from '../definition/types.ts';
import { addDuration, mustParseDuration } from '../duration.ts';
import {
  ALWAYS_WORKING,
  type ClockContext,
  deadlineOf,
  escalationTimerKey,
  escalationTimers,
  isTimed,
  type StageClock,
  type WorkingTime,
} from './stage-clock.ts';
import { type Effect, type ProcessState, waitTimerKey } from './step.ts';

/** Why a process is not migrated; stable codes a client can switch on. */
export const MIGRATION_REFUSALS = [
  'process_not_active',
  'not_on_version',
  'stage_unmapped',
  'stage_is_end',
  'waiting_timer',
  'blocking_task_open',
] as const;
export type MigrationRefusal = (typeof MIGRATION_REFUSALS)[number];

/**
 * Timer kinds a migration carries over: the end of a pause and delayed task starts belong to the
 * process, and escalations are planned again for the new stage. Any other timer (a wait, the wait
 * for someone to come online) means the process is waiting on its stage.
 */
const MIGRATABLE_TIMER_KINDS: ReadonlySet<string> = new Set(['resume', 'task.start', 'escalate']);

export interface MigrationPlan {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly from: CompiledDefinition;
  readonly to: CompiledDefinition;
  /** Old stage key → new stage key. A key that exists in both versions maps to itself unless named here. */
  readonly stageMap: Readonly<Record<string, string>>;
}

/** What a migration needs to know about a process beyond its state, as stored. */
export interface MigrationFacts {
  /** The definition version the process runs on. */
  readonly version: number;
  /** The process's timers by kind and key. */
  readonly timers: readonly { readonly kind: string; readonly key: string }[];
  /** Tasks of the current stage visit that are not done (open, or pending behind a start timer). */
  readonly unfinishedTasks: readonly { readonly id: string; readonly blocking: boolean }[];
}

/** The open tasks of the visit now belong to `stageKey`. */
export interface RestageTasks {
  readonly type: 'tasks.restage';
  readonly taskIds: readonly string[];
  readonly stageKey: string;
}

export type MigrationEffect = Effect | RestageTasks;

export interface MigrationContext {
  readonly now: number;
  /** IANA zone in which a new wait is added. */
  readonly zone: string;
  readonly actorId: string | null;
  /** Working time on the business calendar, for deadlines and escalations in working time. */
  readonly working?: WorkingTime | undefined;
  /** Why the process is migrated, recorded with the protocol entry when given. */
  readonly reason?: string | undefined;
}

export type MigrationDecision =
  | {
      readonly outcome: 'move';
      readonly from: string;
      readonly to: string;
      readonly process: ProcessState;
      readonly effects: readonly MigrationEffect[];
    }
  | {
      readonly outcome: 'refuse';
      readonly from: string;
      readonly to: string | null;
      readonly reason: MigrationRefusal;
      readonly message: string;
    };

/** The new stage an old one maps to: the map's word, else the same key if the new version has it. */
export function mappedStage(plan: MigrationPlan, oldKey: string): string | null {
  // Own keys only: a stage may well be called `constructor`.
  if (Object.hasOwn(plan.stageMap, oldKey)) return plan.stageMap[oldKey] ?? null;
  return plan.to.stages.has(oldKey) ? oldKey : null;
}

/** Every way a stage map names stages that do not exist: old keys not in `from`, new keys not in `to`. */
export function stageMapProblems(plan: Pick<MigrationPlan, 'from' | 'to' | 'stageMap'>): {
  readonly field: string;
  readonly stage: string;
  readonly problem: 'unknown_old_stage' | 'unknown_new_stage';
}[] {
  const problems: {
    field: string;
    stage: string;
    problem: 'unknown_old_stage' | 'unknown_new_stage';
  }[] = [];
  for (const [oldKey, newKey] of Object.entries(plan.stageMap)) {
    if (!plan.from.stages.has(oldKey))
      problems.push({ field: `stageMap.${oldKey}`, stage: oldKey, problem: 'unknown_old_stage' });
    if (!plan.to.stages.has(newKey))
      problems.push({ field: `stageMap.${oldKey}`, stage: newKey, problem: 'unknown_new_stage' });
  }
  return problems;
}

/** Decides whether and how one process moves to the plan's version. Pure: the same input, the same answer. */
export function migrate(
  process: ProcessState,
  facts: MigrationFacts,
  plan: MigrationPlan,
  ctx: MigrationContext,
): MigrationDecision {
  const from = process.stageKey;
  const refuse = (to: string | null, reason: MigrationRefusal, message: string): MigrationDecision => ({
    outcome: 'refuse',
    from,
    to,
    reason,
    message,
  });
  if (process.status !== 'active' && process.status !== 'paused') {
    return refuse(null, 'process_not_active', `The process is ${process.status}.`);
  }
  if (facts.version !== plan.fromVersion) {
    return refuse(
      null,
      'not_on_version',
      `The process runs on version ${facts.version}, not ${plan.fromVersion}.`,
    );
  }
  const to = mappedStage(plan, from);
  const target = to === null ? undefined : plan.to.stages.get(to);
  if (to === null || !target) {
    return refuse(
      null,
      'stage_unmapped',
      `Stage "${from}" is not in version ${plan.toVersion} and the stage map names no stage for it.`,
    );
  }
  if (target.kind === 'end') {
    return refuse(to, 'stage_is_end', `Stage "${to}" of version ${plan.toVersion} is an end stage.`);
  }
  const stageTimer = facts.timers.find((t) => !MIGRATABLE_TIMER_KINDS.has(t.kind));
  if (stageTimer) {
    const what =
      stageTimer.kind === 'wait'
        ? `sleeps in stage "${from}"`
        : stageTimer.kind === 'route'
          ? `waits for a responsible of stage "${from}" to come online`
          : `waits on a ${stageTimer.kind} timer of stage "${from}"`;
    return refuse(to, 'waiting_timer', `The process ${what}; migrate it once the wait is over.`);
  }
  const blocking = facts.unfinishedTasks.filter((t) => t.blocking).length;
  if (blocking > 0) {
    return refuse(
      to,
      'blocking_task_open',
      `A blocking task of stage "${from}" is not done yet; migrate the process once it is.`,
    );
  }

  const effects: MigrationEffect[] = [
    {
      type: 'protocol',
      action: 'process.migrated',
      actorId: ctx.actorId,
      details: {
        fromVersion: plan.fromVersion,
        toVersion: plan.toVersion,
        from,
        to,
        fromName: plan.from.stages.get(from)?.name ?? from,
        toName: target.name,
        ...(ctx.reason ? { reason: ctx.reason } : {}),
      },
    },
  ];
  if (to !== from && facts.unfinishedTasks.length > 0) {
    effects.push({ type: 'tasks.restage', taskIds: facts.unfinishedTasks.map((t) => t.id), stageKey: to });
  }
  let next: ProcessState = { ...process, stageKey: to };
  const fromStage = plan.from.stages.get(from);
  const clockContext: ClockContext = { zone: ctx.zone, working: ctx.working ?? ALWAYS_WORKING };
  if (process.clock) effects.push({ type: 'timer.cancel', kind: 'escalate' });
  if (isTimed(target)) {
    // A clock the process already has keeps counting; otherwise it starts now (stopped while paused).
    const kept = process.clock !== null;
    const spanFrom = kept ? process.enteredAt : ctx.now;
    let clock: StageClock = process.clock ?? {
      since: process.status === 'paused' ? null : ctx.now,
      usedMs: 0,
      usedWorkingMs: 0,
      escalated: [],
    };
    const sameLadder =
      kept && JSON.stringify(fromStage?.escalation ?? []) === JSON.stringify(target.escalation ?? []);
    if (!sameLadder) {
      const fresh = { ...clock, escalated: [] };
      // Overdue is judged on the time used so far, also for a clock a pause has stopped.
      const probe = fresh.since === null ? { ...fresh, since: ctx.now } : fresh;
      const planned = escalationTimers(process.id, target, process.visit, probe, spanFrom, clockContext);
      const overdue = (target.escalation ?? []).flatMap((_, index) => {
        const key = escalationTimerKey(process.id, to, process.visit, index);
        const timer = planned.find((t) => t.key === key);
        return timer && timer.dueAt <= ctx.now ? [index] : [];
      });
      clock = { ...fresh, escalated: overdue };
    }
    next = { ...next, clock, dueAt: deadlineOf(target, clock, spanFrom, clockContext) };
    for (const timer of escalationTimers(process.id, target, process.visit, clock, spanFrom, clockContext)) {
      effects.push({ type: 'timer.set', kind: 'escalate', key: timer.key, dueAt: timer.dueAt });
    }
  } else {
    next = { ...next, clock: null, dueAt: null };
  }
  if (target.wait !== undefined) {
    // The new stage sleeps: its wait starts now, as it would have on entering the stage.
    const dueAt = addDuration(ctx.now, mustParseDuration(target.wait), ctx.zone);
    next = { ...next, stageState: 'in_progress' };
    effects.push(
      { type: 'timer.set', kind: 'wait', key: waitTimerKey(process.id, to, process.visit), dueAt },
      {
        type: 'protocol',
        action: 'wait.started',
        actorId: ctx.actorId,
        details: { stage: to, wait: target.wait, until: isoTime(dueAt) },
      },
    );
  }
  return { outcome: 'move', from, to, process: next, effects };
}
