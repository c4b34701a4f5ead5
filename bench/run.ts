/**
 * `npm run bench`: engine stage moves per second against the bare-SQL floor, on SQLite and on
 * PostgreSQL, each in a fresh database. Prints one JSON document to stdout; progress goes to stderr.
 *
 * Knobs (environment): BENCH_STORES=sqlite,postgres  BENCH_SQLITE_PROCESSES=2000
 * BENCH_PG_PROCESSES=1000  BENCH_WARMUP=100  BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test
 */
import os from 'node:os';
import { openStore } from '../src/store/store.ts';
import { freshPostgres, freshSqlite } from './databases.ts';
import { benchEngineMoves, type EngineMovesResult, MOVES_PER_PROCESS, STAGES } from './engine-moves.ts';
import { type FloorResult, floorPostgres, floorSqlite } from './sql-floor.ts';
import { log, round3 } from './stats.ts';

type Kind = 'sqlite' | 'postgres';

const GOAL = 0.5;
const FLOOR_WARMUP = 500;

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

interface StoreFigures {
  readonly engine: EngineMovesResult;
  readonly floor: FloorResult;
  readonly engineStatementsRawDriver: FloorResult;
  readonly ratio: {
    /** engine moves/s ÷ floor transactions/s. */
    readonly movesToFloor: number;
    /** engine (moves + launches)/s ÷ floor transactions/s. */
    readonly movesIncludingLaunchToFloor: number;
    /** engine moves/s ÷ the raw driver running the engine's own statements. */
    readonly movesToEngineStatementsRaw: number;
    readonly goal: number;
    readonly meetsGoal: boolean;
  };
}

function figures(engine: EngineMovesResult, floors: FloorResult[]): StoreFigures {
  const floor = floors.find((f) => f.variant === 'floor')!;
  const raw = floors.find((f) => f.variant === 'engineStatements')!;
  const movesToFloor = round3(engine.movesPerSecond / floor.transactionsPerSecond);
  return {
    engine,
    floor,
    engineStatementsRawDriver: raw,
    ratio: {
      movesToFloor,
      movesIncludingLaunchToFloor: round3(engine.movesIncludingLaunchPerSecond / floor.transactionsPerSecond),
      movesToEngineStatementsRaw: round3(engine.movesPerSecond / raw.transactionsPerSecond),
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
    let engine: EngineMovesResult;
    try {
      engine = await benchEngineMoves(store, { processes: processes.sqlite, warmup });
    } finally {
      await store.close();
    }
    const floors = floorSqlite(database.file, { transactions: engine.moves, warmup: FLOOR_WARMUP });
    return figures(engine, floors);
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
    let engine: EngineMovesResult;
    try {
      engine = await benchEngineMoves(store, { processes: processes.postgres, warmup });
    } finally {
      await store.close();
    }
    const floors = await floorPostgres(database.url, { transactions: engine.moves, warmup: FLOOR_WARMUP });
    return figures(engine, floors);
  } finally {
    await database.drop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const cpus = os.cpus();
  const report: Record<string, unknown> = {
    benchmark: 'stageflow engine stage moves vs bare-SQL floor',
    meta: {
      date: new Date(started).toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpuCount: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      stages: STAGES,
      movesPerProcess: MOVES_PER_PROCESS,
      processes: Object.fromEntries(stores.map((k) => [k, processes[k]])),
      warmupProcesses: warmup,
      floorWarmupTransactions: FLOOR_WARMUP,
      mode: 'sequential, one connection',
    },
  };
  for (const kind of stores) {
    try {
      report[kind] = kind === 'sqlite' ? await benchSqlite() : await benchPostgres();
    } catch (error) {
      log(`${kind}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      report[kind] = { error: String(error) };
      process.exitCode = 1;
    }
  }
  (report.meta as Record<string, unknown>).wallSeconds = round3((Date.now() - started) / 1000);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

await main();
