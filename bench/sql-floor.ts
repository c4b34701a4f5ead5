/**
 * Figure 2: the floor — the bare SQL one stage move needs, through the raw driver on the same
 * database the engine just used: one transaction with one version-checked UPDATE of an existing
 * process row and one INSERT INTO protocol. SQLite: better-sqlite3 prepared statements between
 * BEGIN IMMEDIATE and COMMIT. PostgreSQL: one pg.Client, BEGIN … COMMIT, named prepared statements.
 *
 * A second variant, `engineStatements`, sends through the same raw driver the statements the
 * engine itself sends for one move (read the row, update it, one multi-row protocol insert, the
 * member upsert): the gap between it and the engine is the engine's own (JavaScript) overhead.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { MOVES_PER_PROCESS } from './engine-moves.ts';
import { latency, log, now, perSecond, round3 } from './stats.ts';

export type FloorVariant = 'floor' | 'engineStatements';

export interface FloorResult {
  readonly variant: FloorVariant;
  /** Statements per transaction, BEGIN and COMMIT included. */
  readonly statementsPerTransaction: number;
  readonly transactions: number;
  readonly seconds: number;
  readonly transactionsPerSecond: number;
  readonly latencyMs: ReturnType<typeof latency>;
}

export interface FloorOptions {
  readonly transactions: number;
  readonly warmup: number;
}

interface Target {
  readonly id: string;
  version: number;
  readonly actorId: string;
}

const UPDATE_SQL = (p: (n: number) => string) =>
  `UPDATE processes SET status = ${p(1)}, stage_key = ${p(2)}, stage_state = ${p(3)}, visit = visit + 1, ` +
  `responsible_id = ${p(4)}, entered_at = ${p(5)}, note = ${p(6)}, paused_until = NULL, completed_at = NULL, ` +
  `updated_at = ${p(7)}, version = version + 1 WHERE id = ${p(8)} AND version = ${p(9)}`;
const INSERT_PROTOCOL_SQL = (p: (n: number) => string, rows: number) =>
  'INSERT INTO protocol (process_id, at, actor_id, action, details) VALUES ' +
  Array.from({ length: rows }, (_, r) => `(${[1, 2, 3, 4, 5].map((c) => p(r * 5 + c)).join(', ')})`).join(
    ', ',
  );
const SELECT_SQL = (p: (n: number) => string) => `SELECT * FROM processes WHERE id = ${p(1)}`;
const INSERT_MEMBER_SQL = (p: (n: number) => string) =>
  `INSERT INTO process_members (process_id, employee_id, role) VALUES (${p(1)}, ${p(2)}, ${p(3)}) ` +
  'ON CONFLICT (process_id, employee_id, role) DO NOTHING';
/** The protocol rows a move writes: started (passed through), finished, transition, entered. */
const ENGINE_PROTOCOL_ROWS = 4;

const sqliteParam = () => '?';
const pgParam = (n: number) => `$${n}`;

/** The values of one move's writes; `t` is the move's index, which picks the stage. */
function moveValues(target: Target, t: number) {
  const at = Date.now();
  const stage = `s${(t % MOVES_PER_PROCESS) + 1}`;
  const update = ['active', stage, 'not_started', target.actorId, at, '', at, target.id, target.version];
  const protocolRow = (action: string) => [target.id, at, target.actorId, action, JSON.stringify({ stage })];
  return { update, protocolRow };
}

function protocolRows(protocolRow: (action: string) => unknown[], count: number): unknown[] {
  return ['stage.started', 'stage.finished', 'transition', 'stage.entered']
    .slice(0, count)
    .flatMap(protocolRow);
}

function summarise(
  variant: FloorVariant,
  statements: number,
  durations: number[],
  totalMs: number,
): FloorResult {
  return {
    variant,
    statementsPerTransaction: statements,
    transactions: durations.length,
    seconds: round3(totalMs / 1000),
    transactionsPerSecond: perSecond(durations.length, totalMs),
    latencyMs: latency(durations),
  };
}

/** Cycles through the targets, MOVES_PER_PROCESS transactions on each before the next, like the engine. */
const targetOf = (targets: readonly Target[], t: number) =>
  targets[Math.floor(t / MOVES_PER_PROCESS) % targets.length]!;

export function floorSqlite(file: string, options: FloorOptions): FloorResult[] {
  const db = new BetterSqlite3(file);
  // The same settings as src/store/sqlite.ts.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  try {
    const targets = db
      .prepare('SELECT id, version, initiator_id AS actorId FROM processes ORDER BY started_at, id')
      .all() as Target[];
    if (targets.length === 0) throw new Error('no process rows to update');
    const begin = db.prepare('BEGIN IMMEDIATE');
    const commit = db.prepare('COMMIT');
    const update = db.prepare(UPDATE_SQL(sqliteParam));
    const insertOne = db.prepare(INSERT_PROTOCOL_SQL(sqliteParam, 1));
    const select = db.prepare(SELECT_SQL(sqliteParam));
    const insertMany = db.prepare(INSERT_PROTOCOL_SQL(sqliteParam, ENGINE_PROTOCOL_ROWS));
    const insertMember = db.prepare(INSERT_MEMBER_SQL(sqliteParam));

    const move = (variant: FloorVariant, t: number) => {
      const target = targetOf(targets, t);
      const { update: u, protocolRow } = moveValues(target, t);
      begin.run();
      if (variant === 'engineStatements') select.get(target.id);
      if (update.run(u).changes !== 1) throw new Error(`version check failed on ${target.id}`);
      if (variant === 'floor') insertOne.run(protocolRow('stage.entered'));
      else {
        insertMany.run(protocolRows(protocolRow, ENGINE_PROTOCOL_ROWS));
        insertMember.run(target.id, target.actorId, 'responsible');
      }
      commit.run();
      target.version++;
    };

    const results: FloorResult[] = [];
    let t = 0;
    for (const variant of ['floor', 'engineStatements'] as const) {
      for (let i = 0; i < options.warmup; i++) move(variant, t++);
      const durations: number[] = [];
      const start = now();
      for (let i = 0; i < options.transactions; i++) {
        const s = now();
        move(variant, t++);
        durations.push(now() - s);
      }
      const result = summarise(variant, variant === 'floor' ? 4 : 6, durations, now() - start);
      log(`sqlite: ${variant} ${result.transactionsPerSecond} tx/s`);
      results.push(result);
    }
    return results;
  } finally {
    db.close();
  }
}

export async function floorPostgres(url: string, options: FloorOptions): Promise<FloorResult[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; version: number; actorid: string }>(
      'SELECT id, version, initiator_id AS actorid FROM processes ORDER BY started_at, id',
    );
    const targets: Target[] = rows.map((r) => ({ id: r.id, version: Number(r.version), actorId: r.actorid }));
    if (targets.length === 0) throw new Error('no process rows to update');
    const q = (name: string, text: string, values: unknown[]) => client.query({ name, text, values });

    const move = async (variant: FloorVariant, t: number) => {
      const target = targetOf(targets, t);
      const { update, protocolRow } = moveValues(target, t);
      await client.query('BEGIN');
      try {
        if (variant === 'engineStatements') await q('bench-select', SELECT_SQL(pgParam), [target.id]);
        const updated = await q('bench-update', UPDATE_SQL(pgParam), update);
        if (updated.rowCount !== 1) throw new Error(`version check failed on ${target.id}`);
        if (variant === 'floor')
          await q('bench-protocol-1', INSERT_PROTOCOL_SQL(pgParam, 1), protocolRow('stage.entered'));
        else {
          await q(
            'bench-protocol-n',
            INSERT_PROTOCOL_SQL(pgParam, ENGINE_PROTOCOL_ROWS),
            protocolRows(protocolRow, ENGINE_PROTOCOL_ROWS),
          );
          await q('bench-member', INSERT_MEMBER_SQL(pgParam), [target.id, target.actorId, 'responsible']);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      target.version++;
    };

    const results: FloorResult[] = [];
    let t = 0;
    for (const variant of ['floor', 'engineStatements'] as const) {
      for (let i = 0; i < options.warmup; i++) await move(variant, t++);
      const durations: number[] = [];
      const start = now();
      for (let i = 0; i < options.transactions; i++) {
        const s = now();
        await move(variant, t++);
        durations.push(now() - s);
      }
      const result = summarise(variant, variant === 'floor' ? 4 : 6, durations, now() - start);
      log(`postgres: ${variant} ${result.transactionsPerSecond} tx/s`);
      results.push(result);
    }
    return results;
  } finally {
    await client.end();
  }
}
