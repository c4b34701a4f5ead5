import { describe, expect, it } from 'vitest';
import { DURATION_UNITS, formatSimpleDuration, parseSimpleDuration, shortDuration } from './durations.ts';

describe('simple durations', () => {
  it('parses one amount and one unit', () => {
    expect(parseSimpleDuration('PT1M')).toEqual({ amount: 1, unit: 'minutes' });
    expect(parseSimpleDuration('PT2H')).toEqual({ amount: 2, unit: 'hours' });
    expect(parseSimpleDuration('P30D')).toEqual({ amount: 30, unit: 'days' });
    expect(parseSimpleDuration('P2W')).toEqual({ amount: 2, unit: 'weeks' });
    expect(parseSimpleDuration('P6M')).toEqual({ amount: 6, unit: 'months' });
    expect(parseSimpleDuration('P2Y')).toEqual({ amount: 2, unit: 'years' });
  });

  it('leaves compound, empty and malformed durations alone', () => {
    for (const text of [undefined, '', 'P1DT2H', 'P', '30 days', 'PT1.5H'])
      expect(parseSimpleDuration(text)).toBeNull();
  });

  it('formats back to the same text for every unit', () => {
    for (const unit of DURATION_UNITS) {
      const iso = formatSimpleDuration({ amount: 7, unit });
      expect(parseSimpleDuration(iso)).toEqual({ amount: 7, unit });
    }
    expect(formatSimpleDuration({ amount: 2.7, unit: 'days' })).toBe('P2D');
    expect(formatSimpleDuration({ amount: -3, unit: 'days' })).toBe('P0D');
    expect(formatSimpleDuration({ amount: Number.NaN, unit: 'hours' })).toBe('PT0H');
  });

  it('labels durations compactly', () => {
    const unit = (u: string) => ({ days: 'd', hours: 'h' })[u] ?? u;
    expect(shortDuration('P30D', unit)).toBe('30 d');
    expect(shortDuration('PT2H', unit)).toBe('2 h');
    expect(shortDuration('P1DT2H', unit)).toBe('P1DT2H');
  });
});
