/**
 * Section `moves`: engine stage moves per second in-process against two bare-SQL floors, on
 * SQLite and on PostgreSQL, each in a fresh database: the minimal floor (a 6-column table and an
 * unindexed log) and the own-schema floor (one UPDATE of `processes` + one INSERT INTO `protocol`).
 *
 * The engine and the floors run in alternating rounds on the same database (the floors on the rows
 * the engine just moved), so all see the same WAL size, checkpoints and disk weather.
 */
import { openStore, type Store } from '../src/store/store.ts';
import { freshPostgres, freshSqlite } from './databases.ts';
import {
  type EngineMovesResult,
  newEngineSamples,
  prepareEngineBench,
  summariseEngine,
} from './engine-moves.ts';
import type { BenchOptions, BenchSection, Figure, SectionAnswer, StoreKind } from './sections.ts';
import { fmtInt, fmtRatio } from './sections.ts';
import {
  FLOOR_VARIANTS,
  type FloorDriver,
  type FloorResult,
  type FloorVariant,
  newFloorSamples,
  openPostgresFloor,
  openSqliteFloor,
  summariseFloor,
} from './sql-floor.ts';
import { log, round3 } from './stats.ts';
import { MOVES_PER_PROCESS } from './workload.ts';

/** engine moves/s ÷ minimal floor tx/s, and ÷ own-schema floor tx/s. */
export const MINIMAL_GOAL = 0.35;
export const OWN_SCHEMA_GOAL = 0.8;

export interface StoreFigures {
  readonly engine: EngineMovesResult;
  /** One version-checked UPDATE of a 6-column table + one INSERT, no secondary index. */
  readonly minimalFloor: FloorResult;
  /** One version-checked UPDATE of `processes` + one INSERT INTO `protocol`, raw driver. */
  readonly ownSchemaFloor: FloorResult;
  /** The statements the engine sends per move, raw driver. */
  readonly engineStatementsRawDriver: FloorResult;
  readonly ratio: {
    readonly movesToMinimalFloor: number;
    readonly movesToOwnSchemaFloor: number;
    /** engine moves/s ÷ raw-driver transactions/s of the engine's own statements. */
    readonly movesToEngineStatementsRaw: number;
    /** own-schema floor p50 latency ÷ engine move p50 latency: the ratio without the checkpoint tail. */
    readonly medianLatencyFloorToMove: number;
  };
}

interface Scale {
  readonly processes: Record<StoreKind, number>;
  readonly warmup: number;
  readonly rounds: number;
}

/** Warm-up, then `rounds` × (engine block, then every floor variant on the rows it moved). */
async function measure(
  kind: StoreKind,
  store: Store,
  floor: FloorDriver,
  scale: Scale,
): Promise<StoreFigures> {
  const engine = await prepareEngineBench(store);
  const warmRows = await engine.run(scale.warmup);
  for (const variant of FLOOR_VARIANTS) await floor.run(variant, warmRows);
  log(`moves ${kind}: warmed up (${scale.warmup} processes)`);

  const engineSamples = newEngineSamples();
  const floorSamples = Object.fromEntries(FLOOR_VARIANTS.map((v) => [v, newFloorSamples()])) as Record<
    FloorVariant,
    ReturnType<typeof newFloorSamples>
  >;
  const total = scale.processes[kind];
  for (let r = 0; r < scale.rounds; r++) {
    const share = Math.floor(total / scale.rounds) + (r < total % scale.rounds ? 1 : 0);
    const rows = await engine.run(share, engineSamples);
    // Rotate which variant follows the engine directly, so none always inherits its WAL.
    const order = FLOOR_VARIANTS.map((_, i) => FLOOR_VARIANTS[(i + r) % FLOOR_VARIANTS.length]!);
    for (const variant of order) await floor.run(variant, rows, floorSamples[variant]);
    log(`moves ${kind}: round ${r + 1}/${scale.rounds} done`);
  }

  const engineResult = summariseEngine(engineSamples);
  const minimal = summariseFloor('minimal', floorSamples.minimal);
  const own = summariseFloor('floor', floorSamples.floor);
  const raw = summariseFloor('engineStatements', floorSamples.engineStatements);
  const figures: StoreFigures = {
    engine: engineResult,
    minimalFloor: minimal,
    ownSchemaFloor: own,
    engineStatementsRawDriver: raw,
    ratio: {
      movesToMinimalFloor: round3(engineResult.movesPerSecond / minimal.transactionsPerSecond),
      movesToOwnSchemaFloor: round3(engineResult.movesPerSecond / own.transactionsPerSecond),
      movesToEngineStatementsRaw: round3(engineResult.movesPerSecond / raw.transactionsPerSecond),
      medianLatencyFloorToMove: round3(own.latencyMs.p50 / engineResult.moveLatencyMs.p50),
    },
  };
  log(
    `moves ${kind}: engine ${engineResult.movesPerSecond} moves/s, minimal floor ${minimal.transactionsPerSecond} tx/s, ` +
      `own-schema floor ${own.transactionsPerSecond} tx/s`,
  );
  return figures;
}

async function benchStore(kind: StoreKind, scale: Scale): Promise<StoreFigures> {
  if (kind === 'sqlite') {
    const database = freshSqlite();
    try {
      const store = await openStore({ sqliteFile: database.file });
      try {
        const floor = openSqliteFloor(database.file);
        try {
          return await measure(kind, store, floor, scale);
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
  const database = await freshPostgres();
  try {
    // One pooled connection: the engine runs sequentially, like the floor's single client.
    const store = await openStore({ databaseUrl: database.url, poolSize: 1 });
    try {
      const floor = await openPostgresFloor(database.url);
      try {
        return await measure(kind, store, floor, scale);
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

const STORE_NAME: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

function movesFigures(kind: StoreKind, f: StoreFigures): Figure[] {
  const name = STORE_NAME[kind];
  const engine = f.engine.movesPerSecond;
  return [
    {
      figure: `engine in-process, ${name}: moves/s ÷ minimal floor (6-column UPDATE + INSERT, no secondary index)`,
      value: `${fmtInt(engine)} ÷ ${fmtInt(f.minimalFloor.transactionsPerSecond)} = **${fmtRatio(f.ratio.movesToMinimalFloor)}**`,
      goal: `≥ ${MINIMAL_GOAL}`,
      comparison: `minimal floor ${fmtInt(f.minimalFloor.transactionsPerSecond)} tx/s, same database, alternating rounds`,
      met: f.ratio.movesToMinimalFloor >= MINIMAL_GOAL,
      note: `move p50 ${f.engine.moveLatencyMs.p50} ms, p99 ${f.engine.moveLatencyMs.p99} ms`,
    },
    {
      figure: `engine in-process, ${name}: moves/s ÷ own-schema floor (UPDATE processes + INSERT protocol)`,
      value: `${fmtInt(engine)} ÷ ${fmtInt(f.ownSchemaFloor.transactionsPerSecond)} = **${fmtRatio(f.ratio.movesToOwnSchemaFloor)}**`,
      goal: `≥ ${OWN_SCHEMA_GOAL}`,
      comparison: `own-schema floor ${fmtInt(f.ownSchemaFloor.transactionsPerSecond)} tx/s; the engine's own statements on the raw driver ${fmtInt(f.engineStatementsRawDriver.transactionsPerSecond)} tx/s`,
      met: f.ratio.movesToOwnSchemaFloor >= OWN_SCHEMA_GOAL,
    },
  ];
}

export const movesSection: BenchSection = {
  name: 'moves',
  title: 'Engine in-process: stage moves vs the bare-SQL floors',
  async run(options: BenchOptions): Promise<SectionAnswer> {
    const scale: Scale = options.quick
      ? { processes: { sqlite: 400, postgres: 150 }, warmup: 30, rounds: 3 }
      : { processes: { sqlite: 2000, postgres: 1000 }, warmup: 100, rounds: 8 };
    const data: Record<string, unknown> = {
      processes: scale.processes,
      movesPerProcess: MOVES_PER_PROCESS,
      warmupProcesses: scale.warmup,
      rounds: scale.rounds,
      mode: 'sequential, one connection each for the engine and the floors, used in turn',
    };
    const figures: Figure[] = [];
    for (const kind of options.stores) {
      try {
        const result = await benchStore(kind, scale);
        data[kind] = result;
        figures.push(...movesFigures(kind, result));
      } catch (error) {
        log(`moves ${kind}: failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
        data[kind] = { error: String(error) };
        figures.push({
          figure: `engine in-process, ${STORE_NAME[kind]}: moves/s ÷ floors`,
          value: 'failed',
          goal: `≥ ${MINIMAL_GOAL} / ≥ ${OWN_SCHEMA_GOAL}`,
          comparison: '—',
          met: false,
          note: String(error).slice(0, 300),
        });
      }
    }
    return {
      scale: options.quick
        ? `${scale.processes.sqlite} SQLite / ${scale.processes.postgres} PostgreSQL processes (full: 2,000 / 1,000)`
        : '',
      figures,
      data,
    };
  },
};
