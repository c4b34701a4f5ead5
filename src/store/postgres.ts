/** PostgreSQL through pg: the production back end, shared by several stateless app nodes. */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { POSTGRES_CAPABILITIES } from './capabilities.ts';
import { guardedDialect, withinTransaction } from './pool-guard.ts';
import { isPlanChanged, nameStatementsOf } from './prepared-statements.ts';
import type { Database } from './schema.ts';
import type { Db, PostgresLimits, PubSub, Store } from './store.ts';

// int8 (bigint) columns hold epoch milliseconds and counts, all within Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export const DEFAULT_POSTGRES_LIMITS: PostgresLimits = {
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 15_000,
  acquireTimeoutMs: 5_000,
};

export function openPostgres(
  url: string,
  poolSize: number,
  limits: PostgresLimits = DEFAULT_POSTGRES_LIMITS,
): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: limits.acquireTimeoutMs,
    lock_timeout: limits.lockTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
  });
  // No JIT compilation: it costs some 100 ms on each statement planned above `jit_above_cost`
  // (an aggregate over tens of thousands of index entries, as in stage analytics), several times
  // what such a statement takes to run; short statements never gain from it. Set on each new
  // connection rather than as a startup option (`-c jit=off`), which PgBouncer and some managed
  // poolers refuse; the client runs its queries in order, so this one precedes the first.
  pool.on('connect', (client) => {
    client.query('set jit = off').catch(() => undefined);
  });
  // An idle pooled connection the server ends (restart, idle timeout, failover) is an 'error' on the
  // pool; unheard, it would crash the process. The pool drops that client and connects anew on demand.
  pool.on('error', () => undefined);
  // A connection checked out and between queries can be ended by the server too (the
  // idle-in-transaction timeout, a terminated backend); pg then emits 'error' on the client, which
  // unheard would crash the node. Its next query fails instead, and that transaction rolls back.
  pool.on('connect', (client) => client.on('error', () => undefined));
  // Hot statements go by name: parsed (and mostly planned) once per connection.
  pool.on('connect', nameStatementsOf);
  const connections = trackConnections(pool);
  const db = new Kysely<Database>({ dialect: guardedDialect(new PostgresDialect({ pool })) });
  const bus = listenBus(url, pool);
  return {
    caps: POSTGRES_CAPABILITIES,
    db,
    pubsub: bus.pubsub,
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      // Two transactions that lock the same rows in opposite orders (a manual resume and the
      // automatic one) can deadlock; PostgreSQL aborts one, which runs again from the start (as
      // does one that met a prepared statement the schema changed under).
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().execute((tx) => withinTransaction(() => fn(tx)));
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
        }
      }
    },
    async close() {
      await bus.close();
      await db.destroy();
      await connections.allClosed();
    },
  };
}

/** Attempts of a transaction that deadlocked or failed to serialise. */
const MAX_ATTEMPTS = 3;

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // A prepared statement the schema changed under: the next attempt runs unnamed.
  return code === '40P01' || code === '40001' || isPlanChanged(error);
}

/** Longest wait in close() for the server to see our connections go. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * pool.end() resolves once it has asked its connections to close, not once they have: whoever
 * drops or restarts the database right after close() would still meet our sessions (and they
 * would report being terminated). This waits until every connection has really ended.
 */
function trackConnections(pool: pg.Pool): { allClosed(): Promise<void> } {
  const open = new Set<pg.PoolClient>();
  pool.on('connect', (client) => open.add(client));
  pool.on('remove', (client) => open.delete(client));
  return {
    allClosed() {
      if (open.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        timer.unref();
        pool.on('remove', () => {
          if (open.size > 0) return;
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/** How long to wait before listening again after the listening connection was lost. */
const RELISTEN_DELAY_MS = 1000;

/**
 * LISTEN on one dedicated connection (opened on first subscribe), NOTIFY through the pool. When the
 * listening connection is lost (a database restart, a failover), it connects and listens again.
 */
function listenBus(url: string, pool: pg.Pool): { pubsub: PubSub; close(): Promise<void> } {
  const handlers = new Map<string, ((payload: string) => void)[]>();
  let listener: Promise<pg.Client> | undefined;
  let closed = false;
  const listen = (client: pg.Client, channel: string) =>
    client.query(`listen "${channel.replace(/"/g, '')}"`);
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (msg) => {
      for (const handler of handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
    });
    client.on('error', () => undefined);
    client.on('end', () => {
      if (closed) return;
      listener = undefined;
      setTimeout(() => void relisten(), RELISTEN_DELAY_MS).unref();
    });
    await client.connect();
    return client;
  };
  const relisten = async (): Promise<void> => {
    if (closed || listener) return;
    listener = connect();
    try {
      const client = await listener;
      for (const channel of handlers.keys()) await listen(client, channel);
    } catch {
      listener = undefined;
      if (!closed) setTimeout(() => void relisten(), RELISTEN_DELAY_MS).unref();
    }
  };
  return {
    pubsub: {
      async publish(channel, payload) {
        await pool.query('select pg_notify($1, $2)', [channel, payload]);
      },
      async subscribe(channel, handler) {
        listener ??= connect();
        const client = await listener;
        const list = handlers.get(channel) ?? [];
        if (list.length === 0) await listen(client, channel);
        list.push(handler);
        handlers.set(channel, list);
      },
    },
    async close() {
      closed = true;
      if (listener) await (await listener).end().catch(() => undefined);
    },
  };
}
