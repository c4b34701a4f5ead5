/**
 * The SQL of stage analytics over `stage_visits` and `processes`, and over the aggregates kept
 * from them (analytics-rollups.ts). Every query is scoped to one definition, optionally one
 * version and a period of entry (visits) or launch (processes) times, and to what the viewer may
 * see. A non-administrator's figures are read from the raw rows of their own processes; an
 * administrator's from the aggregates for whole UTC days (open visits and running processes
 * included), plus the raw rows of the partial days at the period's edges.
 */
import { CompiledQuery, type ExpressionBuilder, type RawBuilder, sql } from 'kysely';
import { DAY_MS, monthOf } from './analytics-rollups.ts';
import type { Database, StageVisitTable } from './schema.ts';
import type { Db } from './store.ts';
import type { Viewer } from './visibility.ts';

export interface AnalyticsScope {
  readonly definitionId: string;
  readonly version?: number | undefined;
  /** Inclusive lower bound of the entry (or launch) time, epoch ms. */
  readonly from?: number | undefined;
  /** Exclusive upper bound of the entry (or launch) time, epoch ms. */
  readonly to?: number | undefined;
  readonly viewer: Viewer;
}

/**
 * The processes a non-administrator may see (visibility.ts: those they are a member of), as an
 * `in` list rather than a correlated `exists`, so the database may start from the viewer's few
 * memberships instead of testing every visit of the definition.
 */
function membersOf(eb: VisitEb | ProcessEb, viewer: Viewer) {
  return (eb as ExpressionBuilder<Database, never>)
    .selectFrom('process_members as m')
    .select('m.process_id')
    .where('m.employee_id', '=', viewer.id);
}

type VisitEb = ExpressionBuilder<Database & { v: StageVisitTable }, 'v'>;

function visitsInScope(scope: AnalyticsScope) {
  return (eb: VisitEb) => {
    const parts = [eb('v.definition_id', '=', scope.definitionId)];
    if (scope.from !== undefined) parts.push(eb('v.entered_at', '>=', scope.from));
    if (scope.to !== undefined) parts.push(eb('v.entered_at', '<', scope.to));
    if (scope.version !== undefined) parts.push(eb('v.version', '=', scope.version));
    if (scope.viewer.role !== 'admin') parts.push(eb('v.process_id', 'in', membersOf(eb, scope.viewer)));
    return eb.and(parts);
  };
}

export interface VisitCountRow {
  readonly stage_key: string;
  readonly left_by: StageVisitTable['left_by'];
  readonly result: string | null;
  readonly to_stage: string | null;
  readonly count: number;
}

function visitCountsQuery(db: Db, scope: AnalyticsScope) {
  return db
    .selectFrom('stage_visits as v')
    .select([
      'v.stage_key',
      'v.left_by',
      'v.result',
      'v.to_stage',
      (eb) => eb.fn.countAll<number>().as('count'),
    ])
    .where(visitsInScope(scope))
    .groupBy(['v.stage_key', 'v.left_by', 'v.result', 'v.to_stage']);
}

/** Visits per stage, way of leaving (none yet: null) and result, in one pass over the index. */
export async function visitCounts(db: Db, scope: AnalyticsScope): Promise<VisitCountRow[]> {
  const rows = await visitCountsQuery(db, scope).execute();
  return rows.map((r) => ({ ...r, count: Number(r.count) }));
}

/** Wall-clock and working time of visits left through a transition. */
export interface TimedVisitRow {
  readonly stage_key: string;
  readonly duration_ms: number;
  readonly working_ms: number | null;
}

/**
 * The times of the visits of the given stages that left through a transition, unordered. For an
 * administrator one index range per stage (`stage_visits_timed`).
 */
export async function timedVisits(
  db: Db,
  scope: AnalyticsScope,
  stageKeys: readonly string[],
): Promise<TimedVisitRow[]> {
  if (stageKeys.length === 0) return [];
  const rows = await db
    .selectFrom('stage_visits as v')
    .select(['v.stage_key', 'v.duration_ms', 'v.working_ms'])
    .where(visitsInScope(scope))
    .where('v.left_by', '=', 'transition')
    .where('v.stage_key', 'in', [...stageKeys])
    .where('v.duration_ms', 'is not', null)
    .execute();
  return rows.map((r) => ({
    stage_key: r.stage_key,
    duration_ms: Number(r.duration_ms),
    working_ms: r.working_ms === null ? null : Number(r.working_ms),
  }));
}

/** How many visits of each given stage left through a transition, with a wall-clock and a working time. */
export async function timedCounts(
  db: Db,
  scope: AnalyticsScope,
  stageKeys: readonly string[],
): Promise<Map<string, { wall: number; working: number }>> {
  if (stageKeys.length === 0) return new Map();
  const rows = await db
    .selectFrom('stage_visits as v')
    .select([
      'v.stage_key',
      (eb) => eb.fn.count<number>('v.duration_ms').as('wall'),
      (eb) => eb.fn.count<number>('v.working_ms').as('working'),
    ])
    .where(visitsInScope(scope))
    .where('v.left_by', '=', 'transition')
    .where('v.stage_key', 'in', [...stageKeys])
    .groupBy('v.stage_key')
    .execute();
  return new Map(rows.map((r) => [r.stage_key, { wall: Number(r.wall), working: Number(r.working) }]));
}

/**
 * The wall-clock or working times of the visits of a stage that left through a transition, in
 * ascending order, from the `offset`-th (0-based) on, at most `limit`: a rank is read without
 * bringing the stage's other times over.
 */
export async function stageTimesAt(
  db: Db,
  scope: AnalyticsScope,
  stageKey: string,
  measure: 'duration_ms' | 'working_ms',
  offset: number,
  limit: number,
): Promise<number[]> {
  const column = `v.${measure}` as const;
  const rows = await db
    .selectFrom('stage_visits as v')
    .select(sql<number>`${sql.ref(column)}`.as('t'))
    .where(visitsInScope(scope))
    .where('v.left_by', '=', 'transition')
    .where('v.stage_key', '=', stageKey)
    .where(column, 'is not', null)
    .orderBy(column)
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => Number(r.t));
}

type ProcessEb = ExpressionBuilder<Database & { p: Database['processes'] }, 'p'>;

function processesInScope(scope: AnalyticsScope) {
  return (eb: ProcessEb) => {
    const parts = [eb('p.definition_id', '=', scope.definitionId)];
    if (scope.viewer.role !== 'admin') parts.push(eb('p.id', 'in', membersOf(eb, scope.viewer)));
    if (scope.from !== undefined) parts.push(eb('p.started_at', '>=', scope.from));
    if (scope.to !== undefined) parts.push(eb('p.started_at', '<', scope.to));
    if (scope.version !== undefined) parts.push(eb('p.definition_version', '=', scope.version));
    return eb.and(parts);
  };
}

/** Processes launched in the scope, by their status now. */
export async function processCounts(
  db: Db,
  scope: AnalyticsScope,
): Promise<{ status: Database['processes']['status']; count: number }[]> {
  const rows = await db
    .selectFrom('processes as p')
    .select(['p.status', (eb) => eb.fn.countAll<number>().as('count')])
    .where(processesInScope(scope))
    .groupBy('p.status')
    .execute();
  return rows.map((r) => ({ status: r.status, count: Number(r.count) }));
}

const LEAD_TIME = sql<number>`p.completed_at - p.started_at`;

/** The lead times (launch to completion) of the completed processes in the scope, as a query. */
function leadTimesQuery(db: Db, scope: AnalyticsScope) {
  return db
    .selectFrom('processes as p')
    .select(LEAD_TIME.as('lead'))
    .where(processesInScope(scope))
    .where('p.status', '=', 'completed')
    .where('p.completed_at', 'is not', null);
}

/** Lead times (launch to completion) of the completed processes in the scope, unordered. */
export async function leadTimes(db: Db, scope: AnalyticsScope): Promise<number[]> {
  const rows = await leadTimesQuery(db, scope).execute();
  return rows.map((r) => Number(r.lead));
}

/** Lead times of the completed processes in the scope, ascending, from the `offset`-th on, at most `limit`. */
export async function leadTimesAt(
  db: Db,
  scope: AnalyticsScope,
  offset: number,
  limit: number,
): Promise<number[]> {
  const rows = await leadTimesQuery(db, scope).orderBy(LEAD_TIME).limit(limit).offset(offset).execute();
  return rows.map((r) => Number(r.lead));
}

/** The published versions of a definition with their bodies, newest first; undefined: no such definition. */
export async function definitionVersionBodies(
  db: Db,
  definitionId: string,
): Promise<{ draft: string; versions: { version: number; body: string }[] } | undefined> {
  const definition = await db
    .selectFrom('definitions')
    .select('draft')
    .where('id', '=', definitionId)
    .executeTakeFirst();
  if (!definition) return undefined;
  const versions = await db
    .selectFrom('definition_versions')
    .select(['version', 'body'])
    .where('definition_id', '=', definitionId)
    .orderBy('version', 'desc')
    .execute();
  return { draft: definition.draft, versions };
}

// ------------------------------------------------------------ the aggregates (administrators)

/** A period cut into whole UTC days, which the aggregates answer, and partial days at its edges. */
export interface PeriodSplit {
  /** Whole days [from, to), days since 1970-01-01, a bound absent: unbounded; undefined: none. */
  readonly days: { readonly from?: number | undefined; readonly to?: number | undefined } | undefined;
  /** Ranges of instants [from, to) read from the raw rows. */
  readonly edges: readonly (readonly [number, number])[];
}

/** Cuts the period [from, to) (either bound optional) into whole UTC days and partial edges. */
export function splitPeriod(from: number | undefined, to: number | undefined): PeriodSplit {
  const firstDay = from === undefined ? undefined : Math.ceil(from / DAY_MS);
  const endDay = to === undefined ? undefined : Math.floor(to / DAY_MS);
  if (from !== undefined && to !== undefined && (firstDay as number) >= (endDay as number)) {
    return { days: undefined, edges: [[from, to]] };
  }
  const edges: [number, number][] = [];
  if (from !== undefined && firstDay !== undefined && firstDay * DAY_MS > from)
    edges.push([from, firstDay * DAY_MS]);
  if (to !== undefined && endDay !== undefined && endDay * DAY_MS < to) edges.push([endDay * DAY_MS, to]);
  return { days: { from: firstDay, to: endDay }, edges };
}

/** Whole days split into whole UTC months (read from the monthly histograms) and the days around them. */
function histogramRanges(days: NonNullable<PeriodSplit['days']>) {
  const firstMonth =
    days.from === undefined
      ? undefined
      : monthOf(days.from) === days.from
        ? days.from
        : monthAfter(days.from);
  const endMonth = days.to === undefined ? undefined : monthOf(days.to);
  if (firstMonth !== undefined && endMonth !== undefined && firstMonth >= endMonth) {
    return [{ grain: 'day' as const, from: days.from, to: days.to }];
  }
  const ranges: { grain: 'day' | 'month'; from?: number | undefined; to?: number | undefined }[] = [
    { grain: 'month', from: firstMonth, to: endMonth },
  ];
  if (days.from !== undefined && firstMonth !== undefined && days.from < firstMonth)
    ranges.push({ grain: 'day', from: days.from, to: firstMonth });
  if (days.to !== undefined && endMonth !== undefined && endMonth < days.to)
    ranges.push({ grain: 'day', from: endMonth, to: days.to });
  return ranges;
}

function monthAfter(day: number): number {
  const date = new Date(day * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY_MS;
}

/** `and <column> >= from and <column> < to` for the bounds given. */
function within(column: string, from: number | undefined, to: number | undefined) {
  const parts = [];
  if (from !== undefined) parts.push(sql`and ${sql.ref(column)} >= ${from}`);
  if (to !== undefined) parts.push(sql`and ${sql.ref(column)} < ${to}`);
  return sql.join(parts, sql` `);
}

function ofVersion(column: string, version: number | undefined) {
  return version === undefined ? sql`` : sql`and ${sql.ref(column)} = ${version}`;
}

/**
 * A read of an aggregate table as two branches, its base rows (through the unique index) and its
 * deltas not yet folded (through their partial index); the caller sums both.
 */
function baseAndDeltas(select: RawBuilder<unknown>) {
  return [sql`${select} and base = 1`, sql`${select} and base = 0`];
}

/**
 * Every visit count of an administrator's scope in one statement (one snapshot): the visits of
 * whole days, open and closed, from `analytics_visit_counts`, those of the partial days at the
 * edges from `stage_visits`.
 */
export async function visitCountsFromAggregates(
  db: Db,
  scope: AnalyticsScope,
  split: PeriodSplit,
): Promise<VisitCountRow[]> {
  const statement = visitCountsStatement(scope, split);
  if (!statement) return [];
  const rows = await statement.execute(db);
  return rows.rows
    .map((r) => ({
      stage_key: r.stage_key,
      left_by: r.left_by === '' ? null : r.left_by,
      result: r.result === '' && r.left_by !== 'transition' ? null : r.result,
      to_stage: r.to_stage === '' && r.left_by !== 'transition' ? null : r.to_stage,
      count: Number(r.count),
    }))
    .filter((r) => r.count !== 0);
}

function visitCountsStatement(scope: AnalyticsScope, split: PeriodSplit) {
  const id = scope.definitionId;
  const parts = [];
  if (split.days) {
    parts.push(
      ...baseAndDeltas(sql`select stage_key, left_by, result, to_stage, n from analytics_visit_counts
        where definition_id = ${id} ${within('day', split.days.from, split.days.to)} ${ofVersion('version', scope.version)}`),
    );
  }
  for (const [from, to] of split.edges) {
    parts.push(sql`select stage_key, coalesce(left_by, '') as left_by, coalesce(result, '') as result,
        coalesce(to_stage, '') as to_stage, count(*) as n from stage_visits
      where definition_id = ${id} ${within('entered_at', from, to)} ${ofVersion('version', scope.version)}
      group by stage_key, left_by, result, to_stage`);
  }
  if (parts.length === 0) return undefined;
  return sql<{
    stage_key: string;
    left_by: NonNullable<VisitCountRow['left_by']> | '';
    result: string;
    to_stage: string;
    count: number | string;
  }>`select stage_key, left_by, result, to_stage, sum(n) as count
    from (${sql.join(parts, sql` union all `)}) u group by stage_key, left_by, result, to_stage`;
}

/** One bucket of a histogram read from the aggregates: `stage_key` '' is the process lead time. */
export interface HistogramRow {
  readonly stage_key: string;
  readonly measure: 'wall' | 'working' | 'lead';
  readonly bucket: number;
  readonly n: number;
}

/**
 * The histograms of the given stages ('' for the lead time of processes) over the whole days of
 * a period: whole months from the monthly rows, the days around them from the daily ones.
 */
export async function histogramsFromAggregates(
  db: Db,
  scope: AnalyticsScope,
  days: NonNullable<PeriodSplit['days']>,
  stageKeys: readonly string[],
): Promise<HistogramRow[]> {
  if (stageKeys.length === 0) return [];
  const parts = histogramRanges(days).flatMap((r) =>
    baseAndDeltas(sql`select stage_key, measure, bucket, n from analytics_durations
      where definition_id = ${scope.definitionId} and stage_key in (${sql.join([...stageKeys])})
        and grain = ${r.grain} ${within('period', r.from, r.to)} ${ofVersion('version', scope.version)}`),
  );
  const rows = await sql<{
    stage_key: string;
    measure: HistogramRow['measure'];
    bucket: number;
    n: number | string;
  }>`
    select stage_key, measure, bucket, sum(n) as n from (${sql.join(parts, sql` union all `)}) u
    group by stage_key, measure, bucket`.execute(db);
  return rows.rows.map((r) => ({ ...r, bucket: Number(r.bucket), n: Number(r.n) }));
}

/**
 * The processes of an administrator's scope by status in one statement: those launched on whole
 * days from `analytics_process_counts`, those of the partial days at the edges from `processes`.
 */
export async function processCountsFromAggregates(
  db: Db,
  scope: AnalyticsScope,
  split: PeriodSplit,
): Promise<{ status: Database['processes']['status']; count: number }[]> {
  const statement = processCountsStatement(scope, split);
  if (!statement) return [];
  const rows = await statement.execute(db);
  return rows.rows.map((r) => ({ status: r.status, count: Number(r.count) })).filter((r) => r.count !== 0);
}

function processCountsStatement(scope: AnalyticsScope, split: PeriodSplit) {
  const id = scope.definitionId;
  const parts = [];
  if (split.days) {
    parts.push(
      ...baseAndDeltas(sql`select status, n from analytics_process_counts
        where definition_id = ${id} ${within('day', split.days.from, split.days.to)} ${ofVersion('version', scope.version)}`),
    );
  }
  for (const [from, to] of split.edges) {
    parts.push(sql`select status, count(*) as n from processes
      where definition_id = ${id} ${within('started_at', from, to)} ${ofVersion('definition_version', scope.version)}
      group by status`);
  }
  if (parts.length === 0) return undefined;
  return sql<{ status: Database['processes']['status']; count: number | string }>`
    select status, sum(n) as count from (${sql.join(parts, sql` union all `)}) u group by status`;
}

/** How the database plans the aggregate reads and the exact durations (for the benchmark). */
export async function analyticsPlans(
  db: Db,
  dialect: 'sqlite' | 'postgres',
  scope: AnalyticsScope,
  stageKey: string,
): Promise<{ counts: string; durations: string; processes: string }> {
  const explain = async (compiled: CompiledQuery) => {
    const prefix =
      dialect === 'postgres' ? 'explain (analyze, buffers off, costs off) ' : 'explain query plan ';
    const result = await db.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]),
    );
    return result.rows.map((r) => String(dialect === 'postgres' ? r['QUERY PLAN'] : r.detail)).join('\n');
  };
  const split = splitPeriod(scope.from, scope.to);
  const id = scope.definitionId;
  const counts = visitCountsStatement(scope, split);
  const processes = processCountsStatement(scope, split);
  const durations = db
    .selectFrom('stage_visits as v')
    .select(['v.duration_ms', 'v.working_ms'])
    .where(visitsInScope(scope))
    .where('v.left_by', '=', 'transition')
    .where('v.stage_key', '=', stageKey);
  const histogram = sql`select measure, bucket, sum(n) from (${sql.join(
    baseAndDeltas(sql`select measure, bucket, n from analytics_durations
      where definition_id = ${id} and stage_key = ${stageKey} and grain = 'month'
        ${within('period', split.days?.from, split.days?.to)}`),
    sql` union all `,
  )}) u group by measure, bucket`;
  return {
    counts: `${counts ? await explain(counts.compile(db)) : ''}\n--\n${await explain(histogram.compile(db))}`,
    durations: await explain(durations.compile()),
    processes: processes ? await explain(processes.compile(db)) : '',
  };
}
