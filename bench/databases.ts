/** Fresh, throw-away databases for one benchmark run: a SQLite file in a temp dir, a new PostgreSQL database. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { Store } from '../src/store/store.ts';

/** The server the PostgreSQL benchmark database is created on (and dropped from afterwards). */
export const PG_ADMIN_URL =
  process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchSqlite {
  readonly file: string;
  drop(): void;
}

export function freshSqlite(): BenchSqlite {
  const dir = mkdtempSync(path.join(tmpdir(), 'stageflow-bench-'));
  return { file: path.join(dir, 'bench.db'), drop: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface BenchPostgres {
  readonly url: string;
  drop(): Promise<void>;
}

export async function freshPostgres(): Promise<BenchPostgres> {
  const name = `stageflow_bench_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)),
  };
}

async function admin(work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** The PostgreSQL backends now connected to the database at `url`, the asking one left out. */
export async function postgresBackendPids(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return rows.map((r) => Number(r.pid));
  } finally {
    await client.end();
  }
}

interface NumberedId {
  readonly n: number;
  readonly id: string;
}

/**
 * `select n, id` for n from `from` to `to`: ids shaped as the application's own (UUIDv7) that
 * increase with n, as those do in the order processes are launched (they lead with the time). Bulk
 * copies written with them add to each index at one end; random ids sent every row to a random
 * page of every index, and the set-up then took most of a full run (220 s for a million processes
 * on SQLite on a slower host).
 */
export function orderedIds(store: Store, from: number, to: number) {
  const prefix = uuidv7().slice(0, 13);
  return store.caps.name === 'postgres'
    ? sql<NumberedId>`select n, ${prefix}::text || '-7000-8000-' || lpad(to_hex(n), 12, '0') as id
        from generate_series(${from}::int, ${to}::int) as n`
    : sql<NumberedId>`with recursive s(n) as (select ${from} union all select n + 1 from s where n < ${to})
        select n, printf('%s-7000-8000-%012x', ${prefix}, n) as id from s`;
}
