/**
 * The process state machine. `launch()` and `step()` take the process, a command and the moment,
 * and return the new process plus the effects to apply, as data. They read no clock and touch no
 * storage: the engine applies every effect of one step in one transaction.
 */

import { isoTime } from '../clock.ts';
import type { CompiledDefinition, Stage, Transition } from '../definition/types.ts';
import { addDuration, mustParseDuration } from '../duration.ts';
import { DomainError } from '../errors.ts';
import { delegate, nextInList, type RoutingReason, routeResponsible } from './route-responsible.ts';
import {
  ALWAYS_WORKING,
  type ClockContext,
  deadlineOf,
  escalationIndexOf,
  escalationTimers,
  isTimed,
  restartClock,
  type StageClock,
  startClock,
  stopClock,
  type WorkingTime,
} from './stage-clock.ts';

export type ProcessStatus = 'active' | 'paused' | 'completed' | 'cancelled';
export type StageState = 'not_started' | 'in_progress' | 'done';

/** The part of a process the state machine decides on. Times are epoch milliseconds. */
export interface ProcessState {
  readonly id: string;
  readonly status: ProcessStatus;
  readonly stageKey: string;
  readonly stageState: StageState;
  /** Counts stage entries, so each visit of a stage (loops) has its own timer key. */
  readonly visit: number;
  readonly responsibleId: string | null;
  /** The absent employee the responsible stands in for as deputy; null when none. */
  readonly actingForId: string | null;
  readonly initiatorId: string;
  readonly enteredAt: number;
  readonly note: string;
  readonly pausedUntil: number | null;
  readonly completedAt: number | null;
  /** When the current stage falls due (its deadline on the stage clock); null without one or paused. */
  readonly dueAt: number | null;
  /** The clock of the current stage when it is timed (deadline or escalation); else null. */
  readonly clock: StageClock | null;
  /** While the stage waits for a listed responsible to come online: when it stops waiting. */
  readonly routingUntil: number | null;
}

export type NotificationKind =
  | 'stage.assigned'
  | 'process.launched'
  | 'process.resumed'
  | 'responsible.changed'
  | 'responsible.returned'
  | 'stage.escalated'
  | 'task.opened';

export type TimerKind = 'wait' | 'resume' | 'escalate' | 'route';

export type Effect =
  | {
      readonly type: 'protocol';
      readonly action: string;
      readonly actorId: string | null;
      readonly details: Readonly<Record<string, unknown>>;
    }
  | { readonly type: 'member.add'; readonly employeeId: string; readonly role: 'initiator' | 'responsible' }
  | {
      readonly type: 'notify';
      readonly employeeId: string;
      readonly kind: NotificationKind;
      readonly details: Readonly<Record<string, unknown>>;
    }
  /** A notification to every active administrator. */
  | {
      readonly type: 'notify.admins';
      readonly kind: NotificationKind;
      readonly details: Readonly<Record<string, unknown>>;
    }
  | {
      readonly type: 'task.create';
      readonly stageKey: string;
      readonly visit: number;
      readonly title: string;
      readonly description: string | null;
      readonly assigneeId: string | null;
      readonly followsResponsible: boolean;
      readonly blocking: boolean;
      readonly startsAt: number;
      readonly dueAt: number | null;
      readonly actorId: string | null;
    }
  | {
      readonly type: 'event.create';
      readonly stageKey: string;
      readonly eventType: string;
      readonly comment: string | null;
      readonly actorId: string | null;
    }
  | { readonly type: 'timer.set'; readonly kind: TimerKind; readonly key: string; readonly dueAt: number }
  | { readonly type: 'timer.cancel'; readonly kind: TimerKind }
  /** A wait that fell due while paused: hold it until the process resumes. */
  | { readonly type: 'timer.defer'; readonly key: string; readonly until: number }
  /** Held waits of a resumed process become due now. */
  | { readonly type: 'timer.release' }
  | { readonly type: 'tasks.reassign'; readonly fromId: string | null; readonly toId: string }
  | {
      readonly type: 'child.spawn';
      readonly definitionId: string;
      readonly stageKey: string;
      readonly actorId: string | null;
    };

export interface StepContext {
  readonly now: number;
  /** IANA time zone in which calendar durations are added. */
  readonly zone: string;
  readonly definition: CompiledDefinition;
  readonly isOnline: (employeeId: string) => boolean;
  /** Open or pending blocking tasks of the current stage visit. */
  readonly openBlockingTasks?: number | undefined;
  /** Working-time arithmetic on the business calendar; without it every moment is working time. */
  readonly working?: WorkingTime | undefined;
  /** The deputy acting for an employee who is absent now, or null. */
  readonly deputyOf?: ((employeeId: string) => string | null) | undefined;
  /**
   * How long a stage whose listed responsibles are all offline waits for one of them to come online
   * before it goes to the first listed; absent or 0: it goes to the first listed at once.
   */
  readonly routingWaitMs?: number | undefined;
}

export type Command =
  | { readonly type: 'stage.start'; readonly actorId: string }
  | {
      readonly type: 'stage.finish';
      readonly actorId: string | null;
      readonly result?: string | undefined;
      readonly nextResponsibleId?: string | undefined;
    }
  | { readonly type: 'wait.elapse'; readonly key: string }
  | { readonly type: 'note.set'; readonly actorId: string; readonly note: string }
  | { readonly type: 'responsible.set'; readonly actorId: string; readonly responsibleId: string }
  | { readonly type: 'pause'; readonly actorId: string; readonly until: number }
  | { readonly type: 'resume'; readonly actorId: string | null; readonly key?: string | undefined }
  | { readonly type: 'cancel'; readonly actorId: string }
  /** An escalation timer of the stage fell due. */
  | { readonly type: 'escalate'; readonly key: string }
  /** The wait for a listed responsible to come online ran out. */
  | { readonly type: 'route.fallback'; readonly key: string }
  /** An employee came online; a stage waiting for a listed responsible may go to them. */
  | { readonly type: 'responsible.online'; readonly employeeId: string }
  /** An absence began: the absent employee's stage moves to the deputy. */
  | { readonly type: 'absence.start'; readonly employeeId: string; readonly deputyId: string }
  /** An absence ended: a stage the deputy held for the employee goes back to them. */
  | { readonly type: 'absence.end'; readonly employeeId: string };

export interface StepOutcome {
  readonly process: ProcessState;
  readonly effects: readonly Effect[];
  /** True when the command no longer applied (a stale timer) and nothing changed. */
  readonly ignored?: boolean;
}

export interface LaunchInput {
  readonly id: string;
  readonly actorId: string;
  readonly note: string;
  readonly parentId?: string | null | undefined;
}

/** The timer key of a wait: unique per process, stage and visit, so it can never fire twice. */
export function waitTimerKey(processId: string, stageKey: string, visit: number): string {
  return `wait:${processId}:${stageKey}:${visit}`;
}

/** The timer key of the end of a stage visit's wait for a listed responsible to come online. */
export function routeTimerKey(processId: string, stageKey: string, visit: number): string {
  return `route:${processId}:${stageKey}:${visit}`;
}

/** The timer key of the automatic end of a pause. */
export function resumeTimerKey(processId: string, until: number): string {
  return `resume:${processId}:${until}`;
}

const TASK_START_PREFIX = 'task-start:';

/** The timer key of a delayed task start: it opens that one task. */
export function taskStartTimerKey(taskId: string): string {
  return `${TASK_START_PREFIX}${taskId}`;
}

/** The task a `task-start:` timer key opens, or null when the key is not one. */
export function taskIdOfStartKey(key: string): string | null {
  return key.startsWith(TASK_START_PREFIX) ? key.slice(TASK_START_PREFIX.length) : null;
}

/** A task about to be created or opened, as the rules for opening it need it. */
export interface TaskToOpen {
  readonly id: string;
  readonly title: string;
  readonly stageKey: string | null;
  readonly assigneeId: string | null;
}

/**
 * Opening a task: its assignee is told, unless the assignee is the one who opened it (a delayed
 * start opens it with no actor). A delayed start also records `task.opened`; a task open from the
 * start already recorded `task.created`.
 */
export function openTask(task: TaskToOpen, actorId: string | null, delayed: boolean): Effect[] {
  const effects: Effect[] = [];
  if (delayed) {
    effects.push({
      type: 'protocol',
      action: 'task.opened',
      actorId,
      details: { taskId: task.id, title: task.title },
    });
  }
  if (task.assigneeId && task.assigneeId !== actorId) {
    effects.push({
      type: 'notify',
      employeeId: task.assigneeId,
      kind: 'task.opened',
      details: { taskId: task.id, title: task.title, stage: task.stageKey },
    });
  }
  return effects;
}

/** How a new task starts: pending behind a start timer when it starts later, else open now. */
export type TaskStart =
  | {
      readonly status: 'pending';
      readonly timer: { readonly kind: 'task.start'; readonly key: string; readonly dueAt: number };
    }
  | { readonly status: 'open'; readonly effects: readonly Effect[] };

/** Decides whether a task created at `now` by `actorId` is pending or open, and what that entails. */
export function startTask(
  task: TaskToOpen & { readonly startsAt: number },
  actorId: string | null,
  now: number,
): TaskStart {
  if (task.startsAt > now) {
    return {
      status: 'pending',
      timer: { kind: 'task.start', key: taskStartTimerKey(task.id), dueAt: task.startsAt },
    };
  }
  return { status: 'open', effects: openTask(task, actorId, false) };
}

/** Starts a process at the start stage and runs the stage's on-enter actions. */
export function launch(input: LaunchInput, ctx: StepContext): StepOutcome {
  const effects: Effect[] = [
    {
      type: 'protocol',
      action: 'process.launched',
      actorId: input.actorId,
      details: { parentId: input.parentId ?? null },
    },
    { type: 'member.add', employeeId: input.actorId, role: 'initiator' },
  ];
  const blank: ProcessState = {
    id: input.id,
    status: 'active',
    stageKey: ctx.definition.start.key,
    stageState: 'not_started',
    visit: 0,
    responsibleId: null,
    actingForId: null,
    initiatorId: input.actorId,
    enteredAt: ctx.now,
    note: input.note,
    pausedUntil: null,
    completedAt: null,
    dueAt: null,
    clock: null,
    routingUntil: null,
  };
  const process = enterStage(
    blank,
    ctx.definition.start,
    { moverId: input.actorId, launch: true },
    ctx,
    effects,
  );
  return { process, effects };
}

/** Applies one command to a process. Throws a DomainError when a rule says no. */
export function step(process: ProcessState, command: Command, ctx: StepContext): StepOutcome {
  switch (command.type) {
    case 'stage.start':
      return startStage(process, command.actorId);
    case 'stage.finish':
      return finishStage(process, command, ctx);
    case 'wait.elapse':
      return elapseWait(process, command.key, ctx);
    case 'note.set':
      return setNote(process, command.actorId, command.note);
    case 'responsible.set':
      return setResponsible(process, command.actorId, command.responsibleId);
    case 'pause':
      return pause(process, command.actorId, command.until, ctx);
    case 'resume':
      return resume(process, command.actorId, command.key, ctx);
    case 'cancel':
      return cancel(process, command.actorId, ctx);
    case 'escalate':
      return escalate(process, command.key, ctx);
    case 'route.fallback':
      return routeFallback(process, command.key, ctx);
    case 'responsible.online':
      return cameOnline(process, command.employeeId, ctx);
    case 'absence.start':
      return absenceStart(process, command.employeeId, command.deputyId);
    case 'absence.end':
      return absenceEnd(process, command.employeeId);
  }
}

function requireActive(process: ProcessState): void {
  if (process.status !== 'active') {
    throw new DomainError('process_not_active', `The process is ${process.status}.`, {
      status: process.status,
    });
  }
}

/**
 * A completed or cancelled process is read-only: its note, files, links and access stay as they
 * were. Throws `process_not_active` for one.
 */
export function requireUnfinished(status: ProcessStatus): void {
  if (status === 'completed' || status === 'cancelled') {
    throw new DomainError('process_not_active', `The process is ${status}; it can no longer be changed.`, {
      status,
    });
  }
}

function startStage(process: ProcessState, actorId: string): StepOutcome {
  requireActive(process);
  if (process.stageState !== 'not_started') {
    throw new DomainError('stage_already_started', undefined, {
      stage: process.stageKey,
      state: process.stageState,
    });
  }
  return {
    process: { ...process, stageState: 'in_progress' },
    effects: [{ type: 'protocol', action: 'stage.started', actorId, details: { stage: process.stageKey } }],
  };
}

/** Picks the transition a finish follows: by result, or the only one when no result is given. */
export function chooseTransition(
  outgoing: readonly Transition[],
  result: string | undefined,
  stageKey: string,
): Transition {
  if (result === undefined) {
    const only = outgoing[0];
    if (outgoing.length === 1 && only) return only;
    throw new DomainError('result_required', undefined, {
      stage: stageKey,
      results: outgoing.map((t) => t.result),
    });
  }
  const chosen = outgoing.find((t) => t.result === result);
  if (!chosen) {
    throw new DomainError('unknown_result', `This stage has no result "${result}".`, {
      stage: stageKey,
      result,
      results: outgoing.map((t) => t.result),
    });
  }
  return chosen;
}

function finishStage(
  process: ProcessState,
  command: Extract<Command, { type: 'stage.finish' }>,
  ctx: StepContext,
): StepOutcome {
  requireActive(process);
  const waiting = stageOf(ctx.definition, process.stageKey).wait;
  if (waiting !== undefined) {
    // A wait stage is left by its timer alone: finishing it by hand would skip the wait.
    throw new DomainError('stage_waiting', undefined, { stage: process.stageKey, wait: waiting });
  }
  if ((ctx.openBlockingTasks ?? 0) > 0) {
    throw new DomainError('blocking_task_open', undefined, {
      stage: process.stageKey,
      open: ctx.openBlockingTasks,
    });
  }
  const stage = stageOf(ctx.definition, process.stageKey);
  const transition = chooseTransition(
    ctx.definition.outgoing.get(stage.key) ?? [],
    command.result,
    stage.key,
  );
  const effects: Effect[] = [];
  if (process.stageState === 'not_started') {
    effects.push({
      type: 'protocol',
      action: 'stage.started',
      actorId: command.actorId,
      details: { stage: stage.key, passedThrough: true },
    });
  }
  return leaveStage(process, stage, transition, command.actorId, command.nextResponsibleId, ctx, effects);
}

function leaveStage(
  process: ProcessState,
  stage: Stage,
  transition: Transition,
  actorId: string | null,
  handPick: string | undefined,
  ctx: StepContext,
  effects: Effect[],
): StepOutcome {
  effects.push(
    {
      type: 'protocol',
      action: 'stage.finished',
      actorId,
      details: { stage: stage.key, result: transition.result },
    },
    {
      type: 'protocol',
      action: 'transition',
      actorId,
      details: { from: transition.from, to: transition.to, result: transition.result },
    },
  );
  effects.push(...stageTimersCancelled(process));
  const next = stageOf(ctx.definition, transition.to);
  const done: ProcessState = { ...process, stageState: 'done' };
  const entered = enterStage(done, next, { moverId: actorId, handPick, launch: false }, ctx, effects);
  return { process: entered, effects };
}

function elapseWait(process: ProcessState, key: string, ctx: StepContext): StepOutcome {
  const current = waitTimerKey(process.id, process.stageKey, process.visit);
  if (key !== current || process.status === 'completed' || process.status === 'cancelled') {
    return { process, effects: [], ignored: true };
  }
  if (process.status === 'paused') {
    return {
      process,
      effects: [{ type: 'timer.defer', key, until: process.pausedUntil ?? ctx.now }],
    };
  }
  const stage = stageOf(ctx.definition, process.stageKey);
  const transition = chooseTransition(ctx.definition.outgoing.get(stage.key) ?? [], undefined, stage.key);
  const effects: Effect[] = [
    {
      type: 'protocol',
      action: 'wait.elapsed',
      actorId: null,
      details: { stage: stage.key, wait: stage.wait },
    },
  ];
  return leaveStage(process, stage, transition, null, undefined, ctx, effects);
}

interface EnterOptions {
  readonly moverId: string | null;
  readonly handPick?: string | undefined;
  readonly launch: boolean;
}

/** Puts the process at a stage and runs its on-enter actions. */
function enterStage(
  process: ProcessState,
  stage: Stage,
  options: EnterOptions,
  ctx: StepContext,
  effects: Effect[],
): ProcessState {
  const visit = process.visit + 1;
  const waitMs = ctx.routingWaitMs ?? 0;
  const routing = routeResponsible({
    stage,
    handPick: options.handPick,
    moverId: options.moverId,
    isOnline: ctx.isOnline,
    waitForOnline: waitMs > 0 && stage.kind !== 'end',
  });
  const who = routing.responsibleId ? delegate(routing.responsibleId, ctx.deputyOf) : null;
  const responsibleId = who?.employeeId ?? null;
  const clockContext = clockContextOf(ctx);
  const clock = isTimed(stage) ? startClock(ctx.now) : null;
  const routingUntil = routing.reason === 'awaiting_online' ? ctx.now + waitMs : null;
  let next: ProcessState = {
    ...process,
    stageKey: stage.key,
    stageState: 'not_started',
    visit,
    responsibleId,
    actingForId: who?.actingForId ?? null,
    enteredAt: ctx.now,
    clock,
    dueAt: deadlineOf(stage, clock, ctx.now, clockContext),
    routingUntil,
  };
  effects.push({
    type: 'protocol',
    action: 'stage.entered',
    actorId: options.moverId,
    details: {
      stage: stage.key,
      visit,
      responsibleId,
      routing: routing.reason,
      ...(who?.actingForId ? { actingForId: who.actingForId } : {}),
      ...(next.dueAt !== null ? { dueAt: isoTime(next.dueAt) } : {}),
      ...(routingUntil !== null ? { waitingUntil: isoTime(routingUntil) } : {}),
    },
  });
  if (routingUntil !== null) {
    effects.push({
      type: 'timer.set',
      kind: 'route',
      key: routeTimerKey(process.id, stage.key, visit),
      dueAt: routingUntil,
    });
  }
  if (clock) {
    for (const timer of escalationTimers(process.id, stage, visit, clock, ctx.now, clockContext)) {
      effects.push({ type: 'timer.set', kind: 'escalate', key: timer.key, dueAt: timer.dueAt });
    }
  }
  if (responsibleId) {
    effects.push({ type: 'member.add', employeeId: responsibleId, role: 'responsible' });
    if (responsibleId !== options.moverId) {
      effects.push({
        type: 'notify',
        employeeId: responsibleId,
        kind: options.launch ? 'process.launched' : 'stage.assigned',
        details: { stage: stage.key, stageName: stage.name },
      });
    }
  }
  if (stage.task) {
    const task = stage.task;
    const startsAt = task.startDelay
      ? addDuration(ctx.now, mustParseDuration(task.startDelay), ctx.zone)
      : ctx.now;
    const dueAt = task.dueIn ? addDuration(startsAt, mustParseDuration(task.dueIn), ctx.zone) : null;
    const followsResponsible = task.assignee === 'responsible';
    effects.push({
      type: 'task.create',
      stageKey: stage.key,
      visit,
      title: task.title,
      description: task.description ?? null,
      assigneeId:
        task.assignee === 'responsible'
          ? responsibleId
          : delegate(task.assignee.employeeId, ctx.deputyOf).employeeId,
      followsResponsible,
      blocking: task.blocking === true,
      startsAt,
      dueAt,
      actorId: options.moverId,
    });
  }
  if (stage.event) {
    effects.push({
      type: 'event.create',
      stageKey: stage.key,
      eventType: stage.event.type,
      comment: stage.event.comment ?? null,
      actorId: options.moverId,
    });
  }
  for (const definitionId of stage.spawn ?? []) {
    effects.push({ type: 'child.spawn', definitionId, stageKey: stage.key, actorId: options.moverId });
  }
  if (stage.kind === 'end') {
    next = { ...next, status: 'completed', stageState: 'done', completedAt: ctx.now, dueAt: null };
    effects.push({
      type: 'protocol',
      action: 'process.completed',
      actorId: options.moverId,
      details: { stage: stage.key },
    });
  } else if (stage.wait !== undefined) {
    const dueAt = addDuration(ctx.now, mustParseDuration(stage.wait), ctx.zone);
    next = { ...next, stageState: 'in_progress' };
    effects.push(
      { type: 'timer.set', kind: 'wait', key: waitTimerKey(process.id, stage.key, visit), dueAt },
      {
        type: 'protocol',
        action: 'wait.started',
        actorId: options.moverId,
        details: { stage: stage.key, wait: stage.wait, until: isoTime(dueAt) },
      },
    );
  }
  return next;
}

function setNote(process: ProcessState, actorId: string, note: string): StepOutcome {
  requireUnfinished(process.status);
  if (note === process.note) return { process, effects: [] };
  return {
    process: { ...process, note },
    // The note before, too: the protocol says what changed, not only that something did.
    effects: [
      { type: 'protocol', action: 'note.changed', actorId, details: { note, previous: process.note } },
    ],
  };
}

function setResponsible(process: ProcessState, actorId: string, responsibleId: string): StepOutcome {
  if (process.status !== 'active' && process.status !== 'paused') {
    throw new DomainError('process_not_active', `The process is ${process.status}.`, {
      status: process.status,
    });
  }
  if (responsibleId === process.responsibleId && process.actingForId === null)
    return { process, effects: [] };
  return handOver(process, { employeeId: responsibleId, actingForId: null }, actorId, 'responsible.changed', {
    kind: 'responsible.changed',
  });
}

interface HandOverNotice {
  readonly kind: NotificationKind;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Gives the current stage to another employee (or a deputy acting for one): the protocol says who
 * had it and who has it now, the new responsible becomes a member and is told, and the tasks that
 * follow the responsible follow. A stage that was waiting for someone to come online stops waiting.
 */
function handOver(
  process: ProcessState,
  to: { readonly employeeId: string; readonly actingForId: string | null },
  actorId: string | null,
  action: string,
  notice: HandOverNotice,
  details: Readonly<Record<string, unknown>> = {},
): StepOutcome {
  const effects: Effect[] = [
    {
      type: 'protocol',
      action,
      actorId,
      details: {
        stage: process.stageKey,
        from: process.responsibleId,
        to: to.employeeId,
        ...(to.actingForId ? { actingForId: to.actingForId } : {}),
        ...details,
      },
    },
    { type: 'member.add', employeeId: to.employeeId, role: 'responsible' },
    { type: 'tasks.reassign', fromId: process.responsibleId, toId: to.employeeId },
  ];
  if (process.routingUntil !== null) effects.push({ type: 'timer.cancel', kind: 'route' });
  if (to.employeeId !== actorId) {
    effects.push({
      type: 'notify',
      employeeId: to.employeeId,
      kind: notice.kind,
      details: { stage: process.stageKey, ...notice.details },
    });
  }
  return {
    process: { ...process, responsibleId: to.employeeId, actingForId: to.actingForId, routingUntil: null },
    effects,
  };
}

/** The timers of the current stage visit that end with it: escalations and the wait for someone online. */
function stageTimersCancelled(process: ProcessState): Effect[] {
  const effects: Effect[] = [];
  if (process.clock) effects.push({ type: 'timer.cancel', kind: 'escalate' });
  if (process.routingUntil !== null) effects.push({ type: 'timer.cancel', kind: 'route' });
  return effects;
}

function clockContextOf(ctx: StepContext): ClockContext {
  return { zone: ctx.zone, working: ctx.working ?? ALWAYS_WORKING };
}

/** An escalation step falls due: it notifies or hands the stage on, once, and the protocol says so. */
function escalate(process: ProcessState, key: string, ctx: StepContext): StepOutcome {
  const index = escalationIndexOf(key, process.id, process.stageKey, process.visit);
  const stage = ctx.definition.stages.get(process.stageKey);
  const ladder = stage?.escalation ?? [];
  const rule = index === null ? undefined : ladder[index];
  if (
    index === null ||
    !rule ||
    !stage ||
    !process.clock ||
    process.status !== 'active' ||
    process.stageState === 'done' ||
    process.clock.escalated.includes(index)
  ) {
    return { process, effects: [], ignored: true };
  }
  const taken: ProcessState = {
    ...process,
    clock: { ...process.clock, escalated: [...process.clock.escalated, index] },
  };
  const step = { step: index + 1, after: rule.after, working: rule.working === true, action: rule.action };
  if (rule.action === 'reassign') {
    const target = rule.to ?? 'next_online';
    let chosen: string | null;
    if (typeof target === 'object') chosen = target.employeeId;
    else if (target === 'next_online')
      chosen = nextInList(
        stage.responsibles ?? [],
        process.actingForId ?? process.responsibleId,
        ctx.isOnline,
      );
    else if (target === 'initiator') chosen = process.initiatorId;
    else chosen = process.responsibleId;
    const to = chosen ? delegate(chosen, ctx.deputyOf) : null;
    if (!to || to.employeeId === process.responsibleId) {
      return {
        process: taken,
        effects: [
          {
            type: 'protocol',
            action: 'stage.escalated',
            actorId: null,
            details: { stage: process.stageKey, ...step, to: null, unchanged: true },
          },
        ],
      };
    }
    return handOver(taken, to, null, 'stage.escalated', { kind: 'stage.escalated', details: step }, step);
  }
  const target = rule.to ?? 'responsible';
  const effects: Effect[] = [];
  const notified: string[] = [];
  if (target === 'admins') {
    effects.push({
      type: 'notify.admins',
      kind: 'stage.escalated',
      details: { stage: process.stageKey, ...step },
    });
  } else {
    const chosen =
      typeof target === 'object'
        ? target.employeeId
        : target === 'initiator'
          ? process.initiatorId
          : target === 'next_online'
            ? nextInList(stage.responsibles ?? [], process.responsibleId, ctx.isOnline)
            : process.responsibleId;
    const to = chosen ? delegate(chosen, ctx.deputyOf).employeeId : null;
    if (to) {
      notified.push(to);
      effects.push({
        type: 'notify',
        employeeId: to,
        kind: 'stage.escalated',
        details: { stage: process.stageKey, ...step },
      });
    }
  }
  effects.unshift({
    type: 'protocol',
    action: 'stage.escalated',
    actorId: null,
    details: { stage: process.stageKey, ...step, to: target === 'admins' ? 'admins' : (notified[0] ?? null) },
  });
  return { process: taken, effects };
}

/** Nobody listed came online in time: the stage goes to the first listed (or their deputy). */
function routeFallback(process: ProcessState, key: string, ctx: StepContext): StepOutcome {
  const current = routeTimerKey(process.id, process.stageKey, process.visit);
  const first = ctx.definition.stages.get(process.stageKey)?.responsibles?.[0];
  if (key !== current || process.routingUntil === null || !first || isFinished(process.status)) {
    return { process, effects: [], ignored: true };
  }
  return routed(process, delegate(first, ctx.deputyOf), 'first_listed_after_wait');
}

/** A listed responsible came online while the stage waited for one: it is theirs. */
function cameOnline(process: ProcessState, employeeId: string, ctx: StepContext): StepOutcome {
  const list = ctx.definition.stages.get(process.stageKey)?.responsibles ?? [];
  if (process.routingUntil === null || !list.includes(employeeId) || isFinished(process.status)) {
    return { process, effects: [], ignored: true };
  }
  return routed(process, delegate(employeeId, ctx.deputyOf), 'came_online');
}

function routed(
  process: ProcessState,
  to: { readonly employeeId: string; readonly actingForId: string | null },
  reason: RoutingReason,
): StepOutcome {
  return handOver(process, to, null, 'stage.routed', { kind: 'stage.assigned' }, { routing: reason });
}

/** An absence began and the employee's open work moves: their stage goes to the deputy. */
function absenceStart(process: ProcessState, employeeId: string, deputyId: string): StepOutcome {
  if (process.responsibleId !== employeeId || isFinished(process.status) || deputyId === employeeId) {
    return { process, effects: [], ignored: true };
  }
  return handOver(process, { employeeId: deputyId, actingForId: employeeId }, null, 'responsible.deputized', {
    kind: 'responsible.changed',
  });
}

/** An absence ended: a stage the deputy held for the employee goes back to them. */
function absenceEnd(process: ProcessState, employeeId: string): StepOutcome {
  if (process.actingForId !== employeeId || isFinished(process.status)) {
    return { process, effects: [], ignored: true };
  }
  return handOver(process, { employeeId, actingForId: null }, null, 'responsible.returned', {
    kind: 'responsible.returned',
  });
}

function isFinished(status: ProcessStatus): boolean {
  return status === 'completed' || status === 'cancelled';
}

function pause(process: ProcessState, actorId: string, until: number, ctx: StepContext): StepOutcome {
  if (process.status !== 'active' && process.status !== 'paused') {
    throw new DomainError('process_not_active', `The process is ${process.status}.`, {
      status: process.status,
    });
  }
  if (until <= ctx.now) throw new DomainError('invalid_time', 'A pause must end in the future.', { until });
  const effects: Effect[] = [
    { type: 'timer.cancel', kind: 'resume' },
    { type: 'timer.set', kind: 'resume', key: resumeTimerKey(process.id, until), dueAt: until },
    { type: 'protocol', action: 'process.paused', actorId, details: { until: isoTime(until) } },
  ];
  // A pause stops the stage clock: the deadline and the escalations wait for the resume.
  if (process.clock) effects.push({ type: 'timer.cancel', kind: 'escalate' });
  const clock = process.clock ? stopClock(process.clock, ctx.now, clockContextOf(ctx)) : null;
  return { process: { ...process, status: 'paused', pausedUntil: until, clock, dueAt: null }, effects };
}

function resume(
  process: ProcessState,
  actorId: string | null,
  key: string | undefined,
  ctx: StepContext,
): StepOutcome {
  const stale =
    key !== undefined &&
    (process.pausedUntil === null || key !== resumeTimerKey(process.id, process.pausedUntil));
  if (stale || (key !== undefined && process.status !== 'paused'))
    return { process, effects: [], ignored: true };
  if (process.status !== 'paused') {
    throw new DomainError('process_not_active', 'The process is not paused.', { status: process.status });
  }
  const effects: Effect[] = [
    { type: 'timer.cancel', kind: 'resume' },
    { type: 'timer.release' },
    { type: 'protocol', action: 'process.resumed', actorId, details: { automatic: actorId === null } },
  ];
  if (process.responsibleId && process.responsibleId !== actorId) {
    effects.push({
      type: 'notify',
      employeeId: process.responsibleId,
      kind: 'process.resumed',
      details: { stage: process.stageKey },
    });
  }
  const resumed: ProcessState = { ...process, status: 'active', pausedUntil: null };
  if (!process.clock) return { process: resumed, effects };
  // The stage clock runs again from where it stopped.
  const stage = stageOf(ctx.definition, process.stageKey);
  const clockContext = clockContextOf(ctx);
  const clock = restartClock(process.clock, ctx.now);
  for (const timer of escalationTimers(
    process.id,
    stage,
    process.visit,
    clock,
    process.enteredAt,
    clockContext,
  )) {
    effects.push({ type: 'timer.set', kind: 'escalate', key: timer.key, dueAt: timer.dueAt });
  }
  return {
    process: { ...resumed, clock, dueAt: deadlineOf(stage, clock, process.enteredAt, clockContext) },
    effects,
  };
}

function cancel(process: ProcessState, actorId: string, ctx: StepContext): StepOutcome {
  if (process.status !== 'active' && process.status !== 'paused') {
    throw new DomainError('process_not_active', `The process is ${process.status}.`, {
      status: process.status,
    });
  }
  return {
    process: { ...process, status: 'cancelled', pausedUntil: null, completedAt: ctx.now, dueAt: null },
    // The process's own clock stops; a task already created still opens at its start, like any task.
    effects: [
      { type: 'timer.cancel', kind: 'wait' },
      { type: 'timer.cancel', kind: 'resume' },
      ...stageTimersCancelled(process),
      { type: 'protocol', action: 'process.cancelled', actorId, details: { stage: process.stageKey } },
    ],
  };
}

function stageOf(definition: CompiledDefinition, key: string): Stage {
  const stage = definition.stages.get(key);
  if (!stage) throw new Error(`stage "${key}" is not in the definition`);
  return stage;
}
