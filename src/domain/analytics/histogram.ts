/**
 * Durations kept as a histogram with log-spaced buckets (as in DDSketch): a bucket holds every
 * whole millisecond `v` with γ^(i−2) < v ≤ γ^(i−1) (bucket `i ≥ 1`), and stands for the one value
 * within RELATIVE_ERROR of all of them, 2γ^(i−1)/(γ+1), where γ = (1+α)/(1−α). Zero is a bucket of
 * its own (0) and negative values mirror positive ones (bucket −i), so the order of buckets is the
 * order of the values. A percentile read from the histogram is within RELATIVE_ERROR of the one
 * read from the values themselves: the k-th value is in the k-th bucket by rank, and the linear
 * interpolation between two ranks keeps the bound.
 *
 * The store computes the same buckets in SQL when it rebuilds the histograms
 * (`1 + ceil(ln(v) / LN_GAMMA)`); that formula is the definition, this module its reference.
 */

/** The largest relative error of a value read back from its bucket. */
export const RELATIVE_ERROR = 0.02;

const GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR);

/** ln γ, the width of a bucket on a log scale. */
export const LN_GAMMA = Math.log(GAMMA);

/** The bucket of a duration in milliseconds (rounded to a whole millisecond first). */
export function bucketOf(ms: number): number {
  if (!Number.isFinite(ms)) throw new RangeError('a duration must be a finite number of milliseconds');
  const v = Math.round(ms);
  if (v === 0) return 0;
  const i = 1 + Math.ceil(Math.log(Math.abs(v)) / LN_GAMMA);
  return v > 0 ? i : -i;
}

/** The value a bucket stands for, in milliseconds (not rounded). */
export function valueOfBucket(bucket: number): number {
  if (!Number.isInteger(bucket)) throw new RangeError('a bucket is an integer');
  if (bucket === 0) return 0;
  const value = (2 * GAMMA ** (Math.abs(bucket) - 1)) / (GAMMA + 1);
  return bucket > 0 ? value : -value;
}

/** The p-quantile (0..1) of values, linearly interpolated between the two nearest ranks. */
function interpolate(n: number, p: number, at: (rank: number) => number): number | null {
  if (n === 0) return null;
  const position = (n - 1) * p;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = at(low);
  const b = high === low ? a : at(high);
  return Math.round(a + (b - a) * (position - low));
}

/**
 * The exact p-quantile (0..1) of ascending values, interpolated linearly between the two nearest
 * ranks (PostgreSQL `percentile_cont`, Excel `PERCENTILE.INC`) and rounded to a whole millisecond;
 * null when there are none.
 */
export function exactQuantile(sorted: readonly number[], p: number): number | null {
  return interpolate(sorted.length, p, (rank) => sorted[rank] as number);
}

/** A histogram: how many values fell in each bucket. */
export type Histogram = ReadonlyMap<number, number>;

/** Adds `count` values of bucket `bucket` to a histogram being built. */
export function addToHistogram(histogram: Map<number, number>, bucket: number, count = 1): void {
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + count);
}

/**
 * The p-quantile (0..1) read from a histogram, by the same interpolation as `exactQuantile`: within
 * RELATIVE_ERROR of the exact one (and half a millisecond of rounding); null when it is empty.
 */
export function histogramQuantile(histogram: Histogram, p: number): number | null {
  const buckets = [...histogram.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const n = buckets.reduce((sum, [, count]) => sum + count, 0);
  const at = (rank: number): number => {
    let seen = 0;
    for (const [bucket, count] of buckets) {
      seen += count;
      if (rank < seen) return valueOfBucket(bucket);
    }
    return valueOfBucket((buckets.at(-1) as [number, number])[0]);
  };
  return interpolate(n, p, at);
}
