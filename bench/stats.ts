/** Small helpers shared by the figures: timing, rates, percentiles, logging to stderr. */

export const now = (): number => performance.now();

/** Operations per second, rounded to a whole number. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? Math.round((count * 1000) / ms) : 0;
}

/** The p-th percentile (0..100) of durations in milliseconds, rounded to microseconds. */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return round3(sortedMs[index]!);
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export function latency(durationsMs: number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
  };
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
