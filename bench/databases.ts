/** Fresh, throw-away databases for one benchmark run: a SQLite file in a temp dir, a new PostgreSQL database. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

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
