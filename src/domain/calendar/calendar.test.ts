import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CalendarError,
  calendarOrDefault,
  defaultCalendar,
  MAX_CALENDAR_DATES,
  parseCalendarDate,
  parseClockTime,
  validateCalendar,
} from './calendar.ts';

const valid = {
  zone: 'Europe/Moscow',
  workingDays: [5, 1, 2, 3, 4],
  hours: { from: '09:00', to: '18:00' },
  holidays: ['2026-01-02', '2026-01-01'],
  workingWeekends: ['2026-11-28'],
};

/** The errors of an input the validator must refuse. */
function errorsOf(input: unknown): readonly CalendarError[] {
  const result = validateCalendar(input);
  if (result.ok) throw new Error('expected the calendar to be refused');
  return result.errors;
}

function codes(input: unknown): string[] {
  return errorsOf(input).map((e) => e.code);
}

describe('validateCalendar', () => {
  it('given a valid calendar, when validated, then it is accepted with its lists sorted', () => {
    const result = validateCalendar(valid);
    expect(result).toEqual({
      ok: true,
      calendar: {
        zone: 'Europe/Moscow',
        workingDays: [1, 2, 3, 4, 5],
        hours: { from: '09:00', to: '18:00' },
        holidays: ['2026-01-01', '2026-01-02'],
        workingWeekends: ['2026-11-28'],
      },
    });
  });

  it('given the default calendar, when validated, then it is Monday to Friday 09:00–18:00 and valid', () => {
    const cal = defaultCalendar('America/New_York');
    expect(cal).toEqual({
      zone: 'America/New_York',
      workingDays: [1, 2, 3, 4, 5],
      hours: { from: '09:00', to: '18:00' },
      holidays: [],
      workingWeekends: [],
    });
    expect(validateCalendar(cal)).toEqual({ ok: true, calendar: cal });
    expect(calendarOrDefault(undefined, 'UTC')).toEqual(defaultCalendar('UTC'));
    expect(calendarOrDefault(cal, 'UTC')).toBe(cal);
  });

  it('given hours ending at 24:00, when validated, then the whole day may be working', () => {
    const result = validateCalendar({ ...valid, hours: { from: '00:00', to: '24:00' } });
    expect(result.ok).toBe(true);
  });

  it.each([
    ['not an object', null, [{ code: 'invalid_shape', field: null }]],
    ['an array', [], [{ code: 'invalid_shape', field: null }]],
    ['an unknown zone', { ...valid, zone: 'Mars/Olympus' }, [{ code: 'unknown_zone', field: 'zone' }]],
    ['a zone that is no string', { ...valid, zone: 3 }, [{ code: 'invalid_shape', field: 'zone' }]],
    [
      'working days that are no list',
      { ...valid, workingDays: '1-5' },
      [{ code: 'invalid_shape', field: 'workingDays' }],
    ],
    [
      'a weekday out of range',
      { ...valid, workingDays: [0, 1, 8, 2.5, '3'] },
      [
        { code: 'invalid_working_day', field: 'workingDays', index: 0 },
        { code: 'invalid_working_day', field: 'workingDays', index: 2 },
        { code: 'invalid_working_day', field: 'workingDays', index: 3 },
        { code: 'invalid_working_day', field: 'workingDays', index: 4 },
      ],
    ],
    [
      'a weekday twice',
      { ...valid, workingDays: [1, 2, 1] },
      [{ code: 'duplicate_working_day', field: 'workingDays', index: 2 }],
    ],
    ['no working day', { ...valid, workingDays: [] }, [{ code: 'no_working_days', field: 'workingDays' }]],
    ['hours that are no object', { ...valid, hours: '9-18' }, [{ code: 'invalid_shape', field: 'hours' }]],
    [
      'times that are not HH:mm',
      { ...valid, hours: { from: '9:00', to: '18:60' } },
      [
        { code: 'invalid_time', field: 'hours.from' },
        { code: 'invalid_time', field: 'hours.to' },
      ],
    ],
    [
      '24:00 as a start',
      { ...valid, hours: { from: '24:00', to: '24:00' } },
      [{ code: 'invalid_time', field: 'hours.from' }],
    ],
    [
      'a start after the end',
      { ...valid, hours: { from: '18:00', to: '09:00' } },
      [{ code: 'hours_not_ascending', field: 'hours' }],
    ],
    [
      'a start equal to the end',
      { ...valid, hours: { from: '09:00', to: '09:00' } },
      [{ code: 'hours_not_ascending', field: 'hours' }],
    ],
    [
      'holidays that are no list',
      { ...valid, holidays: '2026-01-01' },
      [{ code: 'invalid_shape', field: 'holidays' }],
    ],
    [
      'dates that do not exist or are malformed',
      { ...valid, holidays: ['2026-02-29', '2026-13-01', '2026-1-05', '01.01.2026', 20260101, '2024-02-29'] },
      [
        { code: 'invalid_date', field: 'holidays', index: 0 },
        { code: 'invalid_date', field: 'holidays', index: 1 },
        { code: 'invalid_date', field: 'holidays', index: 2 },
        { code: 'invalid_date', field: 'holidays', index: 3 },
        { code: 'invalid_date', field: 'holidays', index: 4 },
      ],
    ],
    [
      'a date twice',
      { ...valid, workingWeekends: ['2026-11-28', '2026-11-28'] },
      [{ code: 'duplicate_date', field: 'workingWeekends', index: 1 }],
    ],
    [
      'a date both a holiday and a working day',
      { ...valid, workingWeekends: ['2026-11-28', '2026-01-01'] },
      [{ code: 'date_conflict', field: 'workingWeekends', index: 1 }],
    ],
  ])('given %s, when validated, then it reports exactly that', (_name, input, expected) => {
    expect(errorsOf(input).map(({ message: _m, ...rest }) => rest)).toEqual(expected);
  });

  it('given too many dates, when validated, then it is refused', () => {
    const dates = Array.from({ length: MAX_CALENDAR_DATES + 1 }, (_, i) =>
      new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10),
    );
    expect(codes({ ...valid, holidays: dates, workingWeekends: [] })).toEqual(['too_many_dates']);
    expect(validateCalendar({ ...valid, holidays: dates.slice(1), workingWeekends: [] }).ok).toBe(true);
    expect(codes({ ...valid, holidays: dates.slice(1), workingWeekends: ['2030-01-05'] })).toEqual([
      'too_many_dates',
    ]);
  });

  it('given several problems, when validated, then every one is reported, each with a message', () => {
    const errors = errorsOf({
      zone: 'Nowhere',
      workingDays: [9],
      hours: { from: 'x', to: '10:00' },
      holidays: ['y'],
    });
    expect(errors.map((e) => e.code)).toEqual([
      'unknown_zone',
      'invalid_working_day',
      'invalid_time',
      'invalid_date',
      'invalid_shape',
    ]);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(0);
  });

  it('given odd keys, when validated, then they are ignored and never read from the prototype', () => {
    const input = JSON.parse(`{"zone":"UTC","workingDays":[1],"hours":{"from":"09:00","to":"10:00"},
      "holidays":[],"workingWeekends":[],"__proto__":{"zone":"Nowhere"},"extra":1}`);
    expect(validateCalendar(input).ok).toBe(true);
    expect(codes(JSON.parse('{"__proto__":{"zone":"UTC"}}'))).toContain('invalid_shape');
  });
});

describe('validateCalendar on any input', () => {
  const junk = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('UTC', 'Europe/Berlin', '09:00', '24:00', '2026-01-01', '2026-02-30', 1, 7, 0, null),
  );
  const loose = fc.record(
    {
      zone: junk,
      workingDays: fc.oneof(
        junk,
        fc.array(fc.oneof(fc.integer({ min: -1, max: 8 }), junk), { maxLength: 9 }),
      ),
      hours: fc.oneof(junk, fc.record({ from: junk, to: junk }, { requiredKeys: [] })),
      holidays: fc.oneof(junk, fc.array(junk, { maxLength: 5 })),
      workingWeekends: fc.oneof(junk, fc.array(junk, { maxLength: 5 })),
    },
    { requiredKeys: [] },
  );

  it('never throws; it accepts a calendar exactly when it reports no error, and accepts its own output', () => {
    fc.assert(
      fc.property(fc.oneof(loose, junk), (input) => {
        const result = validateCalendar(input);
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          return;
        }
        expect(validateCalendar(result.calendar)).toEqual(result);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('validateCalendar on well-formed calendars', () => {
  const date = fc
    .integer({ min: Date.UTC(1990, 0, 1) / 86_400_000, max: Date.UTC(2040, 0, 1) / 86_400_000 })
    .map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));
  const calendarArb = fc.record({
    zone: fc.constantFrom('UTC', 'Europe/Moscow', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'),
    workingDays: fc.shuffledSubarray([1, 2, 3, 4, 5, 6, 7] as const, { minLength: 1 }),
    hours: fc
      .integer({ min: 0, max: 1439 })
      .chain((from) => fc.tuple(fc.constant(from), fc.integer({ min: from + 1, max: 1440 }))),
    holidays: fc.uniqueArray(date, { maxLength: 20 }),
    workingWeekends: fc.uniqueArray(date, { maxLength: 20 }),
  });
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

  it('accepts every one, with its lists sorted and nothing else changed', () => {
    fc.assert(
      fc.property(calendarArb, (raw) => {
        const input = {
          ...raw,
          hours: { from: hhmm(raw.hours[0]), to: hhmm(raw.hours[1]) },
          workingWeekends: raw.workingWeekends.filter((d) => !raw.holidays.includes(d)),
        };
        const result = validateCalendar(input);
        expect(result).toEqual({
          ok: true,
          calendar: {
            ...input,
            workingDays: [...input.workingDays].sort(),
            holidays: [...input.holidays].sort(),
            workingWeekends: [...input.workingWeekends].sort(),
          },
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseClockTime and parseCalendarDate', () => {
  it('reads times and dates, refusing what is not one', () => {
    expect(parseClockTime('00:00')).toBe(0);
    expect(parseClockTime('23:59')).toBe(1439);
    expect(parseClockTime('24:00')).toBeNull();
    expect(parseClockTime('24:00', true)).toBe(1440);
    expect(parseClockTime('24:01', true)).toBeNull();
    expect(parseClockTime(' 09:00')).toBeNull();
    expect(parseCalendarDate('1970-01-02')).toBe(1);
    expect(parseCalendarDate('2024-02-29')).toBe(19782);
    expect(parseCalendarDate('2023-02-29')).toBeNull();
    expect(parseCalendarDate('1899-12-31')).toBeNull();
  });
});
