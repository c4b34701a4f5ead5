/** PostgreSQL through pg: the production back end, shared by several stateless app nodes. */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { POSTGRES_CAPABILITIES } from './capabilities.ts';
import type { Database } from './schema.ts';
import type { Db, Store } from './store.ts';

// int8 (bigint) columns hold epoch milliseconds and counts, all within Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function openPostgres(url: string, poolSize: number): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    caps: POSTGRES_CAPABILITIES,
    db,
    transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      return db.transaction().execute(fn);
    },
    close: () => db.destroy(),
  };
}
