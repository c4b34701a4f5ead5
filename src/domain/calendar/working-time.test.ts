import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type Calendar, defaultCalendar, type IsoWeekday } from './calendar.ts';
import {
  addWorkingTime,
  isWorkingMoment,
  NoWorkingTimeError,
  nextWorkingMoment,
  workingDayMs,
  workingTimeBetween,
  workingTimeOn,
} from './working-time.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const EVERY_DAY: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

/** Epoch milliseconds of a wall-clock time in the calendar's zone; give the offset when it repeats. */
function at(cal: Calendar, local: string): number {
  const dt = DateTime.fromISO(local, { zone: cal.zone });
  if (!dt.isValid) throw new Error(`bad fixture time ${local}`);
  return dt.toMillis();
}

/** The wall-clock time and offset of an instant in the calendar's zone. */
function wall(cal: Calendar, ms: number): string {
  return DateTime.fromMillis(ms, { zone: cal.zone }).toFormat("yyyy-LL-dd'T'HH:mmZZ");
}

function calendar(changes: Partial<Calendar>, zone = 'Europe/Moscow'): Calendar {
  return { ...defaultCalendar(zone), ...changes };
}

describe('addWorkingTime on Monday–Friday 09:00–18:00', () => {
  const cal = defaultCalendar('Europe/Moscow');

  it('given Friday 16:00 and 4 working hours, then it falls due Monday 11:00', () => {
    // 2026-11-27 is a Friday.
    expect(wall(cal, addWorkingTime(cal, at(cal, '2026-11-27T16:00'), 4 * HOUR))).toBe(
      '2026-11-30T11:00+03:00',
    );
  });

  it.each([
    ['inside hours', '2026-11-24T10:15', 2 * HOUR, '2026-11-24T12:15+03:00'],
    ['before hours: counts from 09:00', '2026-11-24T06:30', 2 * HOUR, '2026-11-24T11:00+03:00'],
    ['after hours: counts from the next morning', '2026-11-24T19:00', 2 * HOUR, '2026-11-25T11:00+03:00'],
    ['on a Saturday: counts from Monday', '2026-11-28T12:00', 30 * MIN, '2026-11-30T09:30+03:00'],
    [
      'exactly a day: ends at 18:00, not the next morning',
      '2026-11-24T09:00',
      9 * HOUR,
      '2026-11-24T18:00+03:00',
    ],
    ['PT18H from Monday 09:00: two working days', '2026-11-23T09:00', 18 * HOUR, '2026-11-24T18:00+03:00'],
    ['a working week and a minute', '2026-11-23T09:00', 45 * HOUR + MIN, '2026-11-30T09:01+03:00'],
    ['zero from a working moment: that moment', '2026-11-24T12:34', 0, '2026-11-24T12:34+03:00'],
    ['zero at 18:00: the next morning', '2026-11-27T18:00', 0, '2026-11-30T09:00+03:00'],
  ])('given a start %s, then it falls due as a calendar reader expects', (_name, start, amount, due) => {
    expect(wall(cal, addWorkingTime(cal, at(cal, start), amount))).toBe(due);
  });

  it('given seconds and milliseconds, then they count exactly', () => {
    const start = at(cal, '2026-11-24T17:59') + 30_500;
    expect(addWorkingTime(cal, start, 29_500)).toBe(at(cal, '2026-11-24T18:00'));
    expect(addWorkingTime(cal, start, 29_501)).toBe(at(cal, '2026-11-25T09:00') + 1);
  });

  it('given a negative or non-finite amount, then it refuses', () => {
    expect(() => addWorkingTime(cal, 0, -1)).toThrow(RangeError);
    expect(() => addWorkingTime(cal, Number.NaN, 1)).toThrow(RangeError);
    expect(() => addWorkingTime(cal, 0, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('holidays and moved working days', () => {
  // The Russian production calendar of 2026 style: a Monday holiday and a working Saturday.
  const cal = calendar({ holidays: ['2026-11-30', '2026-12-31'], workingWeekends: ['2026-12-05'] });

  it('given a holiday Monday, then Friday 16:00 + 4 working hours falls due Tuesday 11:00', () => {
    expect(wall(cal, addWorkingTime(cal, at(cal, '2026-11-27T16:00'), 4 * HOUR))).toBe(
      '2026-12-01T11:00+03:00',
    );
  });

  it('given a working Saturday, then Friday 16:00 + 4 working hours falls due Saturday 11:00', () => {
    expect(wall(cal, addWorkingTime(cal, at(cal, '2026-12-04T16:00'), 4 * HOUR))).toBe(
      '2026-12-05T11:00+03:00',
    );
    expect(isWorkingMoment(cal, at(cal, '2026-12-05T12:00'))).toBe(true);
    expect(isWorkingMoment(cal, at(cal, '2026-12-06T12:00'))).toBe(false);
  });

  it('given a week with a holiday and a working Saturday, then it still holds five working days', () => {
    expect(workingTimeBetween(cal, at(cal, '2026-11-30T00:00'), at(cal, '2026-12-07T00:00'))).toBe(45 * HOUR);
    expect(workingTimeBetween(cal, at(cal, '2026-12-28T00:00'), at(cal, '2027-01-04T00:00'))).toBe(36 * HOUR);
  });
});

describe('workingTimeBetween, isWorkingMoment, nextWorkingMoment', () => {
  const cal = defaultCalendar('Europe/Moscow');

  it('counts only working time, and nothing for an empty or reversed range', () => {
    expect(workingTimeBetween(cal, at(cal, '2026-11-27T16:00'), at(cal, '2026-11-30T11:00'))).toBe(4 * HOUR);
    expect(workingTimeBetween(cal, at(cal, '2026-11-28T00:00'), at(cal, '2026-11-30T00:00'))).toBe(0);
    const t = at(cal, '2026-11-24T12:00');
    expect(workingTimeBetween(cal, t, t)).toBe(0);
    expect(workingTimeBetween(cal, t + HOUR, t)).toBe(0);
  });

  it('gives 9:00 as working and 18:00 as not (hours are half-open)', () => {
    expect(isWorkingMoment(cal, at(cal, '2026-11-24T09:00'))).toBe(true);
    expect(isWorkingMoment(cal, at(cal, '2026-11-24T09:00') - 1)).toBe(false);
    expect(isWorkingMoment(cal, at(cal, '2026-11-24T18:00') - 1)).toBe(true);
    expect(isWorkingMoment(cal, at(cal, '2026-11-24T18:00'))).toBe(false);
    expect(isWorkingMoment(cal, at(cal, '2026-11-29T12:00'))).toBe(false);
  });

  it('finds the next working moment', () => {
    expect(wall(cal, nextWorkingMoment(cal, at(cal, '2026-11-28T03:00')))).toBe('2026-11-30T09:00+03:00');
    const t = at(cal, '2026-11-24T12:00') + 7;
    expect(nextWorkingMoment(cal, t)).toBe(t);
  });

  it('gives the nominal length of a working day and binds the arithmetic to a calendar', () => {
    expect(workingDayMs(cal)).toBe(9 * HOUR);
    expect(workingDayMs(calendar({ hours: { from: '00:00', to: '24:00' } }))).toBe(24 * HOUR);
    const on = workingTimeOn(cal);
    const start = at(cal, '2026-11-27T16:00');
    expect(on.add(start, 4 * HOUR)).toBe(addWorkingTime(cal, start, 4 * HOUR));
    expect(on.between(start, start + 3 * 24 * HOUR)).toBe(
      workingTimeBetween(cal, start, start + 3 * 24 * HOUR),
    );
  });
});

describe('long durations', () => {
  it('given a year of working time, then it lands where whole weeks put it', () => {
    const cal = calendar({ workingDays: [1, 2, 3, 4, 5] }, 'Europe/Berlin');
    const start = at(cal, '2026-01-05T09:00'); // a Monday
    // 52 weeks of 45 working hours: the Monday 52 weeks later, 09:00 on the wall clock, DST or not.
    const due = addWorkingTime(cal, start, 52 * 45 * HOUR + MIN);
    expect(wall(cal, due)).toBe('2027-01-04T09:01+01:00');
    expect(workingTimeBetween(cal, start, due)).toBe(52 * 45 * HOUR + MIN);
  });

  it('given ten years of working time with holidays every year, then it round-trips', () => {
    const holidays = Array.from({ length: 30 }, (_, y) => `${2026 + y}-01-01`);
    const cal = calendar({ holidays });
    const start = at(cal, '2026-03-02T10:00');
    const amount = 10 * 52 * 45 * HOUR;
    const due = addWorkingTime(cal, start, amount);
    expect(workingTimeBetween(cal, start, due)).toBe(amount);
    expect(DateTime.fromMillis(due, { zone: cal.zone }).year).toBe(2036);
  });

  it('given working time beyond the year 9999, then it refuses instead of running on', () => {
    const cal = defaultCalendar('UTC');
    expect(() => addWorkingTime(cal, at(cal, '9999-06-01T00:00'), 10_000 * HOUR)).toThrow(RangeError);
  });
});

describe('a calendar with no working time', () => {
  it('given no working weekday and no moved working day, then adding working time fails clearly', () => {
    const cal = calendar({ workingDays: [] });
    expect(() => addWorkingTime(cal, at(cal, '2026-11-24T10:00'), HOUR)).toThrow(NoWorkingTimeError);
    expect(() => nextWorkingMoment(cal, at(cal, '2026-11-24T10:00'))).toThrow(NoWorkingTimeError);
    expect(workingTimeBetween(cal, at(cal, '2026-01-01T00:00'), at(cal, '2027-01-01T00:00'))).toBe(0);
    expect(isWorkingMoment(cal, at(cal, '2026-11-24T10:00'))).toBe(false);
  });

  it('given only moved working days, then they count and after the last one adding fails', () => {
    const cal = calendar({ workingDays: [], workingWeekends: ['2026-11-28', '2026-12-05'] });
    const start = at(cal, '2026-11-24T10:00');
    expect(wall(cal, addWorkingTime(cal, start, 10 * HOUR))).toBe('2026-12-05T10:00+03:00');
    expect(wall(cal, addWorkingTime(cal, start, 18 * HOUR))).toBe('2026-12-05T18:00+03:00');
    expect(() => addWorkingTime(cal, start, 18 * HOUR + 1)).toThrow(NoWorkingTimeError);
  });

  it('given a malformed calendar, then it refuses it', () => {
    const cal = calendar({ hours: { from: '18:00', to: '09:00' } });
    expect(() => addWorkingTime(cal, 0, HOUR)).toThrow(TypeError);
    expect(() =>
      workingTimeBetween({ ...cal, hours: { from: '09:00', to: '18:00' }, zone: 'Mars/Base' }, 0, 1),
    ).toThrow(/unknown_zone/);
  });
});

describe('DST: Europe/Berlin', () => {
  // The clock goes 02:00 → 03:00 on 2026-03-29 and 03:00 → 02:00 on 2026-10-25 (last Sundays).
  const night = calendar({ workingDays: EVERY_DAY, hours: { from: '00:00', to: '06:00' } }, 'Europe/Berlin');

  it('given a 00:00–06:00 shift on the spring change, then the day holds five hours', () => {
    const midnight = at(night, '2026-03-29T00:00');
    const end = at(night, '2026-03-29T06:00');
    expect(end - midnight).toBe(5 * HOUR);
    expect(workingTimeBetween(night, midnight, end)).toBe(5 * HOUR);
    expect(wall(night, addWorkingTime(night, midnight, 5 * HOUR))).toBe('2026-03-29T06:00+02:00');
    expect(wall(night, addWorkingTime(night, midnight, 5 * HOUR + MIN))).toBe('2026-03-30T00:01+02:00');
    // 01:30 + 1 working hour: 02:00–03:00 never happens, so 03:30 on the wall clock.
    expect(wall(night, addWorkingTime(night, at(night, '2026-03-29T01:30'), HOUR))).toBe(
      '2026-03-29T03:30+02:00',
    );
    expect(isWorkingMoment(night, at(night, '2026-03-29T03:00'))).toBe(true);
  });

  it('given a 00:00–06:00 shift on the autumn change, then the day holds seven hours', () => {
    const midnight = at(night, '2026-10-25T00:00');
    const end = at(night, '2026-10-25T06:00');
    expect(end - midnight).toBe(7 * HOUR);
    expect(workingTimeBetween(night, midnight, end)).toBe(7 * HOUR);
    // Six working hours after midnight the wall clock shows 05:00: 02:00–03:00 ran twice.
    expect(wall(night, addWorkingTime(night, midnight, 6 * HOUR))).toBe('2026-10-25T05:00+01:00');
    // 02:30 in summer time plus one hour is 02:30 in winter time, still working.
    const firstHalfPastTwo = at(night, '2026-10-25T02:30+02:00');
    expect(wall(night, firstHalfPastTwo)).toBe('2026-10-25T02:30+02:00');
    expect(wall(night, addWorkingTime(night, firstHalfPastTwo, HOUR))).toBe('2026-10-25T02:30+01:00');
    expect(isWorkingMoment(night, firstHalfPastTwo + HOUR)).toBe(true);
  });

  it('given hours inside the skipped hour, then that day has no working time', () => {
    const cal = calendar({ workingDays: EVERY_DAY, hours: { from: '02:15', to: '02:45' } }, 'Europe/Berlin');
    expect(workingTimeBetween(cal, at(cal, '2026-03-29T00:00'), at(cal, '2026-03-30T00:00'))).toBe(0);
    expect(workingTimeBetween(cal, at(cal, '2026-03-28T00:00'), at(cal, '2026-03-29T00:00'))).toBe(30 * MIN);
    expect(wall(cal, nextWorkingMoment(cal, at(cal, '2026-03-29T01:00')))).toBe('2026-03-30T02:15+02:00');
  });

  it('given hours starting in the skipped hour, then they start when the clock jumps', () => {
    const cal = calendar({ workingDays: EVERY_DAY, hours: { from: '02:30', to: '04:00' } }, 'Europe/Berlin');
    expect(wall(cal, nextWorkingMoment(cal, at(cal, '2026-03-29T01:00')))).toBe('2026-03-29T03:00+02:00');
    expect(workingTimeBetween(cal, at(cal, '2026-03-29T00:00'), at(cal, '2026-03-30T00:00'))).toBe(HOUR);
  });

  it('given hours ending inside the repeated hour, then they end at its first pass', () => {
    const cal = calendar({ workingDays: EVERY_DAY, hours: { from: '01:00', to: '02:30' } }, 'Europe/Berlin');
    const midnight = at(cal, '2026-10-25T00:00');
    expect(workingTimeBetween(cal, midnight, midnight + 24 * HOUR)).toBe(90 * MIN);
    expect(wall(cal, addWorkingTime(cal, midnight, 90 * MIN))).toBe('2026-10-25T02:30+02:00');
    // The second pass of 02:00–02:30 (winter time) is after the day's working time.
    expect(isWorkingMoment(cal, at(cal, '2026-10-25T02:15+01:00'))).toBe(false);
    expect(isWorkingMoment(cal, at(cal, '2026-10-25T02:15+02:00'))).toBe(true);
  });

  it('given office hours across the change weekend, then nothing moves on the wall clock', () => {
    const cal = defaultCalendar('Europe/Berlin');
    expect(wall(cal, addWorkingTime(cal, at(cal, '2026-03-27T16:00'), 4 * HOUR))).toBe(
      '2026-03-30T11:00+02:00',
    );
    expect(wall(cal, addWorkingTime(cal, at(cal, '2026-10-23T16:00'), 4 * HOUR))).toBe(
      '2026-10-26T11:00+01:00',
    );
  });
});

describe('DST: America/New_York', () => {
  it('given a night shift on the change days, then the hours skipped or repeated count as they pass', () => {
    // 2026-03-08 02:00 → 03:00 and 2026-11-01 02:00 → 01:00.
    const cal = calendar(
      { workingDays: EVERY_DAY, hours: { from: '01:00', to: '04:00' } },
      'America/New_York',
    );
    expect(workingTimeBetween(cal, at(cal, '2026-03-08T00:00'), at(cal, '2026-03-09T00:00'))).toBe(2 * HOUR);
    expect(workingTimeBetween(cal, at(cal, '2026-11-01T00:00'), at(cal, '2026-11-02T00:00'))).toBe(4 * HOUR);
    expect(wall(cal, addWorkingTime(cal, at(cal, '2026-11-01T01:30-04:00'), 2 * HOUR))).toBe(
      '2026-11-01T02:30-05:00',
    );
  });
});
