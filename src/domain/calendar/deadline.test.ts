import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { TimeSpan } from '../definition/types.ts';
import { mustParseDuration } from '../duration.ts';
import { type Calendar, defaultCalendar } from './calendar.ts';
import {
  type Countdown,
  countdownDueAt,
  dueAt,
  escalationTarget,
  isCountdownDue,
  isWorkingDuration,
  replayCountdown,
  resumeCountdown,
  resumeStageClocks,
  type StoppedInterval,
  startCountdown,
  startStageClocks,
  stopCountdown,
  stopStageClocks,
  workingAmountMs,
} from './deadline.ts';
import { workingTimeBetween } from './working-time.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const cal = defaultCalendar('Europe/Moscow');

function at(local: string, c: Calendar = cal): number {
  const dt = DateTime.fromISO(local, { zone: c.zone });
  if (!dt.isValid) throw new Error(`bad fixture time ${local}`);
  return dt.toMillis();
}

function wall(ms: number | null, c: Calendar = cal): string | null {
  return ms === null ? null : DateTime.fromMillis(ms, { zone: c.zone }).toFormat("yyyy-LL-dd'T'HH:mm");
}

describe('a stage deadline', () => {
  it('given hours 09:00–18:00 and a 4-working-hour deadline entered Friday 16:00, then it falls due Monday 11:00', () => {
    const countdown = startCountdown(cal, { duration: 'PT4H', working: true }, at('2026-11-27T16:00'));
    expect(countdown).toEqual({ state: 'running', kind: 'working', dueAt: at('2026-11-30T11:00') });
  });

  it('given a calendar deadline, then it runs on the calendar of the zone, weekends included', () => {
    const countdown = startCountdown(cal, { duration: 'PT4H' }, at('2026-11-27T16:00'));
    expect(wall(countdownDueAt(countdown))).toBe('2026-11-27T20:00');
    const berlin = defaultCalendar('Europe/Berlin');
    // P1D across the spring change is one calendar day: 23 hours of real time.
    const day = startCountdown(berlin, { duration: 'P1D', working: false }, at('2026-03-28T10:00', berlin));
    expect(wall(countdownDueAt(day), berlin)).toBe('2026-03-29T10:00');
  });

  it('given a pause, then the working time left is kept and counted again from the resume', () => {
    const entered = at('2026-11-27T16:00');
    const running = startCountdown(cal, { duration: 'PT4H', working: true }, entered);
    // Paused at 17:00 (one working hour used): three are left.
    const stopped = stopCountdown(cal, running, at('2026-11-27T17:00'));
    expect(stopped).toEqual({ state: 'stopped', kind: 'working', remainingMs: 3 * HOUR });
    expect(countdownDueAt(stopped)).toBeNull();
    expect(isCountdownDue(stopped, at('2026-12-31T00:00'))).toBe(false);
    // Resumed on Tuesday 15:00: 3 hours to 18:00.
    const resumed = resumeCountdown(cal, stopped, at('2026-12-01T15:00'));
    expect(wall(countdownDueAt(resumed))).toBe('2026-12-01T18:00');
    // Resumed on a Saturday: counts from Monday 09:00.
    expect(wall(countdownDueAt(resumeCountdown(cal, stopped, at('2026-12-05T11:00'))))).toBe(
      '2026-12-07T12:00',
    );
  });

  it('given a pause, then the calendar time left is kept and counted from the resume', () => {
    const running = startCountdown(cal, { duration: 'P2D' }, at('2026-11-23T10:00'));
    const stopped = stopCountdown(cal, running, at('2026-11-24T10:00'));
    expect(stopped).toEqual({ state: 'stopped', kind: 'calendar', remainingMs: 24 * HOUR });
    expect(wall(countdownDueAt(resumeCountdown(cal, stopped, at('2026-11-30T08:30'))))).toBe(
      '2026-12-01T08:30',
    );
  });

  it('given a countdown already due when the pause begins, then it stays due at its moment', () => {
    const running = startCountdown(cal, { duration: 'PT1H', working: true }, at('2026-11-24T10:00'));
    expect(isCountdownDue(running, at('2026-11-24T10:59'))).toBe(false);
    expect(isCountdownDue(running, at('2026-11-24T11:00'))).toBe(true);
    const stopped = stopCountdown(cal, running, at('2026-11-24T11:00'));
    expect(stopped).toEqual({ state: 'due', kind: 'working', dueAt: at('2026-11-24T11:00') });
    const resumed = resumeCountdown(cal, stopped, at('2026-11-26T10:00'));
    expect(resumed).toBe(stopped);
    expect(isCountdownDue(resumed, 0)).toBe(true);
    expect(countdownDueAt(resumed)).toBe(at('2026-11-24T11:00'));
  });

  it('given stopping twice or resuming a running countdown, then nothing changes', () => {
    const running = startCountdown(cal, { duration: 'PT2H', working: true }, at('2026-11-24T10:00'));
    expect(resumeCountdown(cal, running, at('2026-11-24T10:30'))).toBe(running);
    const stopped = stopCountdown(cal, running, at('2026-11-24T10:30'));
    expect(stopCountdown(cal, stopped, at('2026-11-24T11:30'))).toBe(stopped);
  });

  it('given stops and resumes as intervals, then replaying them gives the same countdown', () => {
    const spec: TimeSpan = { duration: 'PT10H', working: true };
    const entered = at('2026-11-23T09:00');
    const stops: StoppedInterval[] = [
      { from: at('2026-11-23T12:00'), to: at('2026-11-25T09:00') },
      { from: at('2026-11-25T13:00'), to: at('2026-11-25T17:00') },
    ];
    // 3 h on Monday, 4 h on Wednesday morning, 1 h to 18:00, then 2 h on Thursday.
    const replayed = replayCountdown(cal, spec, entered, stops);
    expect(wall(countdownDueAt(replayed))).toBe('2026-11-26T11:00');
    const open = replayCountdown(cal, spec, entered, [...stops, { from: at('2026-11-26T10:00'), to: null }]);
    expect(open).toEqual({ state: 'stopped', kind: 'working', remainingMs: HOUR });
    expect(dueAt(cal, spec, entered, stops)).toBe(at('2026-11-26T11:00'));
    expect(dueAt(cal, spec, entered)).toBe(at('2026-11-24T10:00'));
    expect(dueAt(cal, spec, entered, [{ from: at('2026-11-23T10:00'), to: null }])).toBeNull();
  });

  it('given a duration that is no ISO 8601 one, or a working one with days, then starting refuses', () => {
    expect(() => startCountdown(cal, { duration: 'soon' }, 0)).toThrow();
    expect(() => startCountdown(cal, { duration: 'P1D', working: true }, 0)).toThrow(RangeError);
  });
});

describe('working durations', () => {
  it.each([
    ['PT18H', 18 * HOUR],
    ['PT1H30M', 90 * MIN],
    ['PT45S', 45_000],
    ['PT0H90M', 90 * MIN],
  ])('given %s, then it stands for that much working time', (text, ms) => {
    expect(isWorkingDuration(mustParseDuration(text))).toBe(true);
    expect(workingAmountMs(mustParseDuration(text))).toBe(ms);
  });

  it.each(['P1D', 'P1W', 'P1M', 'P1Y', 'P1DT2H'])('given %s, then it is no working duration', (text) => {
    expect(isWorkingDuration(mustParseDuration(text))).toBe(false);
    expect(() => workingAmountMs(mustParseDuration(text))).toThrow(RangeError);
  });
});

describe('the clocks of a stage', () => {
  const timing = {
    deadline: { duration: 'PT8H', working: true },
    escalation: [
      { after: 'PT4H', working: true, action: 'notify' as const },
      { after: 'PT2H', action: 'reassign' as const, to: { employeeId: 'e7' } },
    ],
  };

  it('given a deadline and two escalation steps, then each is a countdown from the stage entry', () => {
    const clocks = startStageClocks(cal, timing, at('2026-11-27T16:00'));
    expect(wall(countdownDueAt(clocks.deadline!))).toBe('2026-11-30T15:00');
    expect(clocks.escalation.map((c) => wall(countdownDueAt(c)))).toEqual([
      '2026-11-30T11:00',
      '2026-11-27T18:00',
    ]);
  });

  it('given a pause after the calendar step fell due, then the others stop and that one stays due', () => {
    const clocks = startStageClocks(cal, timing, at('2026-11-27T16:00'));
    const stopped = stopStageClocks(cal, clocks, at('2026-11-27T18:30'));
    expect(stopped.deadline).toEqual({ state: 'stopped', kind: 'working', remainingMs: 6 * HOUR });
    expect(stopped.escalation).toEqual([
      { state: 'stopped', kind: 'working', remainingMs: 2 * HOUR },
      { state: 'due', kind: 'calendar', dueAt: at('2026-11-27T18:00') },
    ]);
    const resumed = resumeStageClocks(cal, stopped, at('2026-12-01T09:00'));
    expect(wall(countdownDueAt(resumed.deadline!))).toBe('2026-12-01T15:00');
    expect(resumed.escalation.map((c) => wall(countdownDueAt(c)))).toEqual([
      '2026-12-01T11:00',
      '2026-11-27T18:00',
    ]);
  });

  it('given no settings, then there are no clocks', () => {
    const clocks = startStageClocks(cal, {}, 0);
    expect(clocks).toEqual({ deadline: null, escalation: [] });
    expect(resumeStageClocks(cal, stopStageClocks(cal, clocks, 1), 2)).toEqual(clocks);
  });

  it('given a step without a target, then a notice goes to the responsible and a reassignment to the next online', () => {
    expect(escalationTarget({ after: 'PT1H', action: 'notify' })).toBe('responsible');
    expect(escalationTarget({ after: 'PT1H', action: 'reassign' })).toBe('next_online');
    expect(escalationTarget({ after: 'PT1H', action: 'notify', to: 'admins' })).toBe('admins');
  });
});

describe('a countdown stopped and resumed at random', () => {
  const zoneArb = fc.constantFrom('Europe/Moscow', 'Europe/Berlin', 'America/New_York');
  const specArb = fc.oneof(
    fc.integer({ min: 1, max: 60 }).map((h): TimeSpan => ({ duration: `PT${h}H`, working: true })),
    fc.integer({ min: 1, max: 2000 }).map((m): TimeSpan => ({ duration: `PT${m}M`, working: true })),
    fc.integer({ min: 1, max: 20 }).map((d): TimeSpan => ({ duration: `P${d}D` })),
    fc.integer({ min: 1, max: 100 }).map((h): TimeSpan => ({ duration: `PT${h}H`, working: false })),
  );
  /** Entry, then alternating stop and resume gaps, in minutes. */
  const gapsArb = fc.array(fc.integer({ min: 0, max: 5 * 1440 }), { maxLength: 8 });

  it('counts exactly its duration over the time it ran, or fell due before a stop', () => {
    fc.assert(
      fc.property(
        zoneArb,
        specArb,
        fc.integer({ min: Date.UTC(2024, 0, 1) / MIN, max: Date.UTC(2027, 0, 1) / MIN }),
        gapsArb,
        (zone, spec, enteredMin, gaps) => {
          const c = defaultCalendar(zone);
          const entered = enteredMin * MIN;
          const stops: StoppedInterval[] = [];
          let t = entered;
          for (let i = 0; i + 1 < gaps.length; i += 2) {
            const from = t + gaps[i]! * MIN;
            const to = from + gaps[i + 1]! * MIN;
            stops.push({ from, to });
            t = to;
          }
          const countdown: Countdown = replayCountdown(c, spec, entered, stops);
          const first = startCountdown(c, spec, entered);
          if (first.state !== 'running') throw new Error('a started countdown runs');
          const fellDueAt = fellDueBeforeAStop(c, spec, entered, stops);
          if (fellDueAt !== null) {
            expect(countdown).toEqual({ state: 'due', kind: first.kind, dueAt: fellDueAt });
            return;
          }
          if (countdown.state !== 'running') throw new Error('every stop was resumed');
          // The time it ran: from the entry to the first stop, from each resume to the next stop, to dueAt.
          const runs: [number, number][] = [];
          let since = entered;
          for (const s of stops) {
            runs.push([since, s.from]);
            since = s.to!;
          }
          runs.push([since, countdown.dueAt]);
          if (spec.working) {
            const worked = runs.reduce((sum, [a, b]) => sum + workingTimeBetween(c, a, b), 0);
            expect(worked).toBe(workingAmountMs(mustParseDuration(spec.duration)));
          } else {
            const ran = runs.reduce((sum, [a, b]) => sum + (b - a), 0);
            expect(ran).toBe(first.dueAt - entered);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** When the countdown fell due while running, before a stop began; null when it never did. */
function fellDueBeforeAStop(
  c: Calendar,
  spec: TimeSpan,
  entered: number,
  stops: readonly StoppedInterval[],
): number | null {
  let countdown = startCountdown(c, spec, entered);
  for (const s of stops) {
    if (countdown.state === 'running' && countdown.dueAt <= s.from) return countdown.dueAt;
    countdown = stopCountdown(c, countdown, s.from);
    if (s.to !== null) countdown = resumeCountdown(c, countdown, s.to);
  }
  return null;
}
