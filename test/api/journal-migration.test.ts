/**
 * A database that already holds processes when the journal's text index and counters arrive: the
 * migration fills both from the rows there, and the journal answers from them at once.
 */
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countByStatus, listProcesses } from '../../src/store/journal.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { openSqlite } from '../../src/store/sqlite.ts';
import { migrate, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const T = 1_700_000_000_000;

for (const kind of STORES) {
  describe(`${kind}: the journal migration on a database with processes`, () => {
    let database: TestDatabase;
    let store: Store;
    const admin = { id: 'e-admin', role: 'admin' } as const;
    const manager = { id: 'e-manager', role: 'manager' } as const;

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      store = database.databaseUrl
        ? openPostgres(database.databaseUrl, 2)
        : openSqlite(path.join(database.dataDir, 'stageflow.db'));
      const migrator = new Migrator({ db: store.db, provider: migrationProvider(store.caps) });
      const before = await migrator.migrateTo('003_timer_parking');
      expect(before.error).toBeUndefined();
      const db = store.db;
      await sql`insert into employees (id, login, name, role, password_hash, active, created_at) values
        ('e-admin', 'admin', 'Admin', 'admin', 'x', 1, ${T}),
        ('e-manager', 'maria', 'Maria', 'manager', 'x', 1, ${T})`.execute(db);
      await sql`insert into counterparties (id, name, created_at, updated_at)
        values ('c1', 'ООО Ромашка', ${T}, ${T})`.execute(db);
      await sql`insert into definitions (id, name, description, draft, status, version, draft_changed, created_at, updated_at)
        values ('d1', 'Intake', '', '{}', 'published', 1, 0, ${T}, ${T})`.execute(db);
      const rows: [string, string, string, string | null][] = [
        ['p1', 'active', 'Срочная ОТГРУЗКА', null],
        ['p2', 'completed', 'widgets for Friday', 'c1'],
        ['p3', 'active', '', null],
        ['p4', 'cancelled', 'other widgets', null],
      ];
      for (const [i, [id, status, note, counterparty]] of rows.entries()) {
        await sql`insert into processes (id, definition_id, definition_version, status, stage_key, stage_state,
            visit, responsible_id, entered_at, note, counterparty_id, initiator_id, parent_id, paused_until,
            started_at, updated_at, completed_at, version)
          values (${id}, 'd1', 1, ${status}, 's0', 'in_progress', 1, null, ${T}, ${note}, ${counterparty},
            'e-admin', null, null, ${T + i}, ${T + i}, null, 1)`.execute(db);
        await sql`insert into process_members (process_id, employee_id, role)
          values (${id}, 'e-admin', 'initiator')`.execute(db);
      }
      // The manager holds two roles in p1 and one in p2.
      await sql`insert into process_members (process_id, employee_id, role) values
        ('p1', 'e-manager', 'responsible'), ('p1', 'e-manager', 'view'), ('p2', 'e-manager', 'edit')`.execute(
        db,
      );
      await migrate(store);
    });
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });

    const search = async (viewer: typeof admin | typeof manager, q: string) =>
      (
        await listProcesses(store.db, store.caps, viewer, { q }, { sort: '-updatedAt', limit: 50, now: T })
      ).rows
        .map((r) => r.id)
        .sort();

    it('fills the text index from the existing notes and client names', async () => {
      expect(await search(admin, 'отгруз')).toEqual(['p1']);
      expect(await search(admin, 'WIDGETS')).toEqual(['p2', 'p4']);
      expect(await search(admin, 'ромаш')).toEqual(['p2']);
      expect(await search(manager, 'widgets')).toEqual(['p2']);
    });

    it('fills the counters from the existing processes and members', async () => {
      expect(await countByStatus(store.db, store.caps, admin, {}, T)).toEqual({
        active: 2,
        paused: 0,
        completed: 1,
        cancelled: 1,
      });
      expect(await countByStatus(store.db, store.caps, manager, { definitionId: 'd1' }, T)).toEqual({
        active: 1,
        paused: 0,
        completed: 1,
        cancelled: 0,
      });
    });
  });
}
