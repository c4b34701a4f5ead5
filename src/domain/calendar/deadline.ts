/**
 * Stage deadlines and escalation steps as countdowns. A countdown starts when the stage is
 * entered, stops while the process is paused or waiting (keeping what is left of it), and on
 * resuming falls due that much later. Calendar countdowns (`P1D`, `PT4H`) run on the calendar of
 * the zone; working ones (`working: true`) count only working time of the business calendar.
 *
 * A countdown is plain data, meant to be stored with the stage's state:
 * - `running`: due at `dueAt`;
 * - `stopped`: `remainingMs` left, due nowhere until resumed;
 * - `due`: it fell due at `dueAt` while running; stopping and resuming no longer move it.
 */

import type { EscalationStep, EscalationTarget, Stage, TimeSpan } from '../definition/types.ts';
import { addDuration, mustParseDuration, type ParsedDuration } from '../duration.ts';
import type { Calendar } from './calendar.ts';
import { addWorkingTime, workingTimeBetween } from './working-time.ts';

/** The time settings of a stage. */
export type StageTiming = Pick<Stage, 'deadline' | 'escalation'>;

/** Whom a step goes to when it names no one: a notice to the responsible, the stage to the next online responsible. */
export function escalationTarget(step: EscalationStep): EscalationTarget {
  return step.to ?? (step.action === 'notify' ? 'responsible' : 'next_online');
}

export type CountdownKind = 'calendar' | 'working';

export type Countdown =
  | { readonly state: 'running'; readonly kind: CountdownKind; readonly dueAt: number }
  | { readonly state: 'stopped'; readonly kind: CountdownKind; readonly remainingMs: number }
  | { readonly state: 'due'; readonly kind: CountdownKind; readonly dueAt: number };

/** A working duration counts hours, minutes and seconds only (`PT18H`, `PT1H30M`). */
const WORKING_DURATION = /^PT(?=\d)(\d+H)?(\d+M)?(\d+S)?$/;

/**
 * Whether a duration can measure working time: hours, minutes and seconds only, since the length
 * of a working day is the calendar's to decide (on 09:00–18:00, two working days are `PT18H`).
 */
export function isWorkingDuration(parsed: ParsedDuration): boolean {
  return WORKING_DURATION.test(parsed.iso);
}

/** The working time a working duration stands for, in milliseconds. */
export function workingAmountMs(parsed: ParsedDuration): number {
  if (!isWorkingDuration(parsed)) {
    throw new RangeError(`a working duration has hours, minutes and seconds only: ${parsed.iso}`);
  }
  const { hours = 0, minutes = 0, seconds = 0 } = parsed.duration.toObject();
  return ((hours * 60 + minutes) * 60 + seconds) * 1000;
}

/**
 * Starts a countdown of `spec` at `startMs` (the stage entry). A working countdown started outside
 * working hours counts from the next working moment.
 */
export function startCountdown(cal: Calendar, spec: TimeSpan, startMs: number): Countdown {
  const parsed = mustParseDuration(spec.duration);
  if (spec.working) {
    return {
      state: 'running',
      kind: 'working',
      dueAt: addWorkingTime(cal, startMs, workingAmountMs(parsed)),
    };
  }
  return { state: 'running', kind: 'calendar', dueAt: addDuration(startMs, parsed, cal.zone) };
}

/**
 * Stops a running countdown at `atMs` (a pause or a wait begins), keeping what is left: real time
 * for a calendar countdown, working time for a working one. A countdown already due at `atMs`
 * becomes `due` and keeps its moment; a stopped or due one is returned as it is.
 */
export function stopCountdown(cal: Calendar, countdown: Countdown, atMs: number): Countdown {
  if (countdown.state !== 'running') return countdown;
  const { kind, dueAt } = countdown;
  if (atMs >= dueAt) return { state: 'due', kind, dueAt };
  const remainingMs = kind === 'working' ? workingTimeBetween(cal, atMs, dueAt) : dueAt - atMs;
  return { state: 'stopped', kind, remainingMs };
}

/**
 * Resumes a stopped countdown at `atMs`: it falls due once what was left has passed (working time
 * counted from the next working moment). A running or due one is returned as it is.
 */
export function resumeCountdown(cal: Calendar, countdown: Countdown, atMs: number): Countdown {
  if (countdown.state !== 'stopped') return countdown;
  const { kind, remainingMs } = countdown;
  const dueAt = kind === 'working' ? addWorkingTime(cal, atMs, remainingMs) : atMs + remainingMs;
  return { state: 'running', kind, dueAt };
}

/** When the countdown falls (or fell) due; null while it is stopped. */
export function countdownDueAt(countdown: Countdown): number | null {
  return countdown.state === 'stopped' ? null : countdown.dueAt;
}

/** Whether the countdown has fallen due by `nowMs`. */
export function isCountdownDue(countdown: Countdown, nowMs: number): boolean {
  return countdown.state === 'due' || (countdown.state === 'running' && countdown.dueAt <= nowMs);
}

/** A stretch during which the clock stood still: a pause or a wait; `to` null while it lasts. */
export interface StoppedInterval {
  readonly from: number;
  readonly to: number | null;
}

/**
 * The countdown of `spec` started at `startMs` after the given stops, in order and not
 * overlapping: the same as starting it and applying each stop and resume in turn.
 */
export function replayCountdown(
  cal: Calendar,
  spec: TimeSpan,
  startMs: number,
  stops: readonly StoppedInterval[],
): Countdown {
  let countdown = startCountdown(cal, spec, startMs);
  for (const stop of stops) {
    countdown = stopCountdown(cal, countdown, stop.from);
    if (stop.to !== null) countdown = resumeCountdown(cal, countdown, stop.to);
  }
  return countdown;
}

/**
 * When a countdown of `spec` started at `startMs` falls (or fell) due, given the stops since; null
 * while the last stop lasts.
 */
export function dueAt(
  cal: Calendar,
  spec: TimeSpan,
  startMs: number,
  stops: readonly StoppedInterval[] = [],
): number | null {
  return countdownDueAt(replayCountdown(cal, spec, startMs, stops));
}

/** The countdowns of one stage visit: its deadline and each escalation step, by the step's index. */
export interface StageClocks {
  readonly deadline: Countdown | null;
  readonly escalation: readonly Countdown[];
}

/** Starts the clocks of a stage entered at `enteredMs`. */
export function startStageClocks(cal: Calendar, timing: StageTiming, enteredMs: number): StageClocks {
  return {
    deadline: timing.deadline ? startCountdown(cal, timing.deadline, enteredMs) : null,
    escalation: (timing.escalation ?? []).map((step) =>
      startCountdown(cal, { duration: step.after, working: step.working }, enteredMs),
    ),
  };
}

/** Stops every clock of the stage at `atMs` (a pause or a wait begins). */
export function stopStageClocks(cal: Calendar, clocks: StageClocks, atMs: number): StageClocks {
  return {
    deadline: clocks.deadline && stopCountdown(cal, clocks.deadline, atMs),
    escalation: clocks.escalation.map((c) => stopCountdown(cal, c, atMs)),
  };
}

/** Resumes every clock of the stage at `atMs`. */
export function resumeStageClocks(cal: Calendar, clocks: StageClocks, atMs: number): StageClocks {
  return {
    deadline: clocks.deadline && resumeCountdown(cal, clocks.deadline, atMs),
    escalation: clocks.escalation.map((c) => resumeCountdown(cal, c, atMs)),
  };
}
