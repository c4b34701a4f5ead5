/**
 * Stage analytics of one definition: per stage how many processes entered it, left it, are in it
 * now, how long they stayed (median and 90th percentile) and which results they left by; per
 * definition how many were launched, completed and cancelled, and the median lead time.
 *
 * Counting rules: a stage visit counts when it was entered within the period (from inclusive, to
 * exclusive), a process when it was launched within it; both are counted with what became of them
 * since (a visit entered in the period and left after it counts as completed). Time in a stage is
 * calendar time from entry to leaving through a transition, pauses included; visits cut short by a
 * cancellation and visits still open are not timed. Percentiles interpolate linearly between the
 * two nearest ranks (PostgreSQL `percentile_cont`, Excel `PERCENTILE.INC`), rounded to whole ms.
 * Without a version, stages are matched by key across all versions and named as in the newest
 * version that has them; with one, only visits made under that version count.
 *
 * Access: an administrator counts every process; anyone else only the processes they may see
 * (those they are a member of), so the figures never reveal what the viewer cannot open.
 */
import type { Actor, EngineContext } from '../context.ts';
import type { DefinitionBody } from '../domain/definition/types.ts';
import { notFound } from '../domain/errors.ts';
import {
  type AnalyticsScope,
  definitionVersionBodies,
  leadTimesAt,
  processCounts,
  stageDurationsAt,
  visitCounts,
} from '../store/analytics.ts';
import type { Db } from '../store/store.ts';

export interface AnalyticsRequest {
  readonly definitionId: string;
  readonly version?: number | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

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

/** The p-quantile (0..1) of `n` ascending values, read through `at(offset, limit)`. */
async function quantile(
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
  for (const row of await visitCounts(db, scope)) {
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

  const figures: StageFigures[] = [];
  for (const stage of stages) {
    const tally = tallyOf(stage.key);
    const durations = (offset: number, limit: number) =>
      stageDurationsAt(db, scope, stage.key, offset, limit);
    figures.push({
      key: stage.key,
      name: stage.name,
      entered: tally.entered,
      completed: tally.completed,
      now: tally.now,
      medianMs: await quantile(tally.timed, 0.5, durations),
      p90Ms: await quantile(tally.timed, 0.9, durations),
      results: [...tally.results.values()].map((r) => ({
        ...r,
        share: tally.timed === 0 ? 0 : round4(r.count / tally.timed),
      })),
    });
  }

  let launched = 0;
  let completed = 0;
  let cancelled = 0;
  for (const row of await processCounts(db, scope)) {
    launched += row.count;
    if (row.status === 'completed') completed = row.count;
    if (row.status === 'cancelled') cancelled = row.count;
  }
  const leadTimeMedianMs = await quantile(completed, 0.5, (offset, limit) =>
    leadTimesAt(db, scope, offset, limit),
  );
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
