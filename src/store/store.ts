/**
 * The one Store interface over both SQL back ends. Reads go through `db`; every change goes through
 * `transaction()`, so a state change and the rows that record it commit together or not at all.
 */
import { type Kysely, Migrator } from 'kysely';
import type { DialectCapabilities } from './capabilities.ts';
import { migrationProvider } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface Store {
  readonly caps: DialectCapabilities;
  /** For reads outside a transaction. Never use it inside `transaction()`'s callback. */
  readonly db: Db;
  /** Runs `fn` in one write transaction (SQLite: BEGIN IMMEDIATE) and commits, or rolls back on throw. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Messages between app nodes sharing the database (PostgreSQL LISTEN/NOTIFY); absent for SQLite. */
  readonly pubsub?: PubSub | undefined;
  close(): Promise<void>;
}

export interface PubSub {
  publish(channel: string, payload: string): Promise<void>;
  /** Calls `handler` for every message on the channel, from any node; resolves once listening. */
  subscribe(channel: string, handler: (payload: string) => void): Promise<void>;
}

/**
 * Bounds on every PostgreSQL connection, so no request can hold a node hostage: a lock waited on
 * too long, a statement that runs away, or a transaction left idle all end in an error (answered
 * 503) instead of a queue that never moves. A request that finds the pool full waits at most
 * `acquireTimeoutMs`.
 */
export interface PostgresLimits {
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly idleInTransactionTimeoutMs: number;
  readonly acquireTimeoutMs: number;
}

export interface StoreConfig {
  /** `postgres://…` for PostgreSQL; unset for embedded SQLite. */
  readonly databaseUrl?: string | undefined;
  /** SQLite database file (`:memory:` allowed). */
  readonly sqliteFile?: string | undefined;
  /** PostgreSQL pool size. */
  readonly poolSize?: number | undefined;
  /** PostgreSQL per-connection bounds; defaults when unset. */
  readonly limits?: PostgresLimits | undefined;
}

/** Opens the configured store and runs pending migrations. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const store = config.databaseUrl
    ? (await import('./postgres.ts')).openPostgres(config.databaseUrl, config.poolSize ?? 10, config.limits)
    : (await import('./sqlite.ts')).openSqlite(config.sqliteFile ?? ':memory:');
  await migrate(store);
  return store;
}

/** Brings the schema up to date; safe to run on every start and from several nodes at once. */
export async function migrate(store: Store): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider(store.caps) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}

/** Whether an error is a unique-key violation, in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Whether an error is the database being momentarily busy (a retry may succeed). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_BUSY_SNAPSHOT' ||
    code === '40001' ||
    code === '40P01' ||
    // lock_timeout, statement_timeout (query_canceled), idle_in_transaction_session_timeout
    code === '55P03' ||
    code === '57014' ||
    code === '25P03'
  );
}

/** Whether an error is the pool finding no free connection within its acquire timeout. */
export function isPoolExhausted(error: unknown): boolean {
  return error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message);
}

/** Whether an error is the database being out of reach (down, restarting, refusing connections). */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' || // admin_shutdown
    code === '57P02' || // crash_shutdown
    code === '57P03' || // cannot_connect_now
    code === '53300' || // too_many_connections
    (error instanceof Error &&
      /Connection terminated|connection error and is not queryable|not queryable/i.test(error.message))
  );
}
