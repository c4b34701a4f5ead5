/**
 * The process state machine. `launch()` and `step()` take the process, a command and the moment,
 * and return the new process plus the effects to apply, as data. They read no clock and touch no
 * storage: the engine applies every effect of one step in one transaction.
 */

import { isoTime } from '../clock.ts';
import type { CompiledDefinition, Stage, Transition } from '../definition/types.ts';
import { addDuration, mustParseDuration } from '../duration.ts';
import { DomainError } from '../errors.ts';
import { routeResponsible } from './route-responsible.ts';

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
  readonly enteredAt: number;
  readonly note: string;
  readonly pausedUntil: number | null;
  readonly completedAt: number | null;
}

export type NotificationKind =
  | 'stage.assigned'
  | 'process.launched'
  | 'process.resumed'
  | 'responsible.changed'
  | 'task.opened';

export type TimerKind = 'wait' | 'resume';

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
  | { readonly type: 'cancel'; readonly actorId: string };

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
    enteredAt: ctx.now,
    note: input.note,
    pausedUntil: null,
    completedAt: null,
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
      return resume(process, command.actorId, command.key);
    case 'cancel':
      return cancel(process, command.actorId, ctx);
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
  const routing = routeResponsible({
    stage,
    handPick: options.handPick,
    moverId: options.moverId,
    isOnline: ctx.isOnline,
  });
  const responsibleId = routing.responsibleId;
  let next: ProcessState = {
    ...process,
    stageKey: stage.key,
    stageState: 'not_started',
    visit,
    responsibleId,
    enteredAt: ctx.now,
  };
  effects.push({
    type: 'protocol',
    action: 'stage.entered',
    actorId: options.moverId,
    details: { stage: stage.key, visit, responsibleId, routing: routing.reason },
  });
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
      assigneeId: task.assignee === 'responsible' ? responsibleId : task.assignee.employeeId,
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
    next = { ...next, status: 'completed', stageState: 'done', completedAt: ctx.now };
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
  if (responsibleId === process.responsibleId) return { process, effects: [] };
  const effects: Effect[] = [
    {
      type: 'protocol',
      action: 'responsible.changed',
      actorId,
      details: { stage: process.stageKey, from: process.responsibleId, to: responsibleId },
    },
    { type: 'member.add', employeeId: responsibleId, role: 'responsible' },
    { type: 'tasks.reassign', fromId: process.responsibleId, toId: responsibleId },
  ];
  if (responsibleId !== actorId) {
    effects.push({
      type: 'notify',
      employeeId: responsibleId,
      kind: 'responsible.changed',
      details: { stage: process.stageKey },
    });
  }
  return { process: { ...process, responsibleId }, effects };
}

function pause(process: ProcessState, actorId: string, until: number, ctx: StepContext): StepOutcome {
  if (process.status !== 'active' && process.status !== 'paused') {
    throw new DomainError('process_not_active', `The process is ${process.status}.`, {
      status: process.status,
    });
  }
  if (until <= ctx.now) throw new DomainError('invalid_time', 'A pause must end in the future.', { until });
  return {
    process: { ...process, status: 'paused', pausedUntil: until },
    effects: [
      { type: 'timer.cancel', kind: 'resume' },
      { type: 'timer.set', kind: 'resume', key: resumeTimerKey(process.id, until), dueAt: until },
      { type: 'protocol', action: 'process.paused', actorId, details: { until: isoTime(until) } },
    ],
  };
}

function resume(process: ProcessState, actorId: string | null, key: string | undefined): StepOutcome {
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
  return { process: { ...process, status: 'active', pausedUntil: null }, effects };
}

function cancel(process: ProcessState, actorId: string, ctx: StepContext): StepOutcome {
  if (process.status !== 'active' && process.status !== 'paused') {
    throw new DomainError('process_not_active', `The process is ${process.status}.`, {
      status: process.status,
    });
  }
  return {
    process: { ...process, status: 'cancelled', pausedUntil: null, completedAt: ctx.now },
    // The process's own clock stops; a task already created still opens at its start, like any task.
    effects: [
      { type: 'timer.cancel', kind: 'wait' },
      { type: 'timer.cancel', kind: 'resume' },
      { type: 'protocol', action: 'process.cancelled', actorId, details: { stage: process.stageKey } },
    ],
  };
}

function stageOf(definition: CompiledDefinition, key: string): Stage {
  const stage = definition.stages.get(key);
  if (!stage) throw new Error(`stage "${key}" is not in the definition`);
  return stage;
}
