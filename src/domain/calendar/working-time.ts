/**
 * Working time on a business calendar. Each working date D contributes one interval of real time,
 * from the first instant whose wall clock (in the calendar's zone) reads D at `hours.from` or
 * later, to the first instant whose wall clock reads D at `hours.to` or later. Working time is the
 * real time inside these intervals: across a DST change a 00:00–06:00 working day lasts five or
 * seven hours, a working hour skipped by the clock does not count, and a repeated one counts once
 * per pass (both passes when the hours cover it).
 *
 * The functions step a day at a time and skip a whole week at once when it holds no holiday, no
 * moved working day and no offset change, so a year of working time takes some hundred steps.
 */
import { IANAZone } from 'luxon';
import { type Calendar, parseCalendarDate, parseClockTime, validateCalendar } from './calendar.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Days since 1970-01-01 of 9999-12-31: the last day working time is computed for. */
const LAST_DAY = 2_932_896;

/** Raised when working time is asked of a calendar on which no more working time will ever pass. */
export class NoWorkingTimeError extends Error {
  constructor(message = 'The calendar has no working time after this moment.') {
    super(message);
    this.name = 'NoWorkingTimeError';
  }
}

interface CompiledCalendar {
  readonly zone: IANAZone;
  readonly weekday: readonly boolean[];
  readonly fromMin: number;
  readonly toMin: number;
  readonly holidays: ReadonlySet<number>;
  readonly extraDays: ReadonlySet<number>;
  /** The last moved working day, or -Infinity; the end of working time when no weekday works. */
  readonly lastExtraDay: number;
  readonly anyWeekday: boolean;
  /** Working time of seven consecutive plain days (no holiday, no moved day, one offset). */
  readonly weekMs: number;
  /** Working intervals of days already worked out (reading a zone's offsets is the slow part). */
  readonly intervals: Map<number, readonly [number, number] | null>;
}

/** The most day intervals kept per calendar; past it the memo starts over. */
const MAX_KEPT_INTERVALS = 4096;

const compiled = new WeakMap<Calendar, CompiledCalendar>();

/** Indexes a calendar for the computations below; throws on a malformed one. */
function compile(cal: Calendar): CompiledCalendar {
  const known = compiled.get(cal);
  if (known) return known;
  const check = validateCalendar(cal);
  const fatal = check.ok ? [] : check.errors.filter((e) => e.code !== 'no_working_days');
  if (fatal.length > 0) {
    throw new TypeError(`not a valid calendar: ${fatal.map((e) => `${e.code} (${e.message})`).join('; ')}`);
  }
  const weekday = Array.from({ length: 8 }, (_, i) => cal.workingDays.includes(i as never));
  const fromMin = parseClockTime(cal.hours.from) as number;
  const toMin = parseClockTime(cal.hours.to, true) as number;
  const days = (list: readonly string[]) => new Set(list.map((d) => parseCalendarDate(d) as number));
  const extraDays = days(cal.workingWeekends);
  const workingWeekdays = weekday.filter(Boolean).length;
  const result: CompiledCalendar = {
    zone: IANAZone.create(cal.zone),
    weekday,
    fromMin,
    toMin,
    holidays: days(cal.holidays),
    extraDays,
    lastExtraDay: Math.max(-Infinity, ...extraDays),
    anyWeekday: workingWeekdays > 0,
    weekMs: workingWeekdays * (toMin - fromMin) * MINUTE_MS,
    intervals: new Map(),
  };
  compiled.set(cal, result);
  return result;
}

/** The zone's offset at an instant, in milliseconds. */
function offsetMs(c: CompiledCalendar, instant: number): number {
  return Math.round(c.zone.offset(instant) * MINUTE_MS);
}

/** ISO weekday of a day number (day 0, 1970-01-01, was a Thursday). */
function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function isWorkingDay(c: CompiledCalendar, day: number): boolean {
  if (c.holidays.has(day)) return false;
  return (c.weekday[isoWeekday(day)] ?? false) || c.extraDays.has(day);
}

/** The day (since 1970-01-01) the wall clock shows at an instant. */
function localDay(c: CompiledCalendar, instant: number): number {
  return Math.floor((instant + offsetMs(c, instant)) / DAY_MS);
}

/**
 * The first instant whose wall clock reads `wall` (wall-clock milliseconds since 1970-01-01, as if
 * UTC) or later. Assumes at most one offset change within a day either side, as in every zone.
 */
function firstInstantAtOrAfter(c: CompiledCalendar, wall: number): number {
  const before = offsetMs(c, wall - DAY_MS);
  const after = offsetMs(c, wall + DAY_MS);
  if (before === after) return wall - before;
  let best = Number.POSITIVE_INFINITY;
  for (const offset of [before, after]) {
    const instant = wall - offset;
    if (offsetMs(c, instant) === offset && instant < best) best = instant;
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  // The wall time falls in a gap the clock skips: the answer is the instant of the change.
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(c, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The working interval of a day, or null when the day has none. */
function dayInterval(c: CompiledCalendar, day: number): readonly [number, number] | null {
  if (!isWorkingDay(c, day)) return null;
  const known = c.intervals.get(day);
  if (known !== undefined) return known;
  const midnight = day * DAY_MS;
  const start = firstInstantAtOrAfter(c, midnight + c.fromMin * MINUTE_MS);
  const end = firstInstantAtOrAfter(c, midnight + c.toMin * MINUTE_MS);
  const interval = end > start ? ([start, end] as const) : null;
  if (c.intervals.size >= MAX_KEPT_INTERVALS) c.intervals.clear();
  c.intervals.set(day, interval);
  return interval;
}

/**
 * The offset in force throughout the seven days from `day` when those days hold no holiday and no
 * moved working day (so their working time is `weekMs`); null otherwise.
 */
function plainWeekOffset(c: CompiledCalendar, day: number): number | null {
  for (let d = day; d < day + 7; d++) {
    if (c.holidays.has(d) || c.extraDays.has(d)) return null;
  }
  const first = offsetMs(c, day * DAY_MS - DAY_MS);
  const last = offsetMs(c, (day + 7) * DAY_MS + DAY_MS);
  return first === last ? first : null;
}

function checkDay(c: CompiledCalendar, day: number): void {
  if (day > LAST_DAY) throw new RangeError('working time runs past the year 9999');
  if (!c.anyWeekday && day > c.lastExtraDay + 1) throw new NoWorkingTimeError();
}

function checkInstant(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of milliseconds`);
}

/** The first instant at or after `startMs` at which `amountMs` of working time has passed. */
function runForward(c: CompiledCalendar, startMs: number, amountMs: number): number {
  let cursor = startMs;
  let remaining = amountMs;
  let day = localDay(c, startMs) - 1;
  for (;;) {
    checkDay(c, day);
    if (c.weekMs > 0 && remaining > c.weekMs) {
      const offset = plainWeekOffset(c, day);
      if (offset !== null && cursor <= day * DAY_MS - offset) {
        remaining -= c.weekMs;
        cursor = (day + 7) * DAY_MS - offset;
        day += 7;
        continue;
      }
    }
    const interval = dayInterval(c, day);
    if (interval) {
      const from = Math.max(interval[0], cursor);
      if (from < interval[1]) {
        if (remaining <= interval[1] - from) return from + remaining;
        remaining -= interval[1] - from;
        cursor = interval[1];
      }
    }
    day++;
  }
}

/**
 * When `durationMs` of working time has passed from `startMs`: a start outside working hours
 * counts from the next working moment; the result is the instant the last working millisecond
 * ends (18:00, not the next morning, when the time runs out with the day). A zero duration gives
 * the next working moment. Throws NoWorkingTimeError when the calendar has no more working time.
 */
export function addWorkingTime(cal: Calendar, startMs: number, durationMs: number): number {
  checkInstant('startMs', startMs);
  checkInstant('durationMs', durationMs);
  if (durationMs < 0) throw new RangeError('durationMs must not be negative');
  return runForward(compile(cal), startMs, durationMs);
}

/** The working time in [aMs, bMs); 0 when bMs is not after aMs. */
export function workingTimeBetween(cal: Calendar, aMs: number, bMs: number): number {
  checkInstant('aMs', aMs);
  checkInstant('bMs', bMs);
  if (!(bMs > aMs)) return 0;
  const c = compile(cal);
  let total = 0;
  let day = localDay(c, aMs) - 1;
  const lastDay = localDay(c, bMs) + 1;
  if (lastDay > LAST_DAY) throw new RangeError('working time runs past the year 9999');
  while (day <= lastDay) {
    if (c.weekMs > 0 && day + 7 <= lastDay) {
      const offset = plainWeekOffset(c, day);
      if (offset !== null && aMs <= day * DAY_MS - offset && (day + 7) * DAY_MS - offset <= bMs) {
        total += c.weekMs;
        day += 7;
        continue;
      }
    }
    const interval = dayInterval(c, day);
    if (interval) total += Math.max(0, Math.min(interval[1], bMs) - Math.max(interval[0], aMs));
    day++;
  }
  return total;
}

/** Whether the instant lies in working time. */
export function isWorkingMoment(cal: Calendar, ms: number): boolean {
  checkInstant('ms', ms);
  const c = compile(cal);
  const day = localDay(c, ms);
  for (let d = day - 1; d <= day + 1; d++) {
    const interval = dayInterval(c, d);
    if (interval && interval[0] <= ms && ms < interval[1]) return true;
  }
  return false;
}

/**
 * The first working instant at or after `ms` (`ms` itself when it is working). Throws
 * NoWorkingTimeError when the calendar has no more working time.
 */
export function nextWorkingMoment(cal: Calendar, ms: number): number {
  return addWorkingTime(cal, ms, 0);
}

/** The working time of one nominal working day, `hours.to − hours.from`, in milliseconds. */
export function workingDayMs(cal: Calendar): number {
  const c = compile(cal);
  return (c.toMin - c.fromMin) * MINUTE_MS;
}

/** Working-time arithmetic bound to one calendar (the shape the stage clock takes). */
export interface WorkingTimeOn {
  /** The moment `ms` working milliseconds after `start`. */
  add(start: number, ms: number): number;
  /** Working milliseconds in [a, b); 0 when b is not after a. */
  between(a: number, b: number): number;
}

/** Binds addWorkingTime and workingTimeBetween to a calendar. */
export function workingTimeOn(cal: Calendar): WorkingTimeOn {
  return {
    add: (start, ms) => addWorkingTime(cal, start, ms),
    between: (a, b) => workingTimeBetween(cal, a, b),
  };
}
