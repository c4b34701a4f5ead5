/**
 * Stage analytics of one definition: per stage how many processes entered it, left it, are in it
 * now, how long they stayed (median and 90th percentile) and which results they left by; per
 * definition how many were launched, completed and cancelled, and the median lead time.
 *
 * Counting rules: a stage visit counts when it was entered within the period (from inclusive, to
 * exclusive), a process when it was launched within it; both are counted with what became of them
 * since (a visit entered in the period and left after it counts as completed). Time in a stage is
 * calendar time from entry to leaving through a transition, pauses included, and the working time
 * within it on the business calendar in force when the visit was left; visits cut short by a
 * cancellation and visits still open are not timed. Percentiles interpolate linearly between the
 * two nearest ranks (PostgreSQL `percentile_cont`, Excel `PERCENTILE.INC`), rounded to whole ms.
 * Without a version, stages are matched by key across all versions and named as in the newest
 * version that has them; with one, only visits made under that version count.
 *
 * Access: an administrator counts every process; anyone else only the processes they may see
 * (those they are a member of), so the figures never reveal what the viewer cannot open.
 *
 * Speed: an administrator's counts come from per-day aggregates (analytics-rollups.ts) plus the
 * raw rows of the partial days at the period's edges and of the open visits and running processes,
 * so they are exact. Percentiles are ranked exactly from the raw durations for the stages whose
 * timed visits in the scope add up to at most EXACT_LIMIT (smallest stages first), and for the
 * lead time when at most EXACT_LIMIT processes completed. Beyond, an administrator's are read from
 * the aggregates' histograms, within RELATIVE_ERROR (2 %) of the exact value; anyone else's stay
 * exact (the aggregates are not kept per member), each rank read on its own from the durations
 * in order (the two rows around it), so no answer holds more than EXACT_LIMIT durations.
 */
import type { Actor, EngineContext } from '../context.ts';
import {
  addToHistogram,
  bucketOf,
  exactQuantile,
  type Histogram,
  histogramQuantile,
} from '../domain/analytics/histogram.ts';
import type { DefinitionBody } from '../domain/definition/types.ts';
import { notFound } from '../domain/errors.ts';
import {
  type AnalyticsScope,
  definitionVersionBodies,
  histogramsFromAggregates,
  leadTimes,
  leadTimesAt,
  type PeriodSplit,
  processCounts,
  processCountsFromAggregates,
  splitPeriod,
  stageTimesAt,
  timedCounts,
  timedVisits,
  visitCounts,
  visitCountsFromAggregates,
} from '../store/analytics.ts';
import type { Db } from '../store/store.ts';

/**
 * Up to this many timed visits per answer (smaller stages first) and this many completed
 * processes, for the lead time, are ranked in memory; beyond, the histograms answer (an
 * administrator) or each rank is read by itself (anyone else).
 */
export const EXACT_LIMIT = 20_000;

/** What is asked for: the scope without the viewer, who is the caller. */
export type AnalyticsRequest = Omit<AnalyticsScope, 'viewer'>;

export interface ResultFigures {
  readonly result: string;
  readonly to: string;
  readonly count: number;
  /** `count` over the stage's visits that left through a transition, 0..1, four decimals. */
  readonly share: number;
}

export interface StageFigures {
  readonly key: string;
  readonly name: string;
  readonly entered: number;
  readonly completed: number;
  readonly now: number;
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
  /** The same of the working time (business calendar) in the stage; null when none is known. */
  readonly workingMedianMs: number | null;
  readonly workingP90Ms: number | null;
  readonly results: ResultFigures[];
}

export interface StageAnalytics {
  readonly definition: { readonly id: string; readonly version?: number };
  readonly launched: number;
  readonly completed: number;
  readonly cancelled: number;
  readonly leadTimeMedianMs: number | null;
  readonly stages: StageFigures[];
}

interface CatalogueStage {
  readonly key: string;
  readonly name: string;
  readonly transitions: { readonly result: string; readonly to: string }[];
}

/** The stages to report, in the order of the newest body that has them, named from it. */
function catalogue(bodies: readonly DefinitionBody[]): CatalogueStage[] {
  const stages = new Map<string, CatalogueStage>();
  for (const body of bodies) {
    for (const stage of body.stages) {
      if (stages.has(stage.key)) continue;
      stages.set(stage.key, {
        key: stage.key,
        name: stage.name,
        transitions: body.transitions
          .filter((t) => t.from === stage.key)
          .map((t) => ({ result: t.result, to: t.to })),
      });
    }
  }
  return [...stages.values()];
}

interface Percentiles {
  readonly median: number | null;
  readonly p90: number | null;
}

interface StageTimes {
  readonly wall: Percentiles;
  readonly working: Percentiles;
}

const NO_TIMES: StageTimes = {
  wall: { median: null, p90: null },
  working: { median: null, p90: null },
};

const ascending = (values: number[]) => values.sort((a, b) => a - b);

function exactPercentiles(values: number[]): Percentiles {
  const sorted = ascending(values);
  return { median: exactQuantile(sorted, 0.5), p90: exactQuantile(sorted, 0.9) };
}

function histogramPercentiles(histogram: Histogram | undefined): Percentiles {
  if (!histogram) return { median: null, p90: null };
  return { median: histogramQuantile(histogram, 0.5), p90: histogramQuantile(histogram, 0.9) };
}

/** Exact percentiles of the stages' timed visits, ranked from the raw durations. */
async function exactStageTimes(
  db: Db,
  scope: AnalyticsScope,
  stageKeys: readonly string[],
): Promise<Map<string, StageTimes>> {
  const wall = new Map<string, number[]>();
  const working = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, key: string, value: number) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const row of await timedVisits(db, scope, stageKeys)) {
    push(wall, row.stage_key, row.duration_ms);
    if (row.working_ms !== null) push(working, row.stage_key, row.working_ms);
  }
  return new Map(
    stageKeys.map((key) => [
      key,
      { wall: exactPercentiles(wall.get(key) ?? []), working: exactPercentiles(working.get(key) ?? []) },
    ]),
  );
}

/** The p-quantile (0..1) of `n` ascending values read through `at(offset, limit)`, as `exactQuantile`. */
async function quantileAt(
  n: number,
  p: number,
  at: (offset: number, limit: number) => Promise<number[]>,
): Promise<number | null> {
  if (n === 0) return null;
  const position = (n - 1) * p;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const values = await at(low, high - low + 1);
  const a = values[0];
  if (a === undefined) return null;
  const b = values[high - low] ?? a;
  return Math.round(a + (b - a) * (position - low));
}

/** Exact percentiles of the stages' timed visits, each rank read on its own in duration order. */
async function rankedStageTimes(
  db: Db,
  scope: AnalyticsScope,
  stageKeys: readonly string[],
): Promise<Map<string, StageTimes>> {
  const counts = await timedCounts(db, scope, stageKeys);
  const times = new Map<string, StageTimes>();
  for (const key of stageKeys) {
    const n = counts.get(key) ?? { wall: 0, working: 0 };
    const at = (measure: 'duration_ms' | 'working_ms') => (offset: number, limit: number) =>
      stageTimesAt(db, scope, key, measure, offset, limit);
    times.set(key, {
      wall: {
        median: await quantileAt(n.wall, 0.5, at('duration_ms')),
        p90: await quantileAt(n.wall, 0.9, at('duration_ms')),
      },
      working: {
        median: await quantileAt(n.working, 0.5, at('working_ms')),
        p90: await quantileAt(n.working, 0.9, at('working_ms')),
      },
    });
  }
  return times;
}

/**
 * Percentiles of the stages' timed visits read from the aggregates' histograms over the whole
 * days of the period, with the visits of its partial edge days bucketed here.
 */
async function histogramStageTimes(
  db: Db,
  scope: AnalyticsScope,
  split: PeriodSplit,
  stageKeys: readonly string[],
): Promise<Map<string, StageTimes>> {
  const histograms = new Map<string, Map<number, number>>();
  const histogram = (key: string, measure: string) => {
    const id = `${measure} ${key}`;
    let found = histograms.get(id);
    if (!found) {
      found = new Map();
      histograms.set(id, found);
    }
    return found;
  };
  if (split.days) {
    for (const row of await histogramsFromAggregates(db, scope, split.days, stageKeys))
      addToHistogram(histogram(row.stage_key, row.measure), row.bucket, row.n);
  }
  for (const [from, to] of split.edges) {
    for (const row of await timedVisits(db, { ...scope, from, to }, stageKeys)) {
      addToHistogram(histogram(row.stage_key, 'wall'), bucketOf(row.duration_ms));
      if (row.working_ms !== null)
        addToHistogram(histogram(row.stage_key, 'working'), bucketOf(row.working_ms));
    }
  }
  return new Map(
    stageKeys.map((key) => [
      key,
      {
        wall: histogramPercentiles(histograms.get(`wall ${key}`)),
        working: histogramPercentiles(histograms.get(`working ${key}`)),
      },
    ]),
  );
}

/**
 * The stages whose times are ranked exactly: the smallest first (in the given order among equals)
 * while their timed visits add up to at most EXACT_LIMIT.
 */
export function rankedExactly(timed: readonly (readonly [string, number])[]): string[] {
  const chosen: string[] = [];
  let total = 0;
  for (const [key, n] of [...timed].sort((a, b) => a[1] - b[1])) {
    if (total + n > EXACT_LIMIT) break;
    total += n;
    chosen.push(key);
  }
  return chosen;
}

/**
 * The median lead time of the completed processes: exact, or past EXACT_LIMIT from the histogram
 * (an administrator) or read by its rank (anyone else).
 */
async function leadTimeMedian(
  db: Db,
  scope: AnalyticsScope,
  split: PeriodSplit | undefined,
  completed: number,
): Promise<number | null> {
  if (completed === 0) return null;
  if (completed <= EXACT_LIMIT) return exactQuantile(ascending(await leadTimes(db, scope)), 0.5);
  if (!split) return quantileAt(completed, 0.5, (offset, limit) => leadTimesAt(db, scope, offset, limit));
  const histogram = new Map<number, number>();
  if (split.days) {
    for (const row of await histogramsFromAggregates(db, scope, split.days, ['']))
      if (row.measure === 'lead') addToHistogram(histogram, row.bucket, row.n);
  }
  for (const [from, to] of split.edges)
    for (const lead of await leadTimes(db, { ...scope, from, to })) addToHistogram(histogram, bucketOf(lead));
  return histogramQuantile(histogram, 0.5);
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The analytics of a definition as the viewer may see them; 404 for an unknown definition or version. */
export async function stageAnalytics(
  ctx: EngineContext,
  viewer: Actor,
  request: AnalyticsRequest,
): Promise<StageAnalytics> {
  const db: Db = ctx.store.db;
  const found = await definitionVersionBodies(db, request.definitionId);
  if (!found) throw notFound('Definition', request.definitionId);
  let bodies: DefinitionBody[];
  if (request.version !== undefined) {
    const chosen = found.versions.find((v) => v.version === request.version);
    if (!chosen) throw notFound('Definition version', `${request.definitionId}@${request.version}`);
    bodies = [JSON.parse(chosen.body) as DefinitionBody];
  } else {
    bodies =
      found.versions.length > 0
        ? found.versions.map((v) => JSON.parse(v.body) as DefinitionBody)
        : [JSON.parse(found.draft) as DefinitionBody];
  }
  const scope: AnalyticsScope = {
    definitionId: request.definitionId,
    version: request.version,
    from: request.from,
    to: request.to,
    viewer,
  };

  const stages = catalogue(bodies);
  const byKey = new Map(stages.map((s) => [s.key, s]));
  interface Tally {
    entered: number;
    completed: number;
    now: number;
    timed: number;
    results: Map<string, { result: string; to: string; count: number }>;
  }
  const tallies = new Map<string, Tally>();
  const tallyOf = (key: string): Tally => {
    let tally = tallies.get(key);
    if (!tally) {
      tally = { entered: 0, completed: 0, now: 0, timed: 0, results: new Map() };
      for (const t of byKey.get(key)?.transitions ?? [])
        tally.results.set(JSON.stringify([t.result, t.to]), { ...t, count: 0 });
      tallies.set(key, tally);
    }
    return tally;
  };
  for (const stage of stages) tallyOf(stage.key);
  // Administrators read the aggregates; anyone else the raw rows of their own processes.
  const split = viewer.role === 'admin' ? splitPeriod(scope.from, scope.to) : undefined;
  const counts = split ? await visitCountsFromAggregates(db, scope, split) : await visitCounts(db, scope);
  for (const row of counts) {
    if (!byKey.has(row.stage_key)) {
      const extra = { key: row.stage_key, name: row.stage_key, transitions: [] };
      stages.push(extra);
      byKey.set(extra.key, extra);
    }
    const tally = tallyOf(row.stage_key);
    tally.entered += row.count;
    if (row.left_by === null) tally.now += row.count;
    if (row.left_by === 'transition' || row.left_by === 'end') tally.completed += row.count;
    if (row.left_by === 'transition') {
      tally.timed += row.count;
      const result = row.result ?? '';
      const to = row.to_stage ?? '';
      const key = JSON.stringify([result, to]);
      const entry = tally.results.get(key);
      if (entry) entry.count += row.count;
      else tally.results.set(key, { result, to, count: row.count });
    }
  }

  const timedKeys = stages.filter((stage) => tallyOf(stage.key).timed > 0).map((stage) => stage.key);
  const exactKeys = rankedExactly(timedKeys.map((key) => [key, tallyOf(key).timed]));
  const times = await exactStageTimes(db, scope, exactKeys);
  const rest = timedKeys.filter((key) => !exactKeys.includes(key));
  const restTimes = split
    ? await histogramStageTimes(db, scope, split, rest)
    : await rankedStageTimes(db, scope, rest);
  for (const [key, value] of restTimes) times.set(key, value);
  const figures: StageFigures[] = stages.map((stage) => {
    const tally = tallyOf(stage.key);
    const stageTimes = times.get(stage.key) ?? NO_TIMES;
    return {
      key: stage.key,
      name: stage.name,
      entered: tally.entered,
      completed: tally.completed,
      now: tally.now,
      medianMs: stageTimes.wall.median,
      p90Ms: stageTimes.wall.p90,
      workingMedianMs: stageTimes.working.median,
      workingP90Ms: stageTimes.working.p90,
      results: [...tally.results.values()].map((r) => ({
        ...r,
        share: tally.timed === 0 ? 0 : round4(r.count / tally.timed),
      })),
    };
  });

  let launched = 0;
  let completed = 0;
  let cancelled = 0;
  for (const row of split
    ? await processCountsFromAggregates(db, scope, split)
    : await processCounts(db, scope)) {
    launched += row.count;
    if (row.status === 'completed') completed = row.count;
    if (row.status === 'cancelled') cancelled = row.count;
  }
  const leadTimeMedianMs = await leadTimeMedian(db, scope, split, completed);
  return {
    definition:
      request.version === undefined
        ? { id: request.definitionId }
        : { id: request.definitionId, version: request.version },
    launched,
    completed,
    cancelled,
    leadTimeMedianMs,
    stages: figures,
  };
}

/** The CSV columns, in order. */
export const ANALYTICS_CSV_COLUMNS = [
  'stage_key',
  'stage_name',
  'entered',
  'completed',
  'now',
  'median_ms',
  'p90_ms',
  'working_median_ms',
  'working_p90_ms',
  'result',
  'to',
  'count',
  'share',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
 * return) is prefixed with an apostrophe, so opening the file never evaluates a stage name.
 */
function csvField(value: string | number | null, text: boolean): string {
  if (value === null) return '';
  let s = String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * The analytics as CSV: a header row, then one row per stage and result (a stage without results
 * has one row with the result columns empty). UTF-8 with a byte-order mark, so spreadsheet
 * programs read non-Latin names (Cyrillic) right; lines end in CRLF.
 */
export function analyticsCsv(analytics: StageAnalytics): string {
  const lines = [ANALYTICS_CSV_COLUMNS.join(',')];
  for (const stage of analytics.stages) {
    const head = [
      csvField(stage.key, true),
      csvField(stage.name, true),
      csvField(stage.entered, false),
      csvField(stage.completed, false),
      csvField(stage.now, false),
      csvField(stage.medianMs, false),
      csvField(stage.p90Ms, false),
      csvField(stage.workingMedianMs, false),
      csvField(stage.workingP90Ms, false),
    ];
    if (stage.results.length === 0) lines.push([...head, '', '', '', ''].join(','));
    for (const r of stage.results) {
      lines.push(
        [
          ...head,
          csvField(r.result, true),
          csvField(r.to, true),
          csvField(r.count, false),
          csvField(r.share, false),
        ].join(','),
      );
    }
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
