/**
 * Stage analytics at scale: a year of processes (1,000,000; quick: 100,000) with their stage
 * visits written by set-based SQL straight into `processes` and `stage_visits`, then the analytics
 * call of one definition over that year, timed through the read model the route uses. Reports
 * p50/p95 per store, for an administrator (counts everything) and for a manager who is a member
 * of every thousandth process, and the plans of the queries.
 *
 * The processes belong to 11 definitions of one shape (half of them to the largest, a twentieth
 * to a typical one, the rest to nine others, interleaved in time): a call that
 * is refused (to "lost") or agreed (to an offer), an offer declined or accepted (to a contract),
 * a contract signed (to "won"); 5 % are cancelled in the call and 10 % in the offer, the last two
 * days' calls and some offers and contracts are still open. Times in a stage vary from minutes to
 * days (working time a quarter of that). The protocol is not written: analytics read only
 * `stage_visits`, `processes` and the aggregates, filled from them as the migration does.
 */
import { sql } from 'kysely';
import { type Actor, createEngineContext, type EngineContext } from '../src/context.ts';
import { stageAnalytics } from '../src/queries/analytics.ts';
import { ManualClock } from '../src/scheduler/clock.ts';
import { createDefinition, publishDefinition } from '../src/services/definitions.ts';
import { createEmployee } from '../src/services/employees.ts';
import { analyticsPlans } from '../src/store/analytics.ts';
import { rebuildAnalyticsRollups } from '../src/store/analytics-rollups.ts';
import { type Db, openStore, type Store } from '../src/store/store.ts';
import { freshPostgres, freshSqlite } from './databases.ts';
import type { BenchSection, Figure, StoreKind } from './sections.ts';
import { log, percentile, round3 } from './stats.ts';

const DAY = 86_400_000;
const GOAL_MS = 200;

const BODY = {
  stages: [
    { key: 'call', name: 'Call', kind: 'start' as const },
    { key: 'offer', name: 'Offer', kind: 'normal' as const },
    { key: 'contract', name: 'Contract', kind: 'normal' as const },
    { key: 'won', name: 'Won', kind: 'end' as const },
    { key: 'lost', name: 'Lost', kind: 'end' as const },
  ],
  transitions: [
    { from: 'call', to: 'offer', result: 'Agreed' },
    { from: 'call', to: 'lost', result: 'Refused' },
    { from: 'offer', to: 'contract', result: 'Accepted' },
    { from: 'offer', to: 'lost', result: 'Declined' },
    { from: 'contract', to: 'won', result: 'Signed' },
  ],
};

interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface AnalyticsBenchResult {
  readonly goalMs: number;
  readonly stores: Partial<Record<StoreKind, AnalyticsStoreResult>>;
}

/** Recomputes the journal's per-status counters, when the schema has them, from the rows. */
async function rebuildJournalCounters(tx: Db): Promise<void> {
  const found = await sql<{ t: string | null }>`select to_regclass('process_counts')::text as t`.execute(tx);
  if (!found.rows[0]?.t) return;
  await sql`delete from process_counts`.execute(tx);
  await sql`
    insert into process_counts (scope, definition_id, status, n)
    select '*', definition_id, status, count(*) from processes group by definition_id, status`.execute(tx);
  await sql`
    insert into process_counts (scope, definition_id, status, n)
    select m.employee_id, p.definition_id, p.status, count(*)
    from (select distinct process_id, employee_id from process_members) m
    join processes p on p.id = m.process_id
    group by m.employee_id, p.definition_id, p.status`.execute(tx);
}

/** Writes `total` processes over the year before `now` and their visits, by set-based SQL. */
export async function fillYear(
  store: Store,
  definitionIds: readonly string[],
  adminId: string,
  managerId: string,
  total: number,
  now: number,
) {
  const db = store.db;
  const start = now - 365 * DAY;
  const step = Math.floor((365 * DAY) / total);
  const recent = Math.ceil((total * 2) / 365);
  await sql`create table bench_defs (k integer primary key, id text not null)`.execute(db);
  await db
    .insertInto('bench_defs' as never)
    .values(definitionIds.map((id, k) => ({ k, id })) as never)
    .execute();
  await sql`create table bench_plan (i bigint primary key, pid text, def text, t0 bigint, t1 bigint, t2 bigint,
    t3 bigint, c text, o text, k text)`.execute(db);
  const defs = definitionIds.length;
  await store.transaction((tx) =>
    sql`
    insert into bench_plan (i, pid, def, t0, t1, t2, t3, c, o, k)
    with recursive n(i) as (select cast(1 as bigint) union all select i + 1 from n where i < ${total}),
    base as (
      select i, ${start} + (i - 1) * ${step} as t0,
        ((i * i * 31 + i * 17) % 1000003) % 100 as h1, ((i * i * 7 + i * 131) % 999983) % 100 as h2,
        ((i * i * 13 + i * 71) % 999979) % 100 as h3,
        300000 + (i * 48271) % 172800000 as d1, 3600000 + (i * 16807) % 432000000 as d2,
        1800000 + (i * 22695477) % 864000000 as d3
      from n)
    select i, 'bp' || cast(i as text), (select id from bench_defs where k = i % ${defs}),
      t0, t0 + d1, t0 + d1 + d2, t0 + d1 + d2 + d3,
      case when h1 < 5 then 'cancel' when i > ${total - recent} then 'open' when h1 < 25 then 'refused' else 'agreed' end,
      case when h2 < 10 then 'cancel' when h2 < 20 then 'open' when h2 < 35 then 'declined' else 'accepted' end,
      case when h3 < 90 then 'signed' else 'open' end
    from base`.execute(tx),
  );
  const pg = store.caps.name === 'postgres';
  await store.transaction(async (tx) => {
    if (pg) {
      // A bulk load: no statement time limit, and no per-row triggers (the journal's counters
      // are rebuilt below in one statement; per row they would update one hot row a million times).
      await sql`set local statement_timeout = 0`.execute(tx);
      await sql`set local session_replication_role = replica`.execute(tx);
    }
    await sql`
    insert into processes (id, definition_id, definition_version, status, stage_key, stage_state, visit,
      responsible_id, entered_at, note, counterparty_id, initiator_id, parent_id, paused_until, started_at,
      updated_at, completed_at, version)
    select pid, def, 1,
      case when c = 'cancel' or (c = 'agreed' and o = 'cancel') then 'cancelled'
        when c = 'open' or (c = 'agreed' and (o = 'open' or (o = 'accepted' and k = 'open'))) then 'active'
        else 'completed' end,
      case when c in ('cancel', 'open') then 'call' when c = 'refused' then 'lost'
        when o in ('cancel', 'open') then 'offer' when o = 'declined' then 'lost'
        when k = 'open' then 'contract' else 'won' end,
      'in_progress', 1, null, t0, '', null, ${adminId}, null, null, t0, t0,
      case when c in ('cancel', 'refused') then t1 when c = 'open' then null
        when o in ('cancel', 'declined') then t2 when o = 'open' then null
        when k = 'signed' then t3 else null end,
      1
    from bench_plan`.execute(tx);
    // Visit 1: the call.
    await sql`
    insert into stage_visits (process_id, visit, definition_id, version, stage_key, entered_at, left_at, left_by, result, to_stage, duration_ms, working_ms)
    select pid, 1, def, 1, 'call', t0,
      case when c = 'open' then null else t1 end,
      case when c = 'open' then null when c = 'cancel' then 'cancel' else 'transition' end,
      case when c = 'refused' then 'Refused' when c = 'agreed' then 'Agreed' else null end,
      case when c = 'refused' then 'lost' when c = 'agreed' then 'offer' else null end,
      case when c = 'open' then null else t1 - t0 end,
      case when c = 'open' then null else (t1 - t0) / 4 end
    from bench_plan`.execute(tx);
    // Visit 2: lost at once, or the offer.
    await sql`
    insert into stage_visits (process_id, visit, definition_id, version, stage_key, entered_at, left_at, left_by, result, to_stage, duration_ms, working_ms)
    select pid, 2, def, 1, case when c = 'refused' then 'lost' else 'offer' end, t1,
      case when c = 'refused' then t1 when o = 'open' then null else t2 end,
      case when c = 'refused' then 'end' when o = 'open' then null when o = 'cancel' then 'cancel' else 'transition' end,
      case when c = 'refused' then null when o = 'declined' then 'Declined' when o = 'accepted' then 'Accepted' else null end,
      case when c = 'refused' then null when o = 'declined' then 'lost' when o = 'accepted' then 'contract' else null end,
      case when c = 'refused' then 0 when o = 'open' then null else t2 - t1 end,
      case when c = 'refused' then 0 when o = 'open' then null else (t2 - t1) / 4 end
    from bench_plan where c in ('refused', 'agreed')`.execute(tx);
    // Visit 3: lost at once, or the contract.
    await sql`
    insert into stage_visits (process_id, visit, definition_id, version, stage_key, entered_at, left_at, left_by, result, to_stage, duration_ms, working_ms)
    select pid, 3, def, 1, case when o = 'declined' then 'lost' else 'contract' end, t2,
      case when o = 'declined' then t2 when k = 'open' then null else t3 end,
      case when o = 'declined' then 'end' when k = 'open' then null else 'transition' end,
      case when o = 'declined' then null when k = 'signed' then 'Signed' else null end,
      case when o = 'declined' then null when k = 'signed' then 'won' else null end,
      case when o = 'declined' then 0 when k = 'open' then null else t3 - t2 end,
      case when o = 'declined' then 0 when k = 'open' then null else (t3 - t2) / 4 end
    from bench_plan where c = 'agreed' and o in ('declined', 'accepted')`.execute(tx);
    // Visit 4: won.
    await sql`
    insert into stage_visits (process_id, visit, definition_id, version, stage_key, entered_at, left_at, left_by, result, to_stage, duration_ms, working_ms)
    select pid, 4, def, 1, 'won', t3, t3, 'end', null, null, 0, 0
    from bench_plan where c = 'agreed' and o = 'accepted' and k = 'signed'`.execute(tx);
    // The manager is a member of every thousandth process.
    await sql`
    insert into process_members (process_id, employee_id, role)
    select pid, ${managerId}, 'responsible' from bench_plan where i % 1000 = 0`.execute(tx);
    if (pg) await rebuildJournalCounters(tx);
    // The analytics aggregates, as the migration fills them from rows already there.
    await rebuildAnalyticsRollups(tx, store.caps.name);
  });
  await sql`drop table bench_plan`.execute(db);
  await sql`drop table bench_defs`.execute(db);
  if (store.caps.name === 'postgres') await sql`vacuum analyze`.execute(db);
  else await sql`analyze`.execute(db);
}

async function count(
  store: Store,
  table: 'processes' | 'stage_visits',
  definitionId?: string,
): Promise<number> {
  let q = store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  if (definitionId) q = q.where('definition_id', '=', definitionId);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

async function timeCalls(
  ctx: EngineContext,
  viewer: Actor,
  definitionId: string,
  from: number,
  to: number,
  runs: number,
) {
  const request = { definitionId, from, to };
  for (let i = 0; i < 3; i++) await stageAnalytics(ctx, viewer, request);
  const times: number[] = [];
  let last = await stageAnalytics(ctx, viewer, request);
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await stageAnalytics(ctx, viewer, request);
    times.push(performance.now() - t);
  }
  const sorted = times.sort((a, b) => a - b);
  const latency: Latency = {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: percentile(sorted, 100),
  };
  return { latency, last };
}

/** One definition's analytics over the year, timed for the administrator and for the manager. */
export interface DefinitionTiming {
  readonly processes: number;
  readonly adminMs: Latency;
  readonly managerMs: Latency;
  readonly meetsGoal: boolean;
  readonly sample: { launched: number; completed: number; cancelled: number; stages: number };
}

export interface AnalyticsStoreResult {
  readonly processes: number;
  readonly definitions: number;
  readonly visits: number;
  readonly setupSeconds: number;
  readonly runs: number;
  /** The manager is a member of every thousandth process. */
  readonly managerProcesses: number;
  /** The definition with half of all processes. */
  readonly largest: DefinitionTiming;
  /** A definition with a twentieth of them. */
  readonly typical: DefinitionTiming;
  readonly plans: { counts: string; durations: string; processes: string };
}

/**
 * The layout of the processes: of every 20 consecutive ones, 10 belong to the largest definition,
 * 1 to the typical one, and 1 to each of 9 others.
 */
const SLOTS = 20;
const LARGEST_SLOTS = 10;

async function timeDefinition(
  ctx: EngineContext,
  store: Store,
  viewers: { admin: Actor; manager: Actor },
  definitionId: string,
  from: number,
  to: number,
  runs: number,
): Promise<DefinitionTiming> {
  const asAdmin = await timeCalls(ctx, viewers.admin, definitionId, from, to, runs);
  const asManager = await timeCalls(ctx, viewers.manager, definitionId, from, to, runs);
  return {
    processes: await count(store, 'processes', definitionId),
    adminMs: asAdmin.latency,
    managerMs: asManager.latency,
    meetsGoal: asAdmin.latency.p95 <= GOAL_MS,
    sample: {
      launched: asAdmin.last.launched,
      completed: asAdmin.last.completed,
      cancelled: asAdmin.last.cancelled,
      stages: asAdmin.last.stages.length,
    },
  };
}

async function measure(store: Store, total: number, runs: number): Promise<AnalyticsStoreResult> {
  const kind = store.caps.name;
  const now = Date.UTC(2027, 0, 4, 9, 0);
  const ctx = createEngineContext({ store, clock: new ManualClock(now) });
  const setupStart = performance.now();
  const adminRow = await createEmployee(ctx, {
    login: 'bench',
    name: 'Bench',
    password: 'bench-password',
    role: 'admin',
  });
  const admin: Actor = { id: adminRow.id, role: 'admin', name: adminRow.name };
  const managerRow = await createEmployee(ctx, {
    login: 'bench-manager',
    name: 'Manager',
    password: 'bench-password',
    role: 'manager',
  });
  const manager: Actor = { id: managerRow.id, role: 'manager', name: managerRow.name };
  const ids: string[] = [];
  for (let d = 0; d < SLOTS - LARGEST_SLOTS + 1; d++) {
    const def = await createDefinition(ctx, admin, { name: `Deal ${d}`, ...BODY });
    await publishDefinition(ctx, admin, def.id);
    ids.push(def.id);
  }
  const largest = ids[0] as string;
  const typical = ids[1] as string;
  const slots = [...Array.from({ length: LARGEST_SLOTS }, () => largest), ...ids.slice(1)];
  log(`analytics ${kind}: writing ${total} processes over a year in ${ids.length} definitions…`);
  await fillYear(store, slots, admin.id, manager.id, total, now);
  const setupSeconds = (performance.now() - setupStart) / 1000;
  const from = now - 365 * DAY;
  log(`analytics ${kind}: timing ${runs} calls per definition and viewer…`);
  const viewers = { admin, manager };
  return {
    processes: total,
    definitions: ids.length,
    visits: await count(store, 'stage_visits'),
    setupSeconds: round3(setupSeconds),
    runs,
    managerProcesses: Math.floor(total / 1000),
    typical: await timeDefinition(ctx, store, viewers, typical, from, now, runs),
    largest: await timeDefinition(ctx, store, viewers, largest, from, now, runs),
    plans: await analyticsPlans(
      store.db,
      kind,
      { definitionId: typical, from, to: now, viewer: admin },
      'offer',
    ),
  };
}

/**
 * Fills a fresh database per store with a year of processes (1,000,000; quick: 100,000) over 11
 * definitions, half of them in the largest and a twentieth in a typical one, and times the
 * analytics of each of the two over the year.
 */
export async function analyticsBench(opts: {
  quick: boolean;
  stores?: readonly StoreKind[];
}): Promise<AnalyticsBenchResult> {
  const total = opts.quick ? 100_000 : 1_000_000;
  const runs = opts.quick ? 20 : 40;
  const result: Partial<Record<StoreKind, AnalyticsStoreResult>> = {};
  for (const kind of opts.stores ?? (['sqlite', 'postgres'] as const)) {
    if (kind === 'sqlite') {
      const database = freshSqlite();
      const store = await openStore({ sqliteFile: database.file });
      try {
        result.sqlite = await measure(store, total, runs);
      } finally {
        await store.close();
        database.drop();
      }
    } else {
      const database = await freshPostgres();
      const store = await openStore({ databaseUrl: database.url });
      try {
        result.postgres = await measure(store, total, runs);
      } finally {
        await store.close();
        await database.drop();
      }
    }
  }
  return { goalMs: GOAL_MS, stores: result };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The goals-table rows of a run: each store's typical and largest definition. */
export function analyticsFigures(data: AnalyticsBenchResult): Figure[] {
  return Object.entries(data.stores).flatMap(([kind, r]) =>
    (['typical', 'largest'] as const).map((which) => {
      const d = r[which];
      return {
        figure: `analytics p95, ${which} definition (${fmt(d.processes)} of ${fmt(r.processes)} processes) over a year, ${kind}`,
        value: `${d.adminMs.p95} ms`,
        goal: `≤ ${GOAL_MS} ms`,
        comparison: `manager (member of ${r.managerProcesses}) p95 ${d.managerMs.p95} ms`,
        met: d.meetsGoal,
      };
    }),
  );
}

export const section: BenchSection = {
  name: 'analytics',
  title: 'Stage analytics of one definition over a year',
  async run({ quick, stores }) {
    const data = await analyticsBench({ quick, stores });
    return {
      scale: quick ? '100,000 processes instead of 1,000,000' : '',
      figures: analyticsFigures(data),
      data,
    };
  },
};
