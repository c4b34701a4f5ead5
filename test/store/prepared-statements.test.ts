/**
 * A command's hot statements on PostgreSQL go as named prepared statements, kept per connection;
 * on both stores a command still works once the schema changed under those statements (a column
 * added to `processes` by another node's migration, which makes PostgreSQL refuse a prepared
 * `select p.*` once).
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createEngineContext, type EngineContext } from '../../src/context.ts';
import { launchProcess } from '../../src/engine/launch.ts';
import { moveStage } from '../../src/engine/move-stage.ts';
import { createDefinition, publishDefinition } from '../../src/services/definitions.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createAdminActor } from '../support/actors.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

for (const kind of STORES) {
  describe(`${kind}: hot statements prepared once`, () => {
    let db: TestDatabase;
    let store: Store;
    let ctx: EngineContext;
    let admin: Actor;
    let definitionId: string;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      // One pooled connection, so that every statement runs on the connection the test looks at.
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/t.db`, poolSize: 1 });
      ctx = createEngineContext({ store, clock: { now: () => Date.now() } });
      admin = await createAdminActor(ctx, 'prepared-admin');
      const def = await createDefinition(ctx, admin, {
        name: 'Three',
        stages: [
          { key: 'a', name: 'A', kind: 'start' },
          { key: 'b', name: 'B', kind: 'normal' },
          { key: 'c', name: 'C', kind: 'end' },
        ],
        transitions: [
          { from: 'a', to: 'b', result: 'On' },
          { from: 'b', to: 'c', result: 'Done' },
        ],
      });
      definitionId = def.id;
      await publishDefinition(ctx, admin, definitionId);
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    async function moveThrough(processId: string, result: string) {
      await moveStage(ctx, admin, processId, { state: 'in_progress' });
      return moveStage(ctx, admin, processId, { state: 'done', result });
    }

    if (kind === 'postgres') {
      it('keeps the command statements prepared on the connection and runs them by name again', async () => {
        const prepared = async () => {
          const { rows } = await store.transaction((tx) =>
            sql<{
              name: string;
              statement: string;
            }>`select name, statement from pg_prepared_statements`.execute(tx),
          );
          return rows;
        };
        const first = await launchProcess(ctx, admin, { definitionId });
        await moveThrough(first.id, 'On');
        const after = await prepared();
        const ours = after.filter((s) => s.name.startsWith('stageflow_'));
        // The command's read of the process with the caller's access, and its writes sent together.
        expect(ours.some((s) => s.statement.includes('"viewer_may_edit"'))).toBe(true);
        expect(ours.some((s) => s.statement.startsWith('with updated as (update "processes"'))).toBe(true);
        // A second process of the same kind adds no statement: the same ones ran by name.
        const second = await launchProcess(ctx, admin, { definitionId });
        await moveThrough(second.id, 'On');
        const again = (await prepared()).filter((s) => s.name.startsWith('stageflow_'));
        expect(again.map((s) => s.name).sort()).toEqual(ours.map((s) => s.name).sort());
      });
    }

    it('moves a process on after a column was added to processes under the running node', async () => {
      const row = await launchProcess(ctx, admin, { definitionId });
      await moveThrough(row.id, 'On');
      // Another node's migration: a column more on the table the prepared reads select all of.
      if (kind === 'postgres') {
        const other = new pg.Client({ connectionString: db.databaseUrl });
        await other.connect();
        await other.query('alter table processes add column added_later integer');
        await other.end();
      } else {
        await store.transaction((tx) =>
          tx.schema.alterTable('processes').addColumn('added_later', 'integer').execute(),
        );
      }
      const done = await moveThrough(row.id, 'Done');
      expect(done.status).toBe('completed');
      expect(done.stage_key).toBe('c');
      // And the next process goes the whole way as well.
      const next = await launchProcess(ctx, admin, { definitionId });
      await moveThrough(next.id, 'On');
      expect((await moveThrough(next.id, 'Done')).status).toBe('completed');
    });
  });
}
