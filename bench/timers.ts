/**
 * Section `timers`: durable time at scale, on a real server. A million processes asleep on a wait
 * stage are written with set-based SQL (copies of one process the engine launched, so the setup
 * measures nothing), the server is started on that database (`tsx src/cli.ts start`), and then a
 * tenth of the timers is made due at one instant. Measured: the seconds from that instant until the
 * server's own timer worker has fired them all, the server's resident memory during the burst,
 * and the p99 of API calls a client keeps making while the burst fires (stage moves over HTTP by
 * an administrator, 4 keep-alive connections), against the same client's p99 just before it. The
 * plan of the claim query is printed (it must use the due index).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { createEngineContext } from '../src/context.ts';
import { launchProcess } from '../src/engine/launch.ts';
import { systemClock } from '../src/scheduler/clock.ts';
import { createDefinition, publishDefinition } from '../src/services/definitions.ts';
import { createEmployee } from '../src/services/employees.ts';
import { openStore, type Store } from '../src/store/store.ts';
import { freshPostgres, orderedIds } from './databases.ts';
import { loopDefinition, ProcessPool, startMoves } from './http-load.ts';
import { busiestProfile, type ProfileSummary } from './profile.ts';
import {
  type BenchOptions,
  type BenchSection,
  type Figure,
  fmtInt,
  type SectionAnswer,
  type StoreKind,
} from './sections.ts';
import { type ChildServer, login, startStageflow } from './server.ts';
import { latency, log, round3 } from './stats.ts';

const DAY = 24 * 3600 * 1000;
/** `--profile`: the server runs under `--cpu-prof` (its figures then include the profiler's cost). */
const PROFILE = process.argv.includes('--profile');
const SETUP_LIMITS = {
  lockTimeoutMs: 600_000,
  statementTimeoutMs: 3_600_000,
  idleInTransactionTimeoutMs: 3_600_000,
  acquireTimeoutMs: 600_000,
};
/** Where the timers of the burst wait until they are made due all at once. */
const PARKED_FAR = Date.UTC(2100, 0, 1);
const BENCH_LOGIN = 'bench-timers';
const BENCH_PASSWORD = 'bench-timers-password';
/** Processes the API client moves during the burst. */
const MOVING_PROCESSES = 64;
const API_CONNECTIONS = 4;
/** How long after the last timer fired the API client keeps going, so late answers are counted. */
const ANSWER_GRACE_MS = 5000;

export const GOAL_SECONDS: Record<StoreKind, number> = { sqlite: 10, postgres: 20 };
export const GOAL_RSS_MB = 512;
export const GOAL_API_P99_MS = 300;

export interface TimerBenchResult {
  readonly waitingProcesses: number;
  readonly dueAtOnce: number;
  /** From the instant the timers fell due until none of them was left (includes the worker's poll interval). */
  readonly secondsToFireAll: number;
  readonly timersPerSecond: number;
  readonly fired: number;
  readonly completedProcesses: number;
  readonly parkedTimers: number;
  /** Peak resident memory of the server process while the burst fired, MiB, sampled every 100 ms. */
  readonly peakRssDuringBurstMiB: number;
  /** Peak resident memory of the server process over its whole life (start-up included), MiB. */
  readonly peakRssLifetimeMiB: number;
  /** CPU seconds (user + system, all threads) the server used from the due instant until all had fired. */
  readonly serverCpuSecondsDuringBurst: number;
  readonly api: {
    readonly route: string;
    readonly connections: number;
    readonly duringBurst: { readonly requests: number; readonly latencyMs: ReturnType<typeof latency> };
    readonly beforeBurst: { readonly requests: number; readonly latencyMs: ReturnType<typeof latency> };
    /** When the slowest request of the burst was sent and answered, against the due instant and the burst's end. */
    readonly slowestDuringBurst:
      | {
          readonly ms: number;
          readonly sentAfterDueMs: number;
          readonly answeredAfterDueMs: number;
          readonly lastTimerFiredAfterDueMs: number;
        }
      | undefined;
    readonly failedRequests: number;
  };
  readonly claimPlan: string;
  readonly claimUsesIndex: boolean;
  readonly setupSeconds: number;
  readonly serverStartSeconds: number;
  /** With `--profile`: where the server's busy time went over its life (start-up, the client, the burst). */
  readonly serverProfile?: ProfileSummary;
}

/** Inserts `total` sleeping copies of the model process; `due` of them wait at PARKED_FAR, the rest over a month. */
async function fillWaiting(store: Store, modelId: string, total: number, due: number, now: number) {
  const db = store.db;
  const started = performance.now();
  const elapsed = () => round3((performance.now() - started) / 1000);
  const copy = (ids: ReturnType<typeof sql>) => sql`
    insert into processes (id, definition_id, definition_version, status, stage_key, stage_state, visit, responsible_id,
      entered_at, note, counterparty_id, initiator_id, parent_id, paused_until, started_at, updated_at, completed_at, version)
    select ids.id, p.definition_id, p.definition_version, p.status, p.stage_key, p.stage_state, p.visit, p.responsible_id,
      p.entered_at, p.note, p.counterparty_id, p.initiator_id, p.parent_id, p.paused_until, p.started_at, p.updated_at,
      p.completed_at, p.version
    from (${ids}) as ids, processes p where p.id = ${modelId}`;
  const timers = sql`
    insert into timers (key, kind, process_id, due_at, deferred)
    select 'wait:' || id || ':w:1', 'wait', id,
      case when n <= ${due} then ${PARKED_FAR} else ${now + DAY} + (n % 30) * ${DAY} end, 0
    from (select id, row_number() over (order by id) as n from processes
          where definition_id = (select definition_id from processes where id = ${modelId}) and id <> ${modelId}) as numbered`;
  if (store.caps.name === 'postgres') {
    // Two statements side by side on two connections: the database's work, not ours, sets the pace.
    const half = Math.ceil(total / 2);
    await Promise.all(
      [
        { from: 1, to: half },
        { from: half + 1, to: total },
      ].map(({ from, to }) => copy(sql`select id from (${orderedIds(store, from, to)}) as o`).execute(db)),
    );
  } else {
    await store.transaction(async (tx) => {
      await copy(sql`select id from (${orderedIds(store, 1, total)}) as o`).execute(tx);
    });
  }
  log(`timers ${store.caps.name}: processes written (${elapsed()} s); writing their timers…`);
  await store.transaction((tx) => timers.execute(tx));
  log(`timers ${store.caps.name}: timers written (${elapsed()} s); analyze…`);
  await sql`analyze`.execute(db);
  log(`timers ${store.caps.name}: analysed (${elapsed()} s)`);
}

/** The claim query's plan, as the database explains it. */
async function claimPlan(store: Store, now: number, batchSize: number): Promise<string> {
  if (store.caps.name === 'postgres') {
    const rows = await sql<{ 'QUERY PLAN': string }>`
      explain select * from timers where due_at <= ${now} and parked_at is null
      order by due_at, key limit ${batchSize} for update skip locked`.execute(store.db);
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const rows = await sql<{ detail: string }>`
    explain query plan select * from timers where due_at <= ${now} and parked_at is null
    order by due_at, key limit ${batchSize}`.execute(store.db);
  return rows.rows.map((r) => r.detail).join('\n');
}

interface Prepared {
  readonly modelId: string;
  readonly movingIds: string[];
  readonly plan: string;
}

/** Employees, definitions, the model and the moving processes through the engine; the sleepers by SQL. */
export async function prepareDatabase(store: Store, waiting: number, due: number): Promise<Prepared> {
  const ctx = createEngineContext({ store, clock: systemClock });
  const admin = await createEmployee(ctx, {
    login: BENCH_LOGIN,
    name: 'Bench Timers',
    password: BENCH_PASSWORD,
    role: 'admin',
  });
  const actor = { id: admin.id, role: admin.role, name: admin.name };
  const sleep = await createDefinition(ctx, actor, {
    name: 'Sleep',
    stages: [
      { key: 'w', name: 'Wait', kind: 'start', wait: 'P1D' },
      { key: 'end', name: 'End', kind: 'end' },
    ],
    transitions: [{ from: 'w', to: 'end', result: 'Continue' }],
  });
  await publishDefinition(ctx, actor, sleep.id);
  const loop = await createDefinition(ctx, actor, loopDefinition(admin.id));
  await publishDefinition(ctx, actor, loop.id);
  const movingIds: string[] = [];
  for (let i = 0; i < MOVING_PROCESSES; i++)
    movingIds.push((await launchProcess(ctx, actor, { definitionId: loop.id })).id);
  const model = await launchProcess(ctx, actor, { definitionId: sleep.id });
  await store.db.deleteFrom('timers').where('process_id', '=', model.id).execute();
  log(`timers ${store.caps.name}: writing ${fmtInt(waiting)} waiting processes…`);
  await fillWaiting(store, model.id, waiting, due, Date.now());
  return { modelId: model.id, movingIds, plan: await claimPlan(store, Date.now(), 500) };
}

/** Counts of the burst's timers, from a connection of the bench's own. */
interface Watcher {
  /** Makes the burst's timers due at `at`. */
  release(at: number): Promise<number>;
  remaining(at: number): Promise<number>;
  parked(at: number): Promise<number>;
  completed(definitionOf: string): Promise<number>;
  close(): Promise<void>;
}

function sqliteWatcher(file: string): Watcher {
  const db = new BetterSqlite3(file);
  db.pragma('busy_timeout = 30000');
  const count = (statement: string, ...args: unknown[]) =>
    Number((db.prepare(statement).get(...args) as { n: number }).n);
  return {
    release: async (at) =>
      db.prepare('update timers set due_at = ? where due_at = ?').run(at, PARKED_FAR).changes,
    remaining: async (at) =>
      count('select count(*) as n from timers where due_at <= ? and parked_at is null', at),
    parked: async (at) =>
      count('select count(*) as n from timers where due_at <= ? and parked_at is not null', at),
    completed: async (modelId) =>
      count(
        `select count(*) as n from processes where status = 'completed'
         and definition_id = (select definition_id from processes where id = ?)`,
        modelId,
      ),
    close: async () => {
      db.close();
    },
  };
}

async function postgresWatcher(url: string): Promise<Watcher> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const count = async (text: string, values: unknown[]) =>
    Number((await client.query<{ n: string }>(text, values)).rows[0]!.n);
  return {
    release: async (at) =>
      (await client.query('update timers set due_at = $1 where due_at = $2', [at, PARKED_FAR])).rowCount ?? 0,
    remaining: (at) =>
      count('select count(*) as n from timers where due_at <= $1 and parked_at is null', [at]),
    parked: (at) =>
      count('select count(*) as n from timers where due_at <= $1 and parked_at is not null', [at]),
    completed: (modelId) =>
      count(
        `select count(*) as n from processes where status = 'completed'
         and definition_id = (select definition_id from processes where id = $1)`,
        [modelId],
      ),
    close: () => client.end(),
  };
}

const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function burst(
  kind: StoreKind,
  server: ChildServer,
  watcher: Watcher,
  prepared: Prepared,
  options: { waiting: number; due: number; limitSeconds: number },
): Promise<Omit<TimerBenchResult, 'claimPlan' | 'claimUsesIndex' | 'setupSeconds' | 'serverStartSeconds'>> {
  const session = await login(server.url, BENCH_LOGIN, BENCH_PASSWORD);
  const samples: { at: number; ms: number }[] = [];
  const pool = new ProcessPool(prepared.movingIds);
  const client = startMoves(server.url, session.cookie, pool, options.limitSeconds + 60, {
    connections: API_CONNECTIONS,
    onLatency: (ms) => samples.push({ at: Date.now(), ms }),
  });
  let peakRss = 0;
  const rssSampler = setInterval(() => {
    peakRss = Math.max(peakRss, server.rssMiB());
  }, 100);
  try {
    await sleepMs(3000);
    const releaseStarted = Date.now();
    const dueAt = releaseStarted + 500;
    const released = await watcher.release(dueAt);
    if (released !== options.due) throw new Error(`released ${released} timers, expected ${options.due}`);
    const releasedAt = Date.now();
    const cpuAtRelease = server.cpuSeconds();
    peakRss = server.rssMiB();
    log(`timers ${kind}: ${fmtInt(released)} timers due at once; the API client keeps moving`);
    let left = options.due;
    const limit = dueAt + options.limitSeconds * 1000;
    while (left > 0 && Date.now() < limit) {
      await sleepMs(100);
      left = await watcher.remaining(dueAt);
    }
    const allFiredAt = Date.now();
    const cpuDuringBurst = server.cpuSeconds() - cpuAtRelease;
    clearInterval(rssSampler);
    // Requests sent during the burst count however late they are answered: let them finish.
    await sleepMs(ANSWER_GRACE_MS);
    client.stop();
    const load = await client.done;
    const seconds = (allFiredAt - dueAt) / 1000;
    const fired = options.due - left;
    // Requests sent after the bench's own write committed and before the last timer fired.
    const duringSamples = samples.filter((s) => s.at - s.ms >= releasedAt && s.at - s.ms <= allFiredAt);
    const during = duringSamples.map((s) => s.ms);
    const slowest = duringSamples.reduce<(typeof samples)[number] | undefined>(
      (worst, s) => (worst === undefined || s.ms > worst.ms ? s : worst),
      undefined,
    );
    const before = samples.filter((s) => s.at < releaseStarted).map((s) => s.ms);
    return {
      waitingProcesses: options.waiting,
      dueAtOnce: options.due,
      secondsToFireAll: round3(seconds),
      timersPerSecond: Math.round(fired / seconds),
      fired,
      completedProcesses: await watcher.completed(prepared.modelId),
      parkedTimers: await watcher.parked(dueAt),
      peakRssDuringBurstMiB: peakRss,
      peakRssLifetimeMiB: server.peakRssMiB(),
      serverCpuSecondsDuringBurst: round3(cpuDuringBurst),
      api: {
        route: 'POST /api/processes/:id/stage (in_progress, then done)',
        connections: API_CONNECTIONS,
        duringBurst: { requests: during.length, latencyMs: latency(during) },
        slowestDuringBurst: slowest && {
          ms: round3(slowest.ms),
          sentAfterDueMs: Math.round(slowest.at - slowest.ms - dueAt),
          answeredAfterDueMs: Math.round(slowest.at - dueAt),
          lastTimerFiredAfterDueMs: allFiredAt - dueAt,
        },
        beforeBurst: { requests: before.length, latencyMs: latency(before) },
        failedRequests: load.non2xx + load.errors + load.timeouts,
      },
    };
  } finally {
    clearInterval(rssSampler);
    client.stop();
  }
}

export async function benchTimersOn(
  kind: StoreKind,
  options: { waiting: number; due: number; limitSeconds: number },
): Promise<TimerBenchResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stageflow-bench-timers-'));
  const database = kind === 'postgres' ? await freshPostgres() : undefined;
  const sqliteFile = path.join(dataDir, 'stageflow.db');
  try {
    const setupStart = performance.now();
    // Writing a million rows in one statement takes longer than the server's statement timeout.
    const store = await openStore(
      database ? { databaseUrl: database.url, limits: SETUP_LIMITS } : { sqliteFile },
    );
    let prepared: Prepared;
    try {
      prepared = await prepareDatabase(store, options.waiting, options.due);
    } finally {
      await store.close();
    }
    const setupSeconds = round3((performance.now() - setupStart) / 1000);
    const startStart = performance.now();
    const profileDir = PROFILE ? mkdtempSync(path.join(tmpdir(), 'stageflow-bench-prof-')) : undefined;
    const server = await startStageflow({
      databaseUrl: database?.url,
      dataDir,
      startTimeoutMs: 600_000,
      cpuProfileDir: profileDir,
    });
    const serverStartSeconds = round3((performance.now() - startStart) / 1000);
    let result: TimerBenchResult;
    try {
      const watcher = database ? await postgresWatcher(database.url) : sqliteWatcher(sqliteFile);
      try {
        const fired = await burst(kind, server, watcher, prepared, options);
        const plan = prepared.plan;
        const usesIndex =
          kind === 'postgres'
            ? /Index/.test(plan) && !/Seq Scan/.test(plan)
            : /USING (COVERING )?INDEX timers_due/.test(plan) && !/SCAN timers$/m.test(plan);
        log(
          `timers ${kind}: ${fmtInt(fired.fired)} fired in ${fired.secondsToFireAll} s, peak RSS ` +
            `${fired.peakRssDuringBurstMiB} MiB, API p99 ${fired.api.duringBurst.latencyMs.p99} ms during the burst`,
        );
        result = { ...fired, claimPlan: plan, claimUsesIndex: usesIndex, setupSeconds, serverStartSeconds };
      } finally {
        await watcher.close();
      }
    } finally {
      await server.stop();
    }
    if (!profileDir) return result;
    const serverProfile = busiestProfile(profileDir);
    rmSync(profileDir, { recursive: true, force: true });
    return serverProfile ? { ...result, serverProfile } : result;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}

const STORE_NAME: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

function timerFigures(kind: StoreKind, r: TimerBenchResult): Figure[] {
  const name = STORE_NAME[kind];
  const scale = `${fmtInt(r.dueAtOnce)} due among ${fmtInt(r.waitingProcesses)}`;
  const complete = r.fired === r.dueAtOnce;
  const mib = (n: number) => Math.round((n * 1024 * 1024) / 1e6);
  return [
    {
      figure: `timers, ${name}: ${scale} waiting processes, seconds until all fired`,
      value: `**${r.secondsToFireAll} s** (${fmtInt(r.timersPerSecond)}/s)`,
      goal: `≤ ${GOAL_SECONDS[kind]} s`,
      comparison: `claim plan ${r.claimUsesIndex ? 'uses the due index' : 'does NOT use the due index'}`,
      met: complete && r.secondsToFireAll <= GOAL_SECONDS[kind],
      note:
        (complete
          ? `from the due instant, the worker's 1 s poll included; ${fmtInt(r.completedProcesses)} processes completed; ` +
            `server CPU meanwhile ${r.serverCpuSecondsDuringBurst} s (user + system, all threads, the API client's requests included)`
          : `only ${fmtInt(r.fired)} of ${fmtInt(r.dueAtOnce)} fired within the time limit`) +
        (r.serverProfile
          ? `; PROFILED run: server busy time by place ${r.serverProfile.places
              .slice(0, 8)
              .map((p) => `${p.place} ${Math.round(p.share * 100)} %`)
              .join(', ')}`
          : ''),
    },
    {
      figure: `timers, ${name}: server RSS during the burst`,
      value: `**${mib(r.peakRssDuringBurstMiB)} MB** (${r.peakRssDuringBurstMiB} MiB)`,
      goal: `≤ ${GOAL_RSS_MB} MB`,
      comparison: `lifetime peak incl. start-up ${r.peakRssLifetimeMiB} MiB`,
      met: mib(r.peakRssDuringBurstMiB) <= GOAL_RSS_MB,
    },
    {
      figure: `timers, ${name}: API p99 during the burst (stage moves, ${r.api.connections} keep-alive clients)`,
      value: `**${r.api.duringBurst.latencyMs.p99} ms** (max ${r.api.duringBurst.latencyMs.max} ms, ${fmtInt(r.api.duringBurst.requests)} requests)`,
      goal: `≤ ${GOAL_API_P99_MS} ms`,
      comparison: `same client just before the burst: p99 ${r.api.beforeBurst.latencyMs.p99} ms`,
      met: r.api.failedRequests === 0 && r.api.duringBurst.latencyMs.p99 <= GOAL_API_P99_MS,
      note:
        [
          r.api.failedRequests > 0 ? `${r.api.failedRequests} requests failed` : '',
          r.api.slowestDuringBurst
            ? `the slowest request (${r.api.slowestDuringBurst.ms} ms) was sent ${r.api.slowestDuringBurst.sentAfterDueMs} ms ` +
              `after the due instant and answered at ${r.api.slowestDuringBurst.answeredAfterDueMs} ms; the last timer ` +
              `fired at ${r.api.slowestDuringBurst.lastTimerFiredAfterDueMs} ms (polled every 100 ms)`
            : '',
        ]
          .filter(Boolean)
          .join('; ') || undefined,
    },
  ];
}

export const timersSection: BenchSection = {
  name: 'timers',
  title: 'Timers: a burst of due timers among sleeping processes, on a running server',
  async run(options: BenchOptions): Promise<SectionAnswer> {
    const scale = options.quick
      ? { waiting: 100_000, due: 10_000, limitSeconds: 30 }
      : { waiting: 1_000_000, due: 100_000, limitSeconds: 120 };
    const data: Record<string, unknown> = { ...scale };
    const figures: Figure[] = [];
    for (const kind of options.stores) {
      try {
        const result = await benchTimersOn(kind, scale);
        data[kind] = result;
        figures.push(...timerFigures(kind, result));
      } catch (error) {
        log(`timers ${kind}: failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
        data[kind] = { error: String(error) };
        figures.push({
          figure: `timers, ${STORE_NAME[kind]}: seconds until all fired`,
          value: 'failed',
          goal: `≤ ${GOAL_SECONDS[kind]} s`,
          comparison: '—',
          met: false,
          note: String(error).slice(0, 300),
        });
      }
    }
    return {
      scale: options.quick
        ? 'QUICK: 10,000 due among 100,000 waiting processes (the goal is for 100,000 among 1,000,000)'
        : '',
      figures,
      data,
    };
  },
};
