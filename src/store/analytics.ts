/**
 * The SQL of stage analytics over `stage_visits` and `processes`. Every query is scoped to one
 * definition, optionally one version and a period of entry (visits) or launch (processes) times,
 * and to what the viewer may see; each is answered from a covering index.
 */
import { CompiledQuery, type ExpressionBuilder, sql } from 'kysely';
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

/**
 * Durations of the visits of a stage that left through a transition, in ascending order, from
 * the `offset`-th (0-based) on: with the index, reading the k-th duration skips k index entries.
 */
export async function stageDurationsAt(
  db: Db,
  scope: AnalyticsScope,
  stageKey: string,
  offset: number,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('stage_visits as v')
    .select('v.duration_ms')
    .where(visitsInScope(scope))
    .where('v.stage_key', '=', stageKey)
    .where('v.left_by', '=', 'transition')
    .orderBy('v.duration_ms')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => Number(r.duration_ms));
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

/** Lead times (launch to completion) of the completed processes in the scope, ascending, from `offset`. */
export async function leadTimesAt(
  db: Db,
  scope: AnalyticsScope,
  offset: number,
  limit: number,
): Promise<number[]> {
  const lead = sql<number>`p.completed_at - p.started_at`;
  const rows = await db
    .selectFrom('processes as p')
    .select(lead.as('lead'))
    .where(processesInScope(scope))
    .where('p.status', '=', 'completed')
    .orderBy(lead)
    .limit(limit)
    .offset(offset)
    .execute();
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

/** How the database plans the counts and the duration lookup (for the benchmark). */
export async function analyticsPlans(
  db: Db,
  dialect: 'sqlite' | 'postgres',
  scope: AnalyticsScope,
  stageKey: string,
): Promise<{ counts: string; durations: string; processes: string }> {
  const explain = async (query: { compile(): CompiledQuery }) => {
    const compiled = query.compile();
    const prefix =
      dialect === 'postgres' ? 'explain (analyze, buffers off, costs off) ' : 'explain query plan ';
    const result = await db.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]),
    );
    return result.rows.map((r) => String(dialect === 'postgres' ? r['QUERY PLAN'] : r.detail)).join('\n');
  };
  const counts = visitCountsQuery(db, scope);
  const durations = db
    .selectFrom('stage_visits as v')
    .select('v.duration_ms')
    .where(visitsInScope(scope))
    .where('v.stage_key', '=', stageKey)
    .where('v.left_by', '=', 'transition')
    .orderBy('v.duration_ms')
    .limit(2)
    .offset(1000);
  const processes = db
    .selectFrom('processes as p')
    .select(['p.status', (eb) => eb.fn.countAll<number>().as('count')])
    .where(processesInScope(scope))
    .groupBy('p.status');
  return {
    counts: await explain(counts),
    durations: await explain(durations),
    processes: await explain(processes),
  };
}
