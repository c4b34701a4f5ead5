/**
 * Figure 2: the floor — the bare SQL one stage move needs, through the raw driver on the same
 * database and the same process rows the engine just moved: one transaction with one
 * version-checked UPDATE of the process row and one INSERT INTO protocol. SQLite: better-sqlite3
 * prepared statements between BEGIN IMMEDIATE and COMMIT, with the store's pragmas. PostgreSQL:
 * one pg.Client, BEGIN … COMMIT, named (server-side prepared) statements.
 *
 * The `minimal` variant is the same shape on the least a database can do: one version-checked
 * UPDATE of a 6-column table keyed by id and one INSERT into a log table, neither with a secondary
 * index (tables of their own, created on the same database, so the same WAL and disk).
 *
 * A third variant, `engineStatements`, sends through the same raw driver the statements the
 * engine itself sends for one move when the responsible stays the same (read the row, update it,
 * one 4-row protocol insert): the gap between it and the engine is the engine's own overhead,
 * the gap between it and the floor the cost of the extra SQL.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { walCheckpoints } from '../src/store/sqlite-checkpoints.ts';
import { latency, now, perSecond, round3 } from './stats.ts';
import { MOVES_PER_PROCESS, type ProcessTarget } from './workload.ts';

export type FloorVariant = 'minimal' | 'floor' | 'engineStatements';
export const FLOOR_VARIANTS: readonly FloorVariant[] = ['minimal', 'floor', 'engineStatements'];

/** Statements per transaction, BEGIN and COMMIT included. */
const STATEMENTS: Record<FloorVariant, number> = { minimal: 4, floor: 4, engineStatements: 5 };

/** The minimal floor's tables: 6 columns keyed by id, and a log without any index. */
const MINIMAL_TABLES = [
  `CREATE TABLE IF NOT EXISTS bench_minimal_process (id TEXT PRIMARY KEY, status TEXT NOT NULL,
    stage_key TEXT NOT NULL, stage_state TEXT NOT NULL, updated_at BIGINT NOT NULL, version INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS bench_minimal_log (process_id TEXT NOT NULL, at BIGINT NOT NULL,
    action TEXT NOT NULL, details TEXT NOT NULL)`,
];
const minimalUpdateSql = (p: Param) =>
  `UPDATE bench_minimal_process SET status = ${p(1)}, stage_key = ${p(2)}, stage_state = ${p(3)}, ` +
  `updated_at = ${p(4)}, version = version + 1 WHERE id = ${p(5)} AND version = ${p(6)}`;
const minimalInsertSql = (p: Param) =>
  `INSERT INTO bench_minimal_log (process_id, at, action, details) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})`;
const minimalSeedSql = (p: Param) =>
  `INSERT INTO bench_minimal_process (id, status, stage_key, stage_state, updated_at, version) ` +
  `VALUES (${p(1)}, 'active', 's0', 'not_started', 0, 0) ON CONFLICT (id) DO NOTHING`;

/**
 * The minimal floor works on rows of its own (seeded untimed, one per target) whose versions it
 * keeps itself, so it never moves the version of the engine's process rows.
 */
function minimalRunner(
  seed: (ids: readonly string[]) => Promise<void> | void,
  move: FloorTx,
): (targets: readonly ProcessTarget[], samples: FloorSamples) => Promise<void> {
  const versions = new Map<string, number>();
  return async (targets, samples) => {
    const fresh = targets.filter((t) => !versions.has(t.id)).map((t) => t.id);
    await seed(fresh);
    for (const id of fresh) versions.set(id, 0);
    const own = targets.map((t) => ({ id: t.id, version: versions.get(t.id)!, actorId: t.actorId }));
    await timed(own, samples, move);
    for (const t of own) versions.set(t.id, t.version);
  };
}

type FloorTx = (target: ProcessTarget, m: number) => unknown;
const minimalParams = (target: ProcessTarget, m: number) => {
  const at = Date.now();
  const stage = `s${m + 1}`;
  return {
    update: ['active', stage, 'not_started', at, target.id, target.version],
    insert: [target.id, at, 'transition', JSON.stringify({ stage })],
  };
};
/** The protocol rows a move writes: stage.started (passed through), stage.finished, transition, stage.entered. */
const ENGINE_PROTOCOL_ROWS = 4;
const ACTIONS = ['stage.started', 'stage.finished', 'transition', 'stage.entered'];

export interface FloorSamples {
  readonly durationsMs: number[];
  wallMs: number;
}

export const newFloorSamples = (): FloorSamples => ({ durationsMs: [], wallMs: 0 });

export interface FloorDriver {
  /** MOVES_PER_PROCESS transactions on each target in turn, timings added to `samples`. */
  run(variant: FloorVariant, targets: readonly ProcessTarget[], samples?: FloorSamples): Promise<void>;
  close(): Promise<void>;
}

export interface FloorResult {
  readonly statementsPerTransaction: number;
  readonly transactions: number;
  readonly seconds: number;
  readonly transactionsPerSecond: number;
  readonly latencyMs: ReturnType<typeof latency>;
}

export function summariseFloor(variant: FloorVariant, samples: FloorSamples): FloorResult {
  return {
    statementsPerTransaction: STATEMENTS[variant],
    transactions: samples.durationsMs.length,
    seconds: round3(samples.wallMs / 1000),
    transactionsPerSecond: perSecond(samples.durationsMs.length, samples.wallMs),
    latencyMs: latency(samples.durationsMs),
  };
}

type Param = (n: number) => string;
const sqliteParam: Param = () => '?';
const pgParam: Param = (n) => `$${n}`;

/** The same columns the engine's saveState writes. */
const updateSql = (p: Param) =>
  `UPDATE processes SET status = ${p(1)}, stage_key = ${p(2)}, stage_state = ${p(3)}, visit = visit + 1, ` +
  `responsible_id = ${p(4)}, entered_at = ${p(5)}, note = ${p(6)}, paused_until = NULL, completed_at = NULL, ` +
  `updated_at = ${p(7)}, version = version + 1 WHERE id = ${p(8)} AND version = ${p(9)}`;
const insertProtocolSql = (p: Param, rows: number) =>
  'INSERT INTO protocol (process_id, at, actor_id, action, details) VALUES ' +
  Array.from({ length: rows }, (_, r) => `(${[1, 2, 3, 4, 5].map((c) => p(r * 5 + c)).join(', ')})`).join(
    ', ',
  );
const selectSql = (p: Param) => `SELECT * FROM processes WHERE id = ${p(1)}`;

/** The parameters of one move's writes; `m` (the move's index on its process) picks the stage. */
function moveParams(target: ProcessTarget, m: number) {
  const at = Date.now();
  const stage = `s${m + 1}`;
  const details = JSON.stringify({ stage });
  return {
    update: ['active', stage, 'not_started', target.actorId, at, '', at, target.id, target.version],
    protocol: (rows: number) =>
      ACTIONS.slice(-rows).flatMap((action) => [target.id, at, target.actorId, action, details]),
  };
}

/** Runs `tx` MOVES_PER_PROCESS times per target, timing each; the version moves on after each. */
async function timed(targets: readonly ProcessTarget[], samples: FloorSamples, tx: FloorTx): Promise<void> {
  const start = now();
  for (const target of targets) {
    for (let m = 0; m < MOVES_PER_PROCESS; m++) {
      const t = now();
      const pending = tx(target, m);
      if (pending instanceof Promise) await pending;
      samples.durationsMs.push(now() - t);
      target.version++;
    }
  }
  samples.wallMs += now() - start;
}

export function openSqliteFloor(file: string): FloorDriver {
  const db = new BetterSqlite3(file);
  // The same settings as src/store/sqlite.ts.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // Checkpoints as the store schedules them: off the commit, in a worker of their own.
  const checkpoints = walCheckpoints(db, file);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const update = db.prepare(updateSql(sqliteParam));
  const insertOne = db.prepare(insertProtocolSql(sqliteParam, 1));
  const select = db.prepare(selectSql(sqliteParam));
  const insertMany = db.prepare(insertProtocolSql(sqliteParam, ENGINE_PROTOCOL_ROWS));
  for (const statement of MINIMAL_TABLES) db.exec(statement);
  const minimalUpdate = db.prepare(minimalUpdateSql(sqliteParam));
  const minimalInsert = db.prepare(minimalInsertSql(sqliteParam));
  const minimalSeed = db.prepare(minimalSeedSql(sqliteParam));
  const minimal = minimalRunner(
    (ids) => {
      db.transaction(() => {
        for (const id of ids) minimalSeed.run(id);
      })();
    },
    (target, m) => {
      const params = minimalParams(target, m);
      begin.run();
      if (minimalUpdate.run(params.update).changes !== 1)
        throw new Error(`version check failed on ${target.id}`);
      minimalInsert.run(params.insert);
      commit.run();
      checkpoints.afterCommit();
    },
  );

  const floor = (target: ProcessTarget, m: number) => {
    const params = moveParams(target, m);
    begin.run();
    if (update.run(params.update).changes !== 1) throw new Error(`version check failed on ${target.id}`);
    insertOne.run(params.protocol(1));
    commit.run();
    checkpoints.afterCommit();
  };
  const engineStatements = (target: ProcessTarget, m: number) => {
    const params = moveParams(target, m);
    begin.run();
    select.get(target.id);
    if (update.run(params.update).changes !== 1) throw new Error(`version check failed on ${target.id}`);
    insertMany.run(params.protocol(ENGINE_PROTOCOL_ROWS));
    commit.run();
    checkpoints.afterCommit();
  };
  return {
    // The loop awaits only to share `timed`; better-sqlite3 itself is synchronous.
    run: (variant, targets, samples = newFloorSamples()) =>
      variant === 'minimal'
        ? minimal(targets, samples)
        : timed(targets, samples, variant === 'floor' ? floor : engineStatements),
    close: async () => {
      await checkpoints.close();
      db.close();
    },
  };
}

export async function openPostgresFloor(url: string): Promise<FloorDriver> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const q = (name: string, text: string, values: unknown[]) => client.query({ name, text, values });
  const transaction = async (target: ProcessTarget, work: () => Promise<number | null>) => {
    await client.query('BEGIN');
    try {
      if ((await work()) !== 1) throw new Error(`version check failed on ${target.id}`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  };
  const floor = (target: ProcessTarget, m: number) =>
    transaction(target, async () => {
      const params = moveParams(target, m);
      const updated = await q('bench-update', updateSql(pgParam), params.update);
      await q('bench-protocol-1', insertProtocolSql(pgParam, 1), params.protocol(1));
      return updated.rowCount;
    });
  const engineStatements = (target: ProcessTarget, m: number) =>
    transaction(target, async () => {
      const params = moveParams(target, m);
      await q('bench-select', selectSql(pgParam), [target.id]);
      const updated = await q('bench-update', updateSql(pgParam), params.update);
      const rows = ENGINE_PROTOCOL_ROWS;
      await q(`bench-protocol-${rows}`, insertProtocolSql(pgParam, rows), params.protocol(rows));
      return updated.rowCount;
    });
  for (const statement of MINIMAL_TABLES) await client.query(statement);
  const minimal = minimalRunner(
    async (ids) => {
      if (ids.length === 0) return;
      await client.query(
        `INSERT INTO bench_minimal_process (id, status, stage_key, stage_state, updated_at, version)
         SELECT id, 'active', 's0', 'not_started', 0, 0 FROM unnest($1::text[]) AS id ON CONFLICT (id) DO NOTHING`,
        [ids],
      );
    },
    (target, m) =>
      transaction(target, async () => {
        const params = minimalParams(target, m);
        const updated = await q('bench-minimal-update', minimalUpdateSql(pgParam), params.update);
        await q('bench-minimal-insert', minimalInsertSql(pgParam), params.insert);
        return updated.rowCount;
      }),
  );
  return {
    run: (variant, targets, samples = newFloorSamples()) =>
      variant === 'minimal'
        ? minimal(targets, samples)
        : timed(targets, samples, variant === 'floor' ? floor : engineStatements),
    close: () => client.end(),
  };
}
