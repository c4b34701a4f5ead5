/**
 * The log-spaced buckets against their promise: every whole millisecond reads back within 2 %,
 * buckets keep the order of values, and a percentile read from a histogram stays within 2 % (and
 * half a millisecond) of the exact one over random samples.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addToHistogram,
  bucketOf,
  exactQuantile,
  histogramQuantile,
  RELATIVE_ERROR,
  valueOfBucket,
} from './histogram.ts';

const YEAR = 365 * 86_400_000;
const millis = fc.integer({ min: -10 * YEAR, max: 10 * YEAR });

/** Within the relative error, allowing for the last bits of a double. */
const close = (estimate: number, exact: number, slack = 0) =>
  Math.abs(estimate - exact) <= RELATIVE_ERROR * Math.abs(exact) * (1 + 1e-9) + slack;

describe('duration buckets', () => {
  it('read every whole millisecond back within the relative error', () => {
    fc.assert(
      fc.property(millis, (v) => {
        expect(close(valueOfBucket(bucketOf(v)), v)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    for (let v = -3000; v <= 3000; v++) expect(close(valueOfBucket(bucketOf(v)), v)).toBe(true);
  });

  it('keep zero apart and the order of values', () => {
    expect(bucketOf(0)).toBe(0);
    expect(valueOfBucket(0)).toBe(0);
    expect(bucketOf(1)).toBe(1);
    expect(bucketOf(-1)).toBe(-1);
    fc.assert(
      fc.property(millis, millis, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(bucketOf(lo)).toBeLessThanOrEqual(bucketOf(hi));
        expect(Math.sign(bucketOf(a))).toBe(Math.sign(a));
      }),
      { numRuns: 20_000 },
    );
  });

  it('are a few hundred over the range of stage times', () => {
    // A millisecond to a year: some six hundred buckets.
    expect(bucketOf(YEAR)).toBeLessThan(700);
  });

  it('refuse what is not a duration or a bucket', () => {
    expect(() => bucketOf(Number.NaN)).toThrow(RangeError);
    expect(() => bucketOf(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => valueOfBucket(1.5)).toThrow(RangeError);
  });
});

describe('percentiles from a histogram', () => {
  it('are within the relative error of the exact ones', () => {
    const sample = fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 30 * 86_400_000 }),
        fc.constantFrom(0, 1, 60_000, 3_600_000),
      ),
      { minLength: 1, maxLength: 400 },
    );
    fc.assert(
      fc.property(sample, fc.double({ min: 0, max: 1, noNaN: true }), (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const histogram = new Map<number, number>();
        for (const v of values) addToHistogram(histogram, bucketOf(v));
        const exact = exactQuantile(sorted, p) as number;
        const estimate = histogramQuantile(histogram, p) as number;
        expect(close(estimate, exact, 1)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('are exact by rank and null when there is nothing', () => {
    expect(exactQuantile([], 0.5)).toBeNull();
    expect(histogramQuantile(new Map(), 0.5)).toBeNull();
    expect(exactQuantile([10, 20], 0.5)).toBe(15);
    expect(exactQuantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    const histogram = new Map<number, number>();
    addToHistogram(histogram, bucketOf(0), 3);
    addToHistogram(histogram, bucketOf(0), 0);
    expect(histogramQuantile(histogram, 0.9)).toBe(0);
  });
});
