/**
 * The stage route under load, as users reach it: a real server (`tsx src/cli.ts start`, fresh
 * DATA_DIR or a fresh PostgreSQL database), real login (the session cookie), 512 processes of a
 * simple definition, then 16 keep-alive autocannon connections moving them. A move is two requests,
 * `POST /api/processes/:id/stage {state: "in_progress"}` then `{state: "done"}`, sent with the
 * session of the stages' responsible. In the same run the same client, with the same requests,
 * loads a do-nothing Node `http` server; the figure is the ratio of the two.
 *
 * The definition is the 6-stage line of the engine figure with one way back (the last normal
 * stage may go "Again" to the first), so a process never runs out of moves and every move is a
 * real transition with its protocol rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cpuSecondsBetween, cpuSecondsByPid } from './cpu.ts';
import { freshPostgres, postgresBackendPids } from './databases.ts';
import { busiestProfile, type ProfileSummary } from './profile.ts';
import {
  type BenchOptions,
  type BenchSection,
  type Figure,
  fmtInt,
  fmtRatio,
  type SectionAnswer,
  type StoreKind,
} from './sections.ts';
import {
  BENCH_ADMIN_PASSWORD,
  type ChildServer,
  inParallel,
  login,
  startDoNothing,
  startStageflow,
} from './server.ts';
import { latency, log, round3 } from './stats.ts';
import { STAGES } from './workload.ts';

export const HTTP_PROCESSES = 512;
/** `--profile`: the server runs under `--cpu-prof` (its figures then include the profiler's cost). */
const PROFILE = process.argv.includes('--profile');
export const HTTP_CONNECTIONS = 16;
const MANAGER_PASSWORD = 'bench-manager-password';

/** The last normal stage, from which a process goes "Again" to the first normal stage. */
const LOOP_FROM = STAGES - 2;

export function loopDefinition(responsibleId: string) {
  const stages = Array.from({ length: STAGES }, (_, i) => ({
    key: `s${i}`,
    name: `Stage ${i}`,
    kind: i === 0 ? ('start' as const) : i === STAGES - 1 ? ('end' as const) : ('normal' as const),
    ...(i === STAGES - 1 ? {} : { responsibles: [responsibleId] }),
  }));
  const transitions = stages.slice(1).map((s, i) => ({ from: `s${i}`, to: s.key, result: 'Next' }));
  transitions.push({ from: `s${LOOP_FROM}`, to: 's1', result: 'Again' });
  return { name: 'Bench loop', stages, transitions };
}

/**
 * The processes being moved and the stage each is on: a process is out of the queue while a
 * connection moves it and comes back only when its `done` answered 2xx, so a run that ends
 * mid-move never leaves the pool believing a stage the server does not have.
 */
export class ProcessPool {
  readonly #queue: { id: string; stage: number }[];
  moves = 0;
  dropped = 0;
  constructor(ids: readonly string[]) {
    this.#queue = ids.map((id) => ({ id, stage: 0 }));
  }
  take() {
    return this.#queue.shift();
  }
  moved(process: { id: string; stage: number }) {
    this.moves++;
    process.stage = process.stage === LOOP_FROM ? 1 : process.stage + 1;
    this.#queue.push(process);
  }
  drop() {
    this.dropped++;
  }
}

export interface LoadResult {
  readonly seconds: number;
  readonly requests: number;
  readonly moves: number;
  readonly movesPerSecond: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: ReturnType<typeof latency>;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Record<string, number>;
  readonly droppedProcesses: number;
}

/** 16 autocannon connections moving the pool's processes for `seconds` against `url`. */
export function loadMoves(
  url: string,
  cookie: string,
  pool: ProcessPool,
  seconds: number,
): Promise<LoadResult> {
  return startMoves(url, cookie, pool, seconds).done;
}

export interface RunningLoad {
  /** Ends the run early; `done` then answers what was measured so far. */
  stop(): void;
  readonly done: Promise<LoadResult>;
}

/** Starts autocannon moving the pool's processes; each response time also goes to `onLatency`. */
export function startMoves(
  url: string,
  cookie: string,
  pool: ProcessPool,
  seconds: number,
  options: { connections?: number; onLatency?: (ms: number) => void } = {},
): RunningLoad {
  const movesBefore = pool.moves;
  const droppedBefore = pool.dropped;
  const headers = { 'content-type': 'application/json', cookie };
  const durations: number[] = [];
  let instance: ReturnType<typeof autocannon> | undefined;
  const done = new Promise<LoadResult>((resolve, reject) => {
    instance = autocannon(
      {
        url,
        connections: options.connections ?? HTTP_CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            headers,
            setupRequest(request, context) {
              const process = pool.take();
              if (!process) throw new Error('no process free to move');
              context.process = process;
              return {
                ...request,
                path: `/api/processes/${process.id}/stage`,
                body: '{"state":"in_progress"}',
              };
            },
            onResponse(status, _body, context) {
              if (status >= 300) context.failed = true;
            },
          },
          {
            method: 'POST',
            headers,
            setupRequest(request, context) {
              const process = context.process as { id: string; stage: number };
              if (context.failed) {
                pool.drop();
                return null;
              }
              const result = process.stage === LOOP_FROM ? 'Again' : 'Next';
              return {
                ...request,
                path: `/api/processes/${process.id}/stage`,
                body: `{"state":"done","result":"${result}"}`,
              };
            },
            onResponse(status, _body, context) {
              const process = context.process as { id: string; stage: number };
              if (status < 300) pool.moved(process);
              else pool.drop();
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const statusCodes = Object.fromEntries(
          Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]),
        );
        const total = Object.values(statusCodes).reduce((a, b) => a + b, 0);
        const moves = pool.moves - movesBefore;
        resolve({
          seconds: result.duration,
          requests: total,
          moves,
          movesPerSecond: Math.round(moves / result.duration),
          requestsPerSecond: Math.round(total / result.duration),
          latencyMs: latency(durations),
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
          droppedProcesses: pool.dropped - droppedBefore,
        });
      },
    );
    // Per-request response times at sub-millisecond resolution (autocannon's own table is whole ms).
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      durations.push(responseTime);
      options.onLatency?.(responseTime);
    });
  });
  return { stop: () => instance?.stop(), done };
}

export interface PreparedServer {
  readonly server: ChildServer;
  readonly cookie: string;
  readonly processIds: string[];
  readonly prepareSeconds: number;
}

/** Admin logs in, creates the manager and the definition; the manager logs in and launches the processes. */
export async function prepareServer(server: ChildServer, processes: number): Promise<PreparedServer> {
  const started = performance.now();
  const admin = await login(server.url, 'admin', BENCH_ADMIN_PASSWORD);
  const manager = await admin.call('POST', '/api/employees', {
    login: 'bench-manager',
    name: 'Bench Manager',
    password: MANAGER_PASSWORD,
    role: 'manager',
  });
  const definition = await admin.call('POST', '/api/definitions', loopDefinition(manager.id));
  if (!definition.validation?.valid)
    throw new Error(`bench definition invalid: ${JSON.stringify(definition.validation)}`);
  await admin.call('POST', `/api/definitions/${definition.id}/publish`, {});
  const session = await login(server.url, 'bench-manager', MANAGER_PASSWORD);
  const cards = await inParallel(
    Array.from({ length: processes }, (_, i) => i),
    8,
    (i) =>
      session.call<{ id: string }>('POST', '/api/processes', {
        definitionId: definition.id,
        note: `bench ${i}`,
      }),
  );
  return {
    server,
    cookie: session.cookie,
    processIds: cards.map((c) => c.id),
    prepareSeconds: round3((performance.now() - started) / 1000),
  };
}

export interface HttpStoreResult {
  readonly processes: number;
  readonly connections: number;
  readonly prepareSeconds: number;
  readonly stageflow: LoadResult;
  readonly doNothing: LoadResult;
  readonly serverPeakRssMiB: number;
  /**
   * CPU time a request cost during the measured load: the serving process (all its threads), and on
   * PostgreSQL its database backends (read from /proc; the database runs on this machine).
   */
  readonly cpu: { readonly serverMsPerRequest: number; readonly databaseMsPerRequest?: number };
  /** Stageflow moves/s ÷ do-nothing moves/s. */
  readonly ratio: number;
  /** Stageflow p99 ÷ do-nothing p99. */
  readonly p99Ratio: number;
  /** With `--profile`: where the server's busy time went over its whole life (set-up, warm-up and load). */
  readonly serverProfile?: ProfileSummary;
}

async function benchStore(kind: StoreKind, seconds: number, warmSeconds: number): Promise<HttpStoreResult> {
  const database = kind === 'postgres' ? await freshPostgres() : undefined;
  try {
    const profileDir = PROFILE ? mkdtempSync(path.join(tmpdir(), 'stageflow-bench-prof-')) : undefined;
    const server = await startStageflow({ databaseUrl: database?.url, cpuProfileDir: profileDir });
    const measured = await (async () => {
      try {
        const prepared = await prepareServer(server, HTTP_PROCESSES);
        log(`http ${kind}: ${HTTP_PROCESSES} processes ready in ${prepared.prepareSeconds} s; warming up`);
        const pool = new ProcessPool(prepared.processIds);
        await loadMoves(server.url, prepared.cookie, pool, warmSeconds);
        // Database CPU: the backends serving the load, read after it too, since the pool may open more.
        const databaseCpu = async () =>
          database ? cpuSecondsByPid(await postgresBackendPids(database.url)) : undefined;
        const cpuBefore = { server: server.cpuSeconds(), database: await databaseCpu() };
        const load = await loadMoves(server.url, prepared.cookie, pool, seconds);
        const perRequestMs = (s: number) => round3((s * 1000) / Math.max(1, load.requests));
        const databaseSeconds = cpuSecondsBetween(cpuBefore.database, await databaseCpu());
        const cpu = {
          serverMsPerRequest: perRequestMs(server.cpuSeconds() - cpuBefore.server),
          ...(databaseSeconds === null ? {} : { databaseMsPerRequest: perRequestMs(databaseSeconds) }),
        };
        log(
          `http ${kind}: stageflow ${load.movesPerSecond} moves/s, p50 ${load.latencyMs.p50} ms, ` +
            `p99 ${load.latencyMs.p99} ms, non-2xx ${load.non2xx}, errors ${load.errors}, ` +
            `CPU a request: server ${cpu.serverMsPerRequest} ms` +
            (cpu.databaseMsPerRequest === undefined ? '' : `, PostgreSQL ${cpu.databaseMsPerRequest} ms`),
        );
        return { prepared, load, cpu, peak: server.peakRssMiB() };
      } finally {
        await server.stop();
      }
    })();
    const { prepared, load: stageflow, cpu } = measured;
    const profile = profileDir ? busiestProfile(profileDir) : undefined;
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    const noop = await startDoNothing();
    const doNothing = await (async () => {
      try {
        const pool = new ProcessPool(prepared.processIds);
        await loadMoves(noop.url, prepared.cookie, pool, Math.min(2, warmSeconds));
        return await loadMoves(noop.url, prepared.cookie, pool, seconds);
      } finally {
        await noop.stop();
      }
    })();
    log(
      `http ${kind}: do-nothing ${doNothing.movesPerSecond} moves/s, p50 ${doNothing.latencyMs.p50} ms, ` +
        `p99 ${doNothing.latencyMs.p99} ms`,
    );
    return {
      processes: HTTP_PROCESSES,
      connections: HTTP_CONNECTIONS,
      prepareSeconds: prepared.prepareSeconds,
      stageflow,
      doNothing,
      serverPeakRssMiB: measured.peak,
      cpu,
      ...(profile ? { serverProfile: profile } : {}),
      ratio: round3(stageflow.movesPerSecond / doNothing.movesPerSecond),
      p99Ratio: round3(stageflow.latencyMs.p99 / doNothing.latencyMs.p99),
    };
  } finally {
    await database?.drop();
  }
}

const STORE_NAME: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
const RATIO_GOAL: Record<StoreKind, number> = { sqlite: 0.5, postgres: 0.25 };
const P99_GOAL = 3;

function httpFigures(kind: StoreKind, r: HttpStoreResult): Figure[] {
  const name = STORE_NAME[kind];
  const s = r.stageflow;
  const d = r.doNothing;
  const failed = s.non2xx + s.errors + s.timeouts;
  const failures =
    failed > 0
      ? `; ${failed} of ${fmtInt(s.requests)} requests failed (${JSON.stringify(s.statusCodes)})`
      : '';
  return [
    {
      figure: `HTTP stage moves, ${r.connections} keep-alive clients, ${r.processes} processes, ${name}: moves/s ÷ do-nothing server`,
      value: `${fmtInt(s.movesPerSecond)} ÷ ${fmtInt(d.movesPerSecond)} = **${fmtRatio(r.ratio)}**`,
      goal: `≥ ${RATIO_GOAL[kind]}`,
      comparison: `do-nothing Node http server, same client: ${fmtInt(d.movesPerSecond)} moves/s`,
      met: failed === 0 && r.ratio >= RATIO_GOAL[kind],
      note:
        `p50 ${s.latencyMs.p50} ms vs ${d.latencyMs.p50} ms${failures}; CPU a request: server ` +
        `${r.cpu.serverMsPerRequest} ms` +
        (r.cpu.databaseMsPerRequest === undefined
          ? ''
          : `, PostgreSQL backends ${r.cpu.databaseMsPerRequest} ms`) +
        (r.serverProfile
          ? `; PROFILED run (figures include the profiler's cost): server busy time by place ${r.serverProfile.places
              .slice(0, 8)
              .map((p) => `${p.place} ${Math.round(p.share * 100)} %`)
              .join(', ')}`
          : ''),
    },
    {
      figure: `HTTP stage moves, ${name}: p99 ÷ do-nothing p99`,
      value: `${s.latencyMs.p99} ms ÷ ${d.latencyMs.p99} ms = **${fmtRatio(r.p99Ratio)}×**`,
      goal: kind === 'sqlite' ? `≤ ${P99_GOAL}×` : `— (${P99_GOAL}× on SQLite)`,
      comparison: `do-nothing p99 ${d.latencyMs.p99} ms`,
      met: kind === 'sqlite' ? r.p99Ratio <= P99_GOAL : null,
    },
  ];
}

export const httpSection: BenchSection = {
  name: 'http',
  title: 'HTTP: the stage route under 16 keep-alive clients, vs a do-nothing server',
  async run(options: BenchOptions): Promise<SectionAnswer> {
    const seconds = options.quick ? 6 : 30;
    const warm = options.quick ? 2 : 5;
    const data: Partial<Record<StoreKind, HttpStoreResult | { error: string }>> = {};
    const figures: Figure[] = [];
    for (const kind of options.stores) {
      try {
        const result = await benchStore(kind, seconds, warm);
        data[kind] = result;
        figures.push(...httpFigures(kind, result));
      } catch (error) {
        log(`http ${kind}: failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
        data[kind] = { error: String(error) };
        figures.push({
          figure: `HTTP stage moves, ${STORE_NAME[kind]}: moves/s ÷ do-nothing server`,
          value: 'failed',
          goal: `≥ ${RATIO_GOAL[kind]}`,
          comparison: '—',
          met: false,
          note: String(error).slice(0, 300),
        });
      }
    }
    return {
      scale: options.quick ? `${seconds} s per load run (full: 30 s)` : '',
      figures,
      data: { secondsPerRun: seconds, warmUpSeconds: warm, ...data },
    };
  },
};
