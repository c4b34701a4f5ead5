/**
 * Working-time arithmetic against a brute-force model that walks minute by minute, reading each
 * minute's wall clock through Intl (not Luxon), over random calendars in three zones, with starts
 * drawn near the zones' DST changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Calendar, IsoWeekday } from './calendar.ts';
import { addWorkingTime, isWorkingMoment, nextWorkingMoment, workingTimeBetween } from './working-time.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// The model.
// ---------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock at an instant, as milliseconds since 1970-01-01 read as if UTC. */
function wallClock(zone: string, instant: number): number {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, format);
  }
  const part = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, Number(p.value)]));
  const minuteStart = instant - (((instant % MIN) + MIN) % MIN);
  return Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!) + (instant - minuteStart);
}

/**
 * Walks minute by minute from `from` (minute-aligned). A minute is working when the latest wall
 * clock reading so far (readings go back by an hour when the clock is set back) falls on a working
 * date within working hours.
 */
class MinuteWalk {
  private readonly offsets = new Map<number, number | null>();
  private readonly workingDates = new Map<number, boolean>();
  private readonly holidays: Set<string>;
  private readonly extra: Set<string>;
  private readonly fromMin: number;
  private readonly toMin: number;
  private latest = Number.NEGATIVE_INFINITY;
  minute: number;

  constructor(
    private readonly cal: Calendar,
    from: number,
  ) {
    this.holidays = new Set(cal.holidays);
    this.extra = new Set(cal.workingWeekends);
    const [fh, fm] = cal.hours.from.split(':').map(Number);
    const [th, tm] = cal.hours.to.split(':').map(Number);
    this.fromMin = fh! * 60 + fm!;
    this.toMin = th! * 60 + tm!;
    // Reading a few hours back settles the latest reading as it stands at `from`.
    this.minute = from - 4 * HOUR;
    while (this.minute < from) this.next();
  }

  /** The wall clock at the current minute; offsets looked up once per hour when the hour has one. */
  private read(): number {
    const hour = Math.floor(this.minute / HOUR);
    let offset = this.offsets.get(hour);
    if (offset === undefined) {
      const start = hour * HOUR;
      const first = wallClock(this.cal.zone, start) - start;
      const last = wallClock(this.cal.zone, start + HOUR - MIN) - (start + HOUR - MIN);
      offset = first === last ? first : null;
      this.offsets.set(hour, offset);
    }
    return offset === null ? wallClock(this.cal.zone, this.minute) : this.minute + offset;
  }

  /** Whether the current minute is working; then steps to the next minute. */
  next(): boolean {
    this.latest = Math.max(this.latest, this.read());
    const day = Math.floor(this.latest / DAY);
    const minuteOfDay = Math.floor((this.latest - day * DAY) / MIN);
    this.minute += MIN;
    return this.isWorkingDate(day) && minuteOfDay >= this.fromMin && minuteOfDay < this.toMin;
  }

  private isWorkingDate(day: number): boolean {
    let working = this.workingDates.get(day);
    if (working === undefined) {
      const date = new Date(day * DAY);
      const iso = date.toISOString().slice(0, 10);
      const weekday = (date.getUTCDay() || 7) as IsoWeekday;
      working = !this.holidays.has(iso) && (this.cal.workingDays.includes(weekday) || this.extra.has(iso));
      this.workingDates.set(day, working);
    }
    return working;
  }
}

const LIMIT = 2_000_000;

/** The end of the `minutes`-th working minute from `start`; for zero, the first working minute. */
function modelAdd(cal: Calendar, start: number, minutes: number): number {
  const walk = new MinuteWalk(cal, start);
  let counted = 0;
  for (let i = 0; i < LIMIT; i++) {
    const minute = walk.minute;
    if (walk.next()) {
      if (minutes === 0) return minute;
      counted++;
      if (counted === minutes) return minute + MIN;
    }
  }
  throw new Error('model walked too far');
}

function modelBetween(cal: Calendar, a: number, b: number): number {
  const walk = new MinuteWalk(cal, a);
  let counted = 0;
  while (walk.minute < b) if (walk.next()) counted++;
  return counted * MIN;
}

function modelIsWorking(cal: Calendar, t: number): boolean {
  return new MinuteWalk(cal, t).next();
}

// ---------------------------------------------------------------------------------------------
// Random calendars and instants.
// ---------------------------------------------------------------------------------------------

const ZONES = ['Europe/Moscow', 'Europe/Berlin', 'America/New_York'] as const;

/** Local dates of offset changes (Moscow changed in 2010, 2011 and 2014, then stopped). */
const CHANGES: Record<(typeof ZONES)[number], readonly string[]> = {
  'Europe/Moscow': ['2010-03-28', '2010-10-31', '2011-03-27', '2014-10-26', '2026-03-29'],
  'Europe/Berlin': ['2024-03-31', '2024-10-27', '2025-03-30', '2025-10-26', '2026-03-29', '2026-10-25'],
  'America/New_York': ['2024-03-10', '2024-11-03', '2025-03-09', '2025-11-02', '2026-03-08', '2026-11-01'],
};

const EVERY_DAY: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

function clock(minutes: number): string {
  if (minutes === 1440) return '24:00';
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function isoDate(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** Working hours [from, to) in minutes: anything, night shifts around 02:00–03:00, office hours. */
const hoursArb = fc
  .oneof(
    fc
      .integer({ min: 0, max: 1439 })
      .chain((from) => fc.tuple(fc.constant(from), fc.integer({ min: from + 1, max: 1440 }))),
    fc
      .integer({ min: 0, max: 179 })
      .chain((from) => fc.tuple(fc.constant(from), fc.integer({ min: Math.max(from + 1, 120), max: 420 }))),
    fc.constantFrom<[number, number]>(
      [0, 360],
      [120, 180],
      [150, 165],
      [90, 150],
      [540, 1080],
      [0, 1440],
      [1320, 1440],
    ),
  )
  .map(([from, to]) => ({ from: clock(from), to: clock(to) }));

interface Case {
  readonly cal: Calendar;
  /** A minute-aligned instant near the start of the window the calendar's dates fall in. */
  readonly start: number;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    changeIndex: fc.nat(),
    nearChange: fc.boolean(),
    anyDay: fc.integer({ min: Date.UTC(2009, 0, 1) / DAY, max: Date.UTC(2030, 11, 31) / DAY }),
    dayShift: fc.integer({ min: -3, max: 2 }),
    minuteOfDay: fc.integer({ min: 0, max: 1439 }),
    workingDays: fc.oneof(
      fc.subarray(EVERY_DAY, { minLength: 1 }),
      fc.constant(EVERY_DAY),
      fc.constant<IsoWeekday[]>([1, 2, 3, 4, 5]),
    ),
    hours: hoursArb,
    holidayDays: fc.uniqueArray(fc.integer({ min: -2, max: 40 }), { maxLength: 8 }),
    extraDays: fc.uniqueArray(fc.integer({ min: -2, max: 40 }), { maxLength: 4 }),
  })
  .map((r) => {
    const changes = CHANGES[r.zone];
    const changeDay = Date.parse(changes[r.changeIndex % changes.length]!) / DAY;
    const day = (r.nearChange ? changeDay : r.anyDay) + r.dayShift;
    const holidays = r.holidayDays.map((d) => isoDate(day + d));
    const cal: Calendar = {
      zone: r.zone,
      workingDays: [...r.workingDays].sort(),
      hours: r.hours,
      holidays,
      workingWeekends: r.extraDays.map((d) => isoDate(day + d)).filter((d) => !holidays.includes(d)),
    };
    // The wall-clock minute, approximately: the zone's offset shifts it by a few hours at most.
    return { cal, start: day * DAY + r.minuteOfDay * MIN };
  });

/** A working amount up to a dozen working days of the calendar, in whole minutes. */
function minutesArb(cal: Calendar): fc.Arbitrary<number> {
  const [fh, fm] = cal.hours.from.split(':').map(Number);
  const [th, tm] = cal.hours.to.split(':').map(Number);
  const perDay = th! * 60 + tm! - (fh! * 60 + fm!);
  return fc.oneof(
    fc.integer({ min: 0, max: Math.min(perDay, 180) }),
    fc.integer({ min: 0, max: 4 * perDay }),
    fc.integer({ min: 0, max: 12 * perDay }),
  );
}

const withMinutes = caseArb.chain((c) => fc.tuple(fc.constant(c), minutesArb(c.cal)));

// ---------------------------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------------------------

describe('working time against the minute-by-minute model', () => {
  it('addWorkingTime lands where counting working minutes one by one lands', () => {
    fc.assert(
      fc.property(withMinutes, ([{ cal, start }, minutes]) => {
        expect(addWorkingTime(cal, start, minutes * MIN)).toBe(modelAdd(cal, start, minutes));
      }),
      { numRuns: 300 },
    );
  });

  it('workingTimeBetween counts the working minutes between two instants', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 20 * 1440 }), ({ cal, start }, span) => {
        expect(workingTimeBetween(cal, start, start + span * MIN)).toBe(
          modelBetween(cal, start, start + span * MIN),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('isWorkingMoment and nextWorkingMoment agree with the model', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 3 * 1440 }), ({ cal, start }, offset) => {
        const t = start + offset * MIN;
        expect(isWorkingMoment(cal, t)).toBe(modelIsWorking(cal, t));
        expect(nextWorkingMoment(cal, t)).toBe(modelAdd(cal, t, 0));
      }),
      { numRuns: 300 },
    );
  });
});

describe('working time, algebraically', () => {
  /** Any instant within the case's window, to the millisecond. */
  const instantIn = (c: Case) => fc.integer({ min: c.start - DAY, max: c.start + 30 * DAY });
  const amount = fc.oneof(fc.integer({ min: 0, max: 12 * HOUR }), fc.integer({ min: 0, max: 200 * HOUR }));

  it('adding more working time never falls due earlier', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) => fc.tuple(fc.constant(c), instantIn(c))),
        amount,
        amount,
        ([{ cal }, t], a, b) => {
          const [small, large] = a <= b ? [a, b] : [b, a];
          expect(addWorkingTime(cal, t, small)).toBeLessThanOrEqual(addWorkingTime(cal, t, large));
          if (small < large)
            expect(addWorkingTime(cal, t, small)).toBeLessThan(addWorkingTime(cal, t, large));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the working time between a start and start + d is d', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) => fc.tuple(fc.constant(c), instantIn(c))),
        amount,
        ([{ cal }, t], d) => {
          const due = addWorkingTime(cal, t, d);
          expect(due).toBeGreaterThanOrEqual(t);
          expect(workingTimeBetween(cal, t, due)).toBe(d);
          if (d > 0) expect(isWorkingMoment(cal, due - 1)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('adding the working time between two instants comes back no later than the second, to the same working time', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) => fc.tuple(fc.constant(c), instantIn(c), instantIn(c))),
        ([{ cal }, x, y]) => {
          const [a, b] = x <= y ? [x, y] : [y, x];
          const worked = workingTimeBetween(cal, a, b);
          const back = addWorkingTime(cal, a, worked);
          if (worked > 0) expect(back).toBeLessThanOrEqual(b);
          expect(workingTimeBetween(cal, a, back)).toBe(worked);
          expect(workingTimeBetween(cal, back, b)).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('working time adds up over consecutive ranges', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) => fc.tuple(fc.constant(c), instantIn(c), instantIn(c), instantIn(c))),
        ([{ cal }, ...points]) => {
          const [a, b, c] = points.sort((p, q) => p - q) as [number, number, number];
          expect(workingTimeBetween(cal, a, b) + workingTimeBetween(cal, b, c)).toBe(
            workingTimeBetween(cal, a, c),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
