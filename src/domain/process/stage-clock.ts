/**
 * The clock of a timed stage: one with a deadline or an escalation ladder. It runs from entering the
 * stage, stops while the process is paused and goes on from where it stopped on resuming, so a
 * pause never eats into the time the stage has. Each target (the deadline, each escalation step) is
 * a span on that clock: calendar time, or working time on the business calendar.
 */
import type { EscalationStep, Stage, TimeSpan } from '../definition/types.ts';
import { addDuration, mustParseDuration } from '../duration.ts';

export interface StageClock {
  /** Since when the clock runs; null while it is stopped (the process is paused). */
  readonly since: number | null;
  /** Calendar milliseconds counted before `since`. */
  readonly usedMs: number;
  /** Working milliseconds counted before `since`. */
  readonly usedWorkingMs: number;
  /** Escalation steps of this visit already taken, by their index in the ladder. */
  readonly escalated: readonly number[];
}

/** Working-time arithmetic on the organisation's business calendar. */
export interface WorkingTime {
  /** The moment `ms` working milliseconds after `start`. */
  add(start: number, ms: number): number;
  /** Working milliseconds between two moments (a ≤ b). */
  between(a: number, b: number): number;
}

/** Without a calendar, every moment is working time. */
export const ALWAYS_WORKING: WorkingTime = {
  add: (start, ms) => start + ms,
  between: (a, b) => Math.max(0, b - a),
};

export interface ClockContext {
  readonly zone: string;
  readonly working: WorkingTime;
}

/** Whether a stage's clock runs: it has a deadline or an escalation ladder (and is no wait or end). */
export function isTimed(stage: Stage): boolean {
  if (stage.kind === 'end' || stage.wait !== undefined) return false;
  return stage.deadline !== undefined || (stage.escalation?.length ?? 0) > 0;
}

/** The clock of a stage entered at `now`. */
export function startClock(now: number): StageClock {
  return { since: now, usedMs: 0, usedWorkingMs: 0, escalated: [] };
}

/** Stops a running clock at `now`, counting what ran. A stopped clock stays as it is. */
export function stopClock(clock: StageClock, now: number, ctx: ClockContext): StageClock {
  if (clock.since === null) return clock;
  const to = Math.max(now, clock.since);
  return {
    ...clock,
    since: null,
    usedMs: clock.usedMs + (to - clock.since),
    usedWorkingMs: clock.usedWorkingMs + ctx.working.between(clock.since, to),
  };
}

/** Runs a stopped clock again from `now`. */
export function restartClock(clock: StageClock, now: number): StageClock {
  return clock.since === null ? { ...clock, since: now } : clock;
}

/**
 * Milliseconds a working span stands for. Working spans count hours and minutes (`PT18H`); a day of
 * working time depends on the calendar's hours, so days, months and years are not working spans.
 */
export function workingSpanMs(duration: string): number {
  const d = mustParseDuration(duration).duration;
  return ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
}

/**
 * When the span `span` on the clock falls due: the moment the clock, running from `since`, reaches
 * it. Null while the clock is stopped. Calendar spans count from the stage's entry in the zone (so
 * `P1D` is a calendar day across a DST change), less the time paused.
 */
export function targetAt(
  clock: StageClock,
  enteredAt: number,
  span: TimeSpan,
  ctx: ClockContext,
): number | null {
  if (clock.since === null) return null;
  if (span.working) {
    const left = Math.max(0, workingSpanMs(span.duration) - clock.usedWorkingMs);
    return ctx.working.add(clock.since, left);
  }
  const whole = addDuration(enteredAt, mustParseDuration(span.duration), ctx.zone) - enteredAt;
  return clock.since + Math.max(0, whole - clock.usedMs);
}

/** The deadline of the stage on its clock, or null (no deadline, or the clock is stopped). */
export function deadlineOf(
  stage: Stage,
  clock: StageClock | null,
  enteredAt: number,
  ctx: ClockContext,
): number | null {
  if (!stage.deadline || !clock) return null;
  return targetAt(clock, enteredAt, stage.deadline, ctx);
}

/** The timer key of one escalation step of one stage visit: it fires once. */
export function escalationTimerKey(
  processId: string,
  stageKey: string,
  visit: number,
  index: number,
): string {
  return `escalate:${processId}:${stageKey}:${visit}:${index}`;
}

/** The step index an escalation timer key names, when the key belongs to this stage visit. */
export function escalationIndexOf(
  key: string,
  processId: string,
  stageKey: string,
  visit: number,
): number | null {
  const prefix = `escalate:${processId}:${stageKey}:${visit}:`;
  if (!key.startsWith(prefix)) return null;
  const index = Number(key.slice(prefix.length));
  return Number.isInteger(index) && index >= 0 ? index : null;
}

/** The escalation timers still to come on a running clock: one per step not yet taken. */
export function escalationTimers(
  processId: string,
  stage: Stage,
  visit: number,
  clock: StageClock,
  enteredAt: number,
  ctx: ClockContext,
): { readonly key: string; readonly dueAt: number }[] {
  const timers: { key: string; dueAt: number }[] = [];
  (stage.escalation ?? []).forEach((step: EscalationStep, index) => {
    if (clock.escalated.includes(index)) return;
    const dueAt = targetAt(clock, enteredAt, { duration: step.after, working: step.working }, ctx);
    if (dueAt !== null) timers.push({ key: escalationTimerKey(processId, stage.key, visit, index), dueAt });
  });
  return timers;
}
