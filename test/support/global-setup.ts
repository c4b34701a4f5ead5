/** Fails fast, with the fix, when the PostgreSQL the tests need is not reachable. */
import pg from 'pg';
import { PG_ADMIN_URL, STORES } from './stores.ts';

export default async function setup(): Promise<void> {
  if (!STORES.includes('postgres')) return;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_ADMIN_URL} (${String(error)}). Start it with: ` +
        'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start — or run only SQLite with STORES=sqlite.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
