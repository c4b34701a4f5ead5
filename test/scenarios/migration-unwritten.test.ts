/**
 * A migration answer that writes nothing (a refusal) ends its transaction without committing it,
 * on both stores: it only read and locked the process, and on PostgreSQL committing that lock waits
 * for a flush to disk; a dry run opens none. The answers are the same either way; a move still
 * commits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createEngineContext, type EngineContext } from '../../src/context.ts';
import { launchProcess } from '../../src/engine/launch.ts';
import { moveStage } from '../../src/engine/move-stage.ts';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { createDefinition, publishDefinition, updateDefinition } from '../../src/services/definitions.ts';
import { createEmployee } from '../../src/services/employees.ts';
import { migrateProcesses } from '../../src/services/migrations.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const v1 = {
  stages: [
    { key: 'a', name: 'Start', kind: 'start' as const },
    {
      key: 'b',
      name: 'Offer',
      kind: 'normal' as const,
      task: { title: 'Write the offer', assignee: 'responsible' as const, blocking: true },
    },
    { key: 'end', name: 'End', kind: 'end' as const },
  ],
  transitions: [
    { from: 'a', to: 'b', result: 'toB' },
    { from: 'b', to: 'end', result: 'fin' },
  ],
};
const v2 = { ...v1, stages: v1.stages.map((s) => (s.key === 'a' ? { ...s, name: 'Start v2' } : s)) };

for (const kind of STORES) {
  describe(`${kind}: migration answers that write nothing`, () => {
    let db: TestDatabase;
    let store: Store;
    let ctx: EngineContext;
    let admin: Actor;
    /** How each transaction of the engine ended, in order. */
    const ends: ('commit' | 'rollback')[] = [];

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/stageflow.db` });
      const watched: Store = {
        ...store,
        async transaction(fn) {
          try {
            const value = await store.transaction(fn);
            ends.push('commit');
            return value;
          } catch (error) {
            ends.push('rollback');
            throw error;
          }
        },
      };
      ctx = createEngineContext({
        store: watched,
        clock: new ManualClock(Date.UTC(2026, 3, 1, 9, 0)),
        zone: 'Europe/Berlin',
      });
      const row = await createEmployee(ctx, {
        login: 'root',
        name: 'Root',
        password: 'root-password',
        role: 'admin',
      });
      admin = { id: row.id, role: 'admin', name: row.name };
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it('a dry run and a refusal roll back, a move commits, and the answers say what happened', async () => {
      const def = await createDefinition(ctx, admin, { name: 'Deal', ...v1 });
      await publishDefinition(ctx, admin, def.id);
      const atA = await launchProcess(ctx, admin, { definitionId: def.id });
      const atB = await launchProcess(ctx, admin, { definitionId: def.id });
      await moveStage(ctx, admin, atB.id, { state: 'done', result: 'toB' });
      await updateDefinition(ctx, admin, def.id, { name: 'Deal', ...v2 });
      await publishDefinition(ctx, admin, def.id);
      const request = { fromVersion: 1, toVersion: 2 };
      const byProcess = (items: { processId: string; outcome: string }[]) =>
        Object.fromEntries(items.map((i) => [i.processId, i.outcome]));

      ends.length = 0;
      const dry = await migrateProcesses(ctx, admin, def.id, { ...request, dryRun: true });
      expect(byProcess(dry.items)).toEqual({ [atA.id]: 'would_move', [atB.id]: 'refused' });
      // A dry run of many reads them a page at a time: no transaction, nothing locked or written.
      expect(ends).toEqual([]);
      const before = await store.db
        .selectFrom('processes')
        .select('definition_version')
        .where('definition_id', '=', def.id)
        .execute();
      expect(before.map((r) => Number(r.definition_version))).toEqual([1, 1]);

      ends.length = 0;
      const applied = await migrateProcesses(ctx, admin, def.id, request);
      expect(byProcess(applied.items)).toEqual({ [atA.id]: 'moved', [atB.id]: 'refused' });
      // Process ids order the answers and the transactions alike.
      expect(ends).toEqual(applied.items.map((i) => (i.outcome === 'moved' ? 'commit' : 'rollback')));

      const versions = await store.db
        .selectFrom('processes')
        .select(['id', 'definition_version'])
        .where('definition_id', '=', def.id)
        .execute();
      expect(Object.fromEntries(versions.map((r) => [r.id, Number(r.definition_version)]))).toEqual({
        [atA.id]: 2,
        [atB.id]: 1,
      });
    });
  });
}
