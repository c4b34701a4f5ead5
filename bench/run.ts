/**
 * `npm run bench`: engine stage moves per second against the bare-SQL floor, on SQLite and on
 * PostgreSQL, each in a fresh database. Prints one JSON document to stdout; progress goes to stderr.
 *
 * The engine and the floor run in alternating rounds on the same database (the floor on the rows
 * the engine just moved), so both see the same WAL size, checkpoints and disk weather.
 *
 * Then (section `timers`) a million processes asleep on a wait stage with 100,000 falling due at
 * once: seconds and timers/s to fire them all, peak RSS, and the claim query's plan.
 *
 * Then (section `web`) in Chromium: opening and validating a 300-stage definition in the designer,
 * and the time to the journal's first rows over a million processes (SQLite).
 *
 * Knobs (environment): BENCH_SECTIONS=moves,timers,web  BENCH_WEB_PROCESSES=1000000  BENCH_TIMER_WAITING=1000000  BENCH_TIMER_DUE=100000
 * BENCH_STORES=sqlite,postgres  BENCH_SQLITE_PROCESSES=2000
 * BENCH_PG_PROCESSES=1000  BENCH_WARMUP=100  BENCH_ROUNDS=8
 * BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test
 */
import os from 'node:os';
import type { Store } from '../src/store/store.ts';
import { openStore } from '../src/store/store.ts';
import { freshPostgres, freshSqlite } from './databases.ts';
import {
  type EngineMovesResult,
  newEngineSamples,
  prepareEngineBench,
  summariseEngine,
} from './engine-moves.ts';
import {
  FLOOR_VARIANTS,
  type FloorDriver,
  type FloorResult,
  newFloorSamples,
  openPostgresFloor,
  openSqliteFloor,
  summariseFloor,
} from './sql-floor.ts';
import { log, round3 } from './stats.ts';
import { benchTimers, type TimerBenchResult } from './timers.ts';
import { benchWeb } from './web.ts';
import { MOVES_PER_PROCESS, STAGES } from './workload.ts';

type Kind = 'sqlite' | 'postgres';

const GOAL = 0.5;

const intEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

const stores = (process.env.BENCH_STORES ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is Kind => s === 'sqlite' || s === 'postgres');
const processes: Record<Kind, number> = {
  sqlite: intEnv('BENCH_SQLITE_PROCESSES', 2000),
  postgres: intEnv('BENCH_PG_PROCESSES', 1000),
};
const warmup = intEnv('BENCH_WARMUP', 100);
/** Which parts to run: `moves` (engine vs floor), `timers` (a million sleeping processes). */
const sections = new Set((process.env.BENCH_SECTIONS ?? 'moves,timers,web').split(',').map((s) => s.trim()));
const webProcesses = intEnv('BENCH_WEB_PROCESSES', 1_000_000);
const timerWaiting = intEnv('BENCH_TIMER_WAITING', 1_000_000);
const timerDue = intEnv('BENCH_TIMER_DUE', 100_000);
const rounds = intEnv('BENCH_ROUNDS', 8);

interface StoreFigures {
  readonly engine: EngineMovesResult;
  /** One version-checked UPDATE + one INSERT INTO protocol per transaction, raw driver. */
  readonly floor: FloorResult;
  /** The statements the engine sends per move, raw driver. */
  readonly engineStatementsRawDriver: FloorResult;
  readonly ratio: {
    /** engine moves/s ÷ floor transactions/s. */
    readonly movesToFloor: number;
    /** engine (launches + moves)/s ÷ floor transactions/s. */
    readonly movesIncludingLaunchToFloor: number;
    /** engine moves/s ÷ raw-driver transactions/s of the engine's own statements. */
    readonly movesToEngineStatementsRaw: number;
    /** floor p50 latency ÷ engine move p50 latency: the same ratio without the checkpoint tail. */
    readonly medianLatencyFloorToMove: number;
    readonly goal: number;
    readonly meetsGoal: boolean;
  };
}

/** Warm-up, then `rounds` × (engine block, then both floor variants on the rows it moved). */
async function measure(kind: Kind, store: Store, floor: FloorDriver): Promise<StoreFigures> {
  const engine = await prepareEngineBench(store);
  const warmRows = await engine.run(warmup);
  for (const variant of FLOOR_VARIANTS) await floor.run(variant, warmRows);
  log(`${kind}: warmed up (${warmup} processes, ${warmRows.length * MOVES_PER_PROCESS} floor transactions)`);

  const engineSamples = newEngineSamples();
  const floorSamples = { floor: newFloorSamples(), engineStatements: newFloorSamples() };
  const total = processes[kind];
  for (let r = 0; r < rounds; r++) {
    const share = Math.floor(total / rounds) + (r < total % rounds ? 1 : 0);
    const rows = await engine.run(share, engineSamples);
    // Alternate which variant follows the engine directly, so neither always inherits its WAL.
    const order = r % 2 === 0 ? FLOOR_VARIANTS : [...FLOOR_VARIANTS].reverse();
    for (const variant of order) await floor.run(variant, rows, floorSamples[variant]);
    log(`${kind}: round ${r + 1}/${rounds} done`);
  }

  const engineResult = summariseEngine(engineSamples);
  const floorResult = summariseFloor('floor', floorSamples.floor);
  const raw = summariseFloor('engineStatements', floorSamples.engineStatements);
  const movesToFloor = round3(engineResult.movesPerSecond / floorResult.transactionsPerSecond);
  log(
    `${kind}: engine ${engineResult.movesPerSecond} moves/s, floor ${floorResult.transactionsPerSecond} tx/s, ` +
      `ratio ${movesToFloor}`,
  );
  return {
    engine: engineResult,
    floor: floorResult,
    engineStatementsRawDriver: raw,
    ratio: {
      movesToFloor,
      movesIncludingLaunchToFloor: round3(
        engineResult.movesIncludingLaunchPerSecond / floorResult.transactionsPerSecond,
      ),
      movesToEngineStatementsRaw: round3(engineResult.movesPerSecond / raw.transactionsPerSecond),
      medianLatencyFloorToMove: round3(floorResult.latencyMs.p50 / engineResult.moveLatencyMs.p50),
      goal: GOAL,
      meetsGoal: movesToFloor >= GOAL,
    },
  };
}

async function benchSqlite(): Promise<StoreFigures> {
  const database = freshSqlite();
  log(`sqlite: ${database.file}`);
  try {
    const store = await openStore({ sqliteFile: database.file });
    try {
      const floor = openSqliteFloor(database.file);
      try {
        return await measure('sqlite', store, floor);
      } finally {
        await floor.close();
      }
    } finally {
      await store.close();
    }
  } finally {
    database.drop();
  }
}

async function benchPostgres(): Promise<StoreFigures> {
  const database = await freshPostgres();
  log(`postgres: ${database.url}`);
  try {
    // One pooled connection: the engine runs sequentially, like the floor's single client.
    const store = await openStore({ databaseUrl: database.url, poolSize: 1 });
    try {
      const floor = await openPostgresFloor(database.url);
      try {
        return await measure('postgres', store, floor);
      } finally {
        await floor.close();
      }
    } finally {
      await store.close();
    }
  } finally {
    await database.drop();
  }
}

/** A million sleeping processes, a tenth due at once, on a fresh database of the kind. */
async function benchTimersOn(kind: Kind): Promise<TimerBenchResult> {
  if (kind === 'sqlite') {
    const database = freshSqlite();
    const store = await openStore({ sqliteFile: database.file });
    try {
      return await benchTimers(store, { waiting: timerWaiting, due: timerDue, batchSize: 500 });
    } finally {
      await store.close();
      database.drop();
    }
  }
  const database = await freshPostgres();
  const store = await openStore({ databaseUrl: database.url });
  try {
    return await benchTimers(store, { waiting: timerWaiting, due: timerDue, batchSize: 500 });
  } finally {
    await store.close();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const cpus = os.cpus();
  const meta: Record<string, unknown> = {
    date: new Date(started).toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    stages: STAGES,
    movesPerProcess: MOVES_PER_PROCESS,
    processes: Object.fromEntries(stores.map((k) => [k, processes[k]])),
    warmupProcesses: warmup,
    rounds,
    mode: 'sequential, one connection each for the engine and the floor, used in turn',
  };
  const report: Record<string, unknown> = {
    benchmark: 'stageflow: engine stage moves vs the bare-SQL floor; durable timers at scale',
    meta,
  };
  const fail = (what: string, error: unknown) => {
    log(`${what}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
    return { error: String(error) };
  };
  if (sections.has('moves')) {
    for (const kind of stores) {
      try {
        report[kind] = kind === 'sqlite' ? await benchSqlite() : await benchPostgres();
      } catch (error) {
        report[kind] = fail(kind, error);
      }
    }
  }
  if (sections.has('timers')) {
    const timers: Record<string, unknown> = {};
    for (const kind of stores) {
      try {
        timers[kind] = await benchTimersOn(kind);
      } catch (error) {
        timers[kind] = fail(`${kind} timers`, error);
      }
    }
    report.timers = timers;
  }
  if (sections.has('web')) {
    try {
      report.web = await benchWeb({ processes: webProcesses, runs: 3 });
    } catch (error) {
      report.web = fail('web', error);
    }
  }
  meta.wallSeconds = round3((Date.now() - started) / 1000);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

await main();
