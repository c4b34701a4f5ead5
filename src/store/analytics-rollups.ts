/**
 * Stage analytics pre-aggregated, so a definition's figures over a year read a few thousand rows
 * instead of every visit:
 *
 * - `analytics_visit_counts`: closed visits per definition, version, stage, UTC day of entry and
 *   way out (left by, result, target stage);
 * - `analytics_durations`: histograms (log-spaced buckets, domain/analytics/histogram.ts) of the
 *   wall-clock and working time of visits left through a transition, per stage and UTC day and
 *   month of entry, and of the lead time of completed processes (stage '') per day and month of
 *   launch;
 * - `analytics_process_counts`: processes per UTC day of launch and status.
 *
 * Open visits are counted with `left_by` '' (result and target ''). A visit enters these tables (as
 * delta rows) in the transaction that opens, closes or re-keys it, and a process in the one that
 * ends it; the running ones (`active`, `paused`) are kept by triggers on `processes` (migration 012),
 * so every writer changes them with the row. The tables and the raw rows always agree; the timer
 * worker folds the deltas (`foldAnalyticsRollups`). `rebuildAnalyticsRollups` fills them from the raw rows in SQL, with the
 * same buckets.
 */
import { type Kysely, sql } from 'kysely';
import { bucketOf, LN_GAMMA } from '../domain/analytics/histogram.ts';
import type { CommandWrites } from './command-writes.ts';
import { insertRows } from './insert-rows.ts';
import type {
  AnalyticsDurationTable,
  AnalyticsProcessCountTable,
  AnalyticsVisitCountTable,
  Database,
} from './schema.ts';
import type { Db, Store } from './store.ts';

export const DAY_MS = 86_400_000;

/** The UTC day (days since 1970-01-01) of an instant. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The first day of the UTC month a day is in. */
export function monthOf(day: number): number {
  const date = new Date(day * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY_MS;
}

/** A visit as it was closed. */
export interface ClosedVisit {
  readonly definition_id: string;
  readonly version: number;
  readonly stage_key: string;
  readonly entered_at: number;
  readonly left_by: 'transition' | 'end' | 'cancel';
  readonly result: string | null;
  readonly to_stage: string | null;
  readonly duration_ms: number;
  readonly working_ms: number | null;
}

/** A process as it ended. */
export interface FinishedProcess {
  readonly definitionId: string;
  readonly version: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: 'completed' | 'cancelled';
}

type Keyed<T> = Map<string, T & { n: number }>;

function bump<T extends object>(map: Keyed<T>, key: T, by = 1): void {
  const id = JSON.stringify(Object.values(key));
  const found = map.get(id);
  if (found) found.n += by;
  else map.set(id, { ...key, n: by });
}

/** A visit as the count of open visits keys it. */
export interface OpenVisitKey {
  readonly definition_id: string;
  readonly version: number;
  readonly stage_key: string;
  readonly entered_at: number;
}

/** The rows closed visits and ended processes add, written together by `write`. */
export class RollupDeltas {
  readonly #visits: Keyed<Omit<AnalyticsVisitCountTable, 'n' | 'base'>> = new Map();
  readonly #durations: Keyed<Omit<AnalyticsDurationTable, 'n' | 'base'>> = new Map();
  readonly #processes: Keyed<Omit<AnalyticsProcessCountTable, 'n' | 'base'>> = new Map();

  #histogram(
    definitionId: string,
    version: number,
    stageKey: string,
    day: number,
    measure: AnalyticsDurationTable['measure'],
    ms: number,
  ): void {
    const bucket = bucketOf(ms);
    const base = { definition_id: definitionId, version, stage_key: stageKey };
    bump(this.#durations, { ...base, grain: 'day' as const, period: day, measure, bucket });
    bump(this.#durations, { ...base, grain: 'month' as const, period: monthOf(day), measure, bucket });
  }

  visit(v: ClosedVisit): void {
    const day = dayOf(v.entered_at);
    bump(this.#visits, {
      definition_id: v.definition_id,
      version: v.version,
      stage_key: v.stage_key,
      day,
      left_by: v.left_by,
      result: v.result ?? '',
      to_stage: v.to_stage ?? '',
    });
    if (v.left_by !== 'transition') return;
    this.#histogram(v.definition_id, v.version, v.stage_key, day, 'wall', v.duration_ms);
    if (v.working_ms !== null) {
      this.#histogram(v.definition_id, v.version, v.stage_key, day, 'working', v.working_ms);
    }
  }

  /**
   * A visit counted as open from now on (`by` 1: entered, or re-keyed to this) or no longer
   * (`by` -1: closed, or re-keyed away from this), as it was written to `stage_visits` before.
   */
  open(v: OpenVisitKey, by: 1 | -1): void {
    const key = {
      definition_id: v.definition_id,
      version: v.version,
      stage_key: v.stage_key,
      day: dayOf(v.entered_at),
      left_by: '' as const,
      result: '',
      to_stage: '',
    };
    bump(this.#visits, key, by);
  }

  process(p: FinishedProcess): void {
    const day = dayOf(p.startedAt);
    bump(this.#processes, { definition_id: p.definitionId, version: p.version, day, status: p.status });
    if (p.status === 'completed') {
      this.#histogram(p.definitionId, p.version, '', day, 'lead', p.endedAt - p.startedAt);
    }
  }

  /**
   * Appends the rows to the tables as deltas and forgets them: plain inserts, which nothing waits
   * on (an updated shared row would queue every transaction closing a visit of the same stage on
   * PostgreSQL); `foldAnalyticsRollups` folds them later, and every read sums all rows of a key.
   */
  async write(tx: Db, writes?: CommandWrites): Promise<void> {
    const tables = [
      ['analytics_visit_counts', [...this.#visits.values()].filter((r) => r.n !== 0)],
      ['analytics_durations', [...this.#durations.values()]],
      ['analytics_process_counts', [...this.#processes.values()]],
    ] as const;
    this.#visits.clear();
    this.#durations.clear();
    this.#processes.clear();
    for (const [table, rows] of tables) {
      const write = async (db: Db) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          await insertRows(db, table, rows.slice(i, i + ROWS_PER_STATEMENT));
        }
      };
      // Held with the command's other writes, to go with them (command-writes.ts).
      if (writes) writes.insert(table, rows, write);
      else await write(tx);
    }
  }
}

const ROWS_PER_STATEMENT = 500;

/**
 * The key of each table: a base row (`base` 1) per key holds the folded count, delta rows (`base`
 * 0) what was added since the last fold.
 */
export const ROLLUP_KEYS = {
  analytics_visit_counts: ['definition_id', 'stage_key', 'day', 'version', 'left_by', 'result', 'to_stage'],
  analytics_durations: ['definition_id', 'stage_key', 'grain', 'period', 'measure', 'version', 'bucket'],
  analytics_process_counts: ['definition_id', 'day', 'version', 'status'],
} as const;

type RollupTable = keyof typeof ROLLUP_KEYS;

/**
 * Folds up to `limit` delta rows of a table into its base rows, in one transaction that deletes
 * exactly the deltas it folds; returns how many. On PostgreSQL deltas another node is folding
 * are skipped (SKIP LOCKED) and base rows are upserted in key order, so folds never deadlock;
 * SQLite (one writer) folds the oldest deltas, up to a rowid. A sum over a key reads the same
 * before and after.
 */
async function foldTable(store: Store, table: RollupTable, limit: number): Promise<number> {
  const key = sql.join(ROLLUP_KEYS[table].map((c) => sql.ref(c)));
  const t = sql.table(table);
  const conflict = sql`on conflict (${key}) where base = 1 do update set n = ${sql.ref(`${table}.n`)} + excluded.n`;
  return store.transaction(async (tx) => {
    if (store.caps.name === 'sqlite') {
      // The oldest `limit` deltas, up to a rowid, each read through the deltas' own index.
      const deltas = sql`${t} indexed by ${sql.raw(`${table}_deltas`)}`;
      const { rows } = await sql<{ n: number; last: number | null }>`select count(*) as n, max(r) as last
        from (select rowid as r from ${deltas} where base = 0 order by rowid limit ${limit})`.execute(tx);
      const n = Number(rows[0]?.n ?? 0);
      const last = rows[0]?.last;
      if (n === 0 || last === null || last === undefined) return 0;
      await sql`insert into ${t} (${key}, n, base) select ${key}, sum(n), 1 from ${deltas}
        where base = 0 and rowid <= ${last} group by ${key} order by ${key} ${conflict}`.execute(tx);
      await sql`delete from ${deltas} where base = 0 and rowid <= ${last}`.execute(tx);
      return n;
    }
    const { rows } = await sql<{ folded: number | string | null }>`
      with picked as (
        select ctid from ${t} where base = 0 limit ${limit} for update skip locked
      ), moved as (
        delete from ${t} where ctid = any(array(select ctid from picked)) returning ${key}, n
      ), folded as (
        insert into ${t} (${key}, n, base)
        select ${key}, sum(n), 1 from moved group by ${key} order by ${key}
        ${conflict}
      )
      select count(*) as folded from moved`.execute(tx);
    return Number(rows[0]?.folded ?? 0);
  });
}

/**
 * Folds the analytics deltas of every table, `batch` rows per transaction and at most
 * `maxBatches` transactions per table; returns how many rows it folded.
 */
export async function foldAnalyticsRollups(store: Store, batch = 5000, maxBatches = 200): Promise<number> {
  let folded = 0;
  for (const table of Object.keys(ROLLUP_KEYS) as RollupTable[]) {
    for (let i = 0; i < maxBatches; i++) {
      const n = await foldTable(store, table, batch);
      folded += n;
      if (n < batch) break;
    }
  }
  return folded;
}

/** The bucket of a millisecond column, in SQL: the formula `bucketOf` implements. */
function bucketSql(column: string) {
  const x = sql.ref(column);
  const ln = sql.lit(LN_GAMMA);
  return sql<number>`case when ${x} = 0 then 0
    when ${x} > 0 then 1 + cast(ceil(ln(cast(${x} as double precision)) / ${ln}) as integer)
    else -(1 + cast(ceil(ln(cast(-${x} as double precision)) / ${ln}) as integer)) end`;
}

/** The first day of the UTC month of a day number, in SQL. */
function monthSql(dialect: 'sqlite' | 'postgres', day: string) {
  const d = sql.ref(day);
  return dialect === 'postgres'
    ? sql<number>`cast(extract(epoch from date_trunc('month', to_timestamp(cast(${d} as bigint) * 86400) at time zone 'UTC')) / 86400 as integer)`
    : sql<number>`cast(julianday(date(${d} * 86400, 'unixepoch', 'start of month')) - 2440587.5 as integer)`;
}

/**
 * Fills the three tables from `stage_visits` and `processes` (emptying them first). Rounds and
 * buckets like the engine, in a few set-based statements.
 */
export async function rebuildAnalyticsRollups(
  db: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
): Promise<void> {
  await sql`delete from analytics_visit_counts`.execute(db);
  await sql`delete from analytics_durations`.execute(db);
  await sql`delete from analytics_process_counts`.execute(db);
  const day = sql.lit(DAY_MS);
  await sql`
    insert into analytics_visit_counts (definition_id, version, stage_key, day, left_by, result, to_stage, n, base)
    select definition_id, version, stage_key, day, left_by, result, to_stage, count(*), 1
    from (select definition_id, version, stage_key, entered_at / ${day} as day,
        coalesce(left_by, '') as left_by, coalesce(result, '') as result, coalesce(to_stage, '') as to_stage
      from stage_visits) v
    group by definition_id, version, stage_key, day, left_by, result, to_stage`.execute(db);
  await sql`
    insert into analytics_process_counts (definition_id, version, day, status, n, base)
    select definition_id, definition_version, started_at / ${day}, status, count(*), 1
    from processes
    group by definition_id, definition_version, started_at / ${day}, status`.execute(db);
  const samples = [
    sql`select definition_id, version, stage_key, entered_at / ${day} as day, 'wall' as measure,
      ${bucketSql('duration_ms')} as bucket from stage_visits
      where left_by = 'transition' and duration_ms is not null`,
    sql`select definition_id, version, stage_key, entered_at / ${day} as day, 'working' as measure,
      ${bucketSql('working_ms')} as bucket from stage_visits
      where left_by = 'transition' and working_ms is not null`,
    sql`select definition_id, definition_version as version, '' as stage_key, started_at / ${day} as day,
      'lead' as measure, ${bucketSql('lead')} as bucket
      from (select definition_id, definition_version, started_at, completed_at - started_at as lead
        from processes where status = 'completed' and completed_at is not null) p`,
  ];
  for (const sample of samples) {
    await sql`
      insert into analytics_durations (definition_id, version, stage_key, grain, period, measure, bucket, n, base)
      select definition_id, version, stage_key, 'day', day, measure, bucket, count(*), 1
      from (${sample}) s group by definition_id, version, stage_key, day, measure, bucket`.execute(db);
  }
  await sql`
    insert into analytics_durations (definition_id, version, stage_key, grain, period, measure, bucket, n, base)
    select definition_id, version, stage_key, 'month', month, measure, bucket, sum(n), 1
    from (select definition_id, version, stage_key, ${monthSql(dialect, 'period')} as month, measure, bucket, n
      from analytics_durations where grain = 'day') d
    group by definition_id, version, stage_key, month, measure, bucket`.execute(db);
}
