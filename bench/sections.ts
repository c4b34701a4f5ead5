/**
 * What a benchmark section is: a named piece of `npm run bench` that measures its figures and
 * their comparisons in the same run, and answers them as rows of the goals table plus raw data.
 * run.ts runs the sections in order, writes each answer to bench/results/<name>.json and renders
 * docs/BENCHMARKS.md from those files.
 */

export type StoreKind = 'sqlite' | 'postgres';

export interface BenchOptions {
  /** `--quick`: scaled-down workloads, the whole run under five minutes. */
  readonly quick: boolean;
  readonly stores: readonly StoreKind[];
  /** Answers of the sections that ran before this one in the same run, by name. */
  readonly earlier: ReadonlyMap<string, SectionResult>;
}

/** One row of the goals table. */
export interface Figure {
  /** What is measured, in the words of the goals table. */
  readonly figure: string;
  /** The measured value, as shown. */
  readonly value: string;
  /** The goal, as shown; '—' when the row only informs. */
  readonly goal: string;
  /** What the value was compared with, measured in the same run. */
  readonly comparison: string;
  /** true met, false missed, null when there is no goal or nothing was measured. */
  readonly met: boolean | null;
  readonly note?: string;
}

export interface SectionResult {
  readonly section: string;
  readonly title: string;
  readonly quick: boolean;
  /** When the run that produced this answer started (ISO). */
  readonly runStarted: string;
  readonly seconds: number;
  /** What the quick mode scaled down, said plainly; empty in a full run. */
  readonly scale: string;
  /** The machine's 1-minute load average as the section started and as it ended. */
  readonly loadAverage?: { readonly start: number; readonly end: number };
  readonly figures: readonly Figure[];
  readonly data: unknown;
}

export interface BenchSection {
  readonly name: string;
  readonly title: string;
  /** Measures; the answer's section/quick/runStarted/seconds fields are filled in by run.ts. */
  run(options: BenchOptions): Promise<SectionAnswer>;
}

export interface SectionAnswer {
  readonly scale?: string;
  readonly figures: readonly Figure[];
  readonly data: unknown;
}

/** A ratio as text, e.g. 0.512 → "0.512". */
export const fmtRatio = (n: number | null | undefined): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : String(Math.round(n * 1000) / 1000);

/** A whole number with thousands separators. */
export const fmtInt = (n: number | null | undefined): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US');

/** A row for a figure that could not be measured in this run. */
export function notMeasured(figure: string, goal: string, why: string): Figure {
  return { figure, value: 'not measured', goal, comparison: '—', met: null, note: why };
}
