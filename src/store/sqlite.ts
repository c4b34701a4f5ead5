/** Embedded SQLite through better-sqlite3: WAL, a busy timeout, and BEGIN IMMEDIATE write transactions. */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { SQLITE_CAPABILITIES } from './capabilities.ts';
import { guardedDialect, withinTransaction } from './pool-guard.ts';
import type { Database } from './schema.ts';
import { type CheckpointSchedule, walCheckpoints } from './sqlite-checkpoints.ts';
import type { Db, Store } from './store.ts';

const STATEMENT_CACHE_SIZE = 1000;
/**
 * The serving connection's page cache. SQLite's default (2 MiB) holds a sliver of a journal's
 * dozen indexes at a million processes, so each stage move read most index pages it changes back
 * from the file; 64 MiB keeps their upper levels and recent pages. Pages are allocated as used.
 */
const PAGE_CACHE_KIB = 64 * 1024;

/**
 * better-sqlite3 behind Kysely's SqliteDatabase interface, with prepared statements cached by
 * their SQL: Kysely prepares on every query, and preparing costs more than running a small one.
 */
function cachedDatabase(raw: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (!statement) {
        statement = raw.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

/** `checkpoints`: when the WAL is copied into the database (sqlite-checkpoints.ts); the default suits a server. */
export function openSqlite(file: string, checkpoints?: CheckpointSchedule): Store {
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  raw.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  const schedule = walCheckpoints(raw, file, checkpoints);
  // SQLite's own lower() folds ASCII only; text search must ignore case in every script (Cyrillic too).
  raw.function('lower', { deterministic: true }, (v: unknown) =>
    typeof v === 'string' ? v.toLowerCase() : v,
  );
  const db = new Kysely<Database>({
    dialect: guardedDialect(new SqliteDialect({ database: cachedDatabase(raw) })),
  });
  const begin = raw.prepare('begin immediate');
  const commit = raw.prepare('commit');
  const rollback = raw.prepare('rollback');
  return {
    caps: SQLITE_CAPABILITIES,
    db,
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      // A deferred transaction that reads then writes can fail with SQLITE_BUSY whatever the
      // timeout; IMMEDIATE takes the write lock up front. The held connection serialises callers.
      // BEGIN/COMMIT go straight to their prepared statements: through Kysely each would be
      // compiled and queued like a query, a measurable share of a short transaction.
      return db.connection().execute(async (conn) => {
        begin.run();
        let result: T;
        try {
          result = await withinTransaction(() => fn(conn));
          commit.run();
        } catch (error) {
          if (raw.inTransaction) rollback.run();
          throw error;
        }
        // Committed: a failing checkpoint step (an I/O error) must not report the transaction failed.
        try {
          schedule.afterCommit();
        } catch (error) {
          process.emitWarning(`WAL checkpoint after a commit failed: ${String(error)}`, 'StageflowWarning');
        }
        return result;
      });
    },
    async close() {
      await schedule.close();
      await db.destroy();
    },
  };
}
