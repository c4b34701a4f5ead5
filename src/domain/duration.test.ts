import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addDuration,
  isValidZone,
  isWithinWaitBounds,
  mustParseDuration,
  parseDuration,
  WAIT_MAX,
  WAIT_MIN,
} from './duration.ts';

const HOUR = 3_600_000;

/** Epoch milliseconds of a wall-clock time in a zone. */
function at(local: string, zone: string): number {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`bad fixture time ${local} in ${zone}`);
  return dt.toMillis();
}

/** The wall-clock time of an instant in a zone, without offset, to the minute. */
function wall(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");
}

describe('parseDuration', () => {
  it.each([
    ['PT1M', { minutes: 1 }],
    ['P30D', { days: 30 }],
    ['P2Y', { years: 2 }],
    ['P1W', { weeks: 1 }],
    ['PT2H', { hours: 2 }],
    ['PT90S', { seconds: 90 }],
    ['P120M', { months: 120 }],
    ['P1DT12H', { days: 1, hours: 12 }],
    ['P1Y2M3W4DT5H6M7S', { years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 }],
    ['P0D', { days: 0 }],
  ])('given %s, when parsed, then it keeps the text and its calendar components', (text, components) => {
    const parsed = parseDuration(text);
    expect(parsed).not.toBeNull();
    expect(parsed?.iso).toBe(text);
    expect(parsed?.duration.toObject()).toEqual(components);
  });

  it.each([
    ['garbage', 'garbage'],
    ['the empty string', ''],
    ['a bare P', 'P'],
    ['a bare PT', 'PT'],
    ['a trailing T', 'P1DT'],
    ['a negative duration', '-P1D'],
    ['a negative component', 'P-1D'],
    ['a fraction', 'P1.5D'],
    ['a decimal comma', 'PT0,5H'],
    ['lower case', 'p1d'],
    ['a time unit without T', 'P1H'],
    ['a date unit after T', 'PT1D'],
    ['units out of order', 'P1D2Y'],
    ['surrounding spaces', ' P1D '],
    ['a number of minutes', '5'],
    ['a text longer than 64 characters', `P${'1'.repeat(70)}D`],
  ])('given %s, when parsed, then it is not a duration', (_label, text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it.each([
    ['a number', 60],
    ['null', null],
    ['undefined', undefined],
    ['an object', { minutes: 1 }],
    ['a list', ['PT1M']],
    ['a boolean', true],
  ])('given %s instead of text, when parsed, then it is not a duration', (_label, value) => {
    expect(parseDuration(value)).toBeNull();
  });

  it('given a valid text, when parsed with mustParseDuration, then it returns the same as parseDuration', () => {
    expect(mustParseDuration('P30D').duration.toObject()).toEqual({ days: 30 });
  });

  it('given garbage, when parsed with mustParseDuration, then it throws naming the text', () => {
    expect(() => mustParseDuration('soon')).toThrow(/soon/);
  });
});

describe('isWithinWaitBounds', () => {
  it('given the declared bounds, then they are one minute and ten years', () => {
    expect(WAIT_MIN).toBe('PT1M');
    expect(WAIT_MAX).toBe('P10Y');
  });

  it.each([
    ['PT1M', true],
    ['PT60S', true],
    ['PT59S', false],
    ['PT0S', false],
    ['P0D', false],
    ['P30D', true],
    ['P1W', true],
    ['P2Y', true],
    ['P10Y', true],
    ['P120M', true],
    ['P121M', false],
    ['P10Y1D', false],
    ['P10YT1S', false],
    ['P11Y', false],
    ['P3652D', true],
    ['P3653D', false],
    ['P99999999999999999999Y', false],
  ])('given %s, when checked against the wait bounds, then it is within them: %s', (text, expected) => {
    expect(isWithinWaitBounds(mustParseDuration(text))).toBe(expected);
  });
});

describe('isValidZone', () => {
  it.each([
    ['Europe/Berlin', true],
    ['America/New_York', true],
    ['UTC', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
  ])('given %s, then it is a valid zone: %s', (zone, expected) => {
    expect(isValidZone(zone)).toBe(expected);
  });
});

describe('addDuration across daylight-saving changes', () => {
  interface DstCase {
    readonly label: string;
    readonly zone: string;
    readonly from: string;
    /** Hours that elapse across the calendar day of the change. */
    readonly dayHours: number;
  }
  const cases: readonly DstCase[] = [
    { label: 'Berlin spring forward', zone: 'Europe/Berlin', from: '2026-03-28T12:00', dayHours: 23 },
    { label: 'Berlin fall back', zone: 'Europe/Berlin', from: '2026-10-24T12:00', dayHours: 25 },
    { label: 'New York spring forward', zone: 'America/New_York', from: '2026-03-07T12:00', dayHours: 23 },
    { label: 'New York fall back', zone: 'America/New_York', from: '2026-10-31T12:00', dayHours: 25 },
  ];

  it.each(cases)(
    'given noon before the $label, when P1D is added, then the wall clock stays and $dayHours hours elapse',
    ({ zone, from, dayHours }) => {
      const start = at(from, zone);
      const end = addDuration(start, mustParseDuration('P1D'), zone);
      expect(wall(end, zone)).toBe(DateTime.fromISO(from).plus({ days: 1 }).toFormat("yyyy-LL-dd'T'HH:mm"));
      expect((end - start) / HOUR).toBe(dayHours);
    },
  );

  it.each(cases)(
    'given noon before the $label, when PT24H is added, then exactly 24 hours elapse and the wall clock moves',
    ({ zone, from, dayHours }) => {
      const start = at(from, zone);
      const end = addDuration(start, mustParseDuration('PT24H'), zone);
      expect(end - start).toBe(24 * HOUR);
      const shiftedHour = 12 + (24 - dayHours);
      expect(wall(end, zone)).toBe(
        `${DateTime.fromISO(from).plus({ days: 1 }).toFormat('yyyy-LL-dd')}T${String(shiftedHour).padStart(2, '0')}:00`,
      );
    },
  );

  it('given the spring-forward change in Berlin, when P1W is added the week before, then the wall clock stays', () => {
    const zone = 'Europe/Berlin';
    const start = at('2026-03-25T09:30', zone);
    const end = addDuration(start, mustParseDuration('P1W'), zone);
    expect(wall(end, zone)).toBe('2026-04-01T09:30');
    expect((end - start) / HOUR).toBe(7 * 24 - 1);
  });

  it('given P1D landing in the skipped hour in Berlin, then the time moves forward past the gap', () => {
    const zone = 'Europe/Berlin';
    const start = at('2026-03-28T02:30', zone);
    const end = addDuration(start, mustParseDuration('P1D'), zone);
    expect(wall(end, zone)).toBe('2026-03-29T03:30');
    expect((end - start) / HOUR).toBe(24);
  });

  it('given the same instant, when P1D is added in UTC and in Berlin across the change, then they differ by an hour', () => {
    const start = at('2026-03-28T12:00', 'Europe/Berlin');
    const p1d = mustParseDuration('P1D');
    expect(addDuration(start, p1d, 'UTC') - addDuration(start, p1d, 'Europe/Berlin')).toBe(HOUR);
  });
});

describe('addDuration on the calendar', () => {
  it.each([
    ['P1M from 31 January 2026', '2026-01-31T10:00', 'P1M', '2026-02-28T10:00'],
    ['P1M from 31 January 2028 (leap year)', '2028-01-31T10:00', 'P1M', '2028-02-29T10:00'],
    ['P1Y from 29 February 2028', '2028-02-29T10:00', 'P1Y', '2029-02-28T10:00'],
    ['P5Y from 29 February 2024', '2024-02-29T10:00', 'P5Y', '2029-02-28T10:00'],
    ['P4Y from 29 February 2024', '2024-02-29T10:00', 'P4Y', '2028-02-29T10:00'],
    ['P12M from 29 February 2028', '2028-02-29T10:00', 'P12M', '2029-02-28T10:00'],
    ['P1M from 31 March 2026', '2026-03-31T10:00', 'P1M', '2026-04-30T10:00'],
    ['P30D from 31 January 2026', '2026-01-31T10:00', 'P30D', '2026-03-02T10:00'],
  ])('given %s in Berlin, then it lands on the expected calendar day', (_label, from, iso, expected) => {
    const zone = 'Europe/Berlin';
    expect(wall(addDuration(at(from, zone), mustParseDuration(iso), zone), zone)).toBe(expected);
  });

  it.each([
    ['PT1M', '2026-01-01T00:00', '2026-01-01T00:01'],
    ['PT90M', '2026-01-01T00:00', '2026-01-01T01:30'],
    ['PT2H', '2026-01-01T23:00', '2026-01-02T01:00'],
    ['P1D', '2026-03-28T12:00', '2026-03-29T12:00'],
    ['P1W', '2026-01-01T00:00', '2026-01-08T00:00'],
    ['P30D', '2026-01-01T00:00', '2026-01-31T00:00'],
    ['P1M', '2026-01-31T00:00', '2026-02-28T00:00'],
    ['P1Y', '2026-06-15T08:00', '2027-06-15T08:00'],
    ['P10Y', '2026-01-01T00:00', '2036-01-01T00:00'],
    ['P1DT1H', '2026-01-01T00:00', '2026-01-02T01:00'],
  ])('given UTC, when %s is added to %s, then it is %s', (iso, from, expected) => {
    expect(wall(addDuration(at(from, 'UTC'), mustParseDuration(iso), 'UTC'), 'UTC')).toBe(expected);
  });

  it('given UTC, when days and hours are added, then a day is always exactly 24 hours', () => {
    const start = at('2026-03-28T12:00', 'UTC');
    expect(addDuration(start, mustParseDuration('P1D'), 'UTC') - start).toBe(24 * HOUR);
    expect(addDuration(start, mustParseDuration('PT24H'), 'UTC') - start).toBe(24 * HOUR);
  });

  it('given a zero duration, when added, then the instant does not move', () => {
    const start = at('2026-05-05T05:05', 'America/New_York');
    expect(addDuration(start, mustParseDuration('PT0S'), 'America/New_York')).toBe(start);
  });
});
