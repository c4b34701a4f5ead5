/**
 * Processes updated several at a time (timers fired in a batch): one statement per set of changed
 * columns updates exactly the processes still at the version they were read at, bumps their
 * versions, writes nulls, and leaves the others (and every column not named) as they were. And
 * the rows that record changes, written many in one statement: each value as given, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineContext } from '../../src/context.ts';
import { launchProcess } from '../../src/engine/launch.ts';
import { ManualClock } from '../../src/scheduler/clock.ts';
import { createDefinition, publishDefinition } from '../../src/services/definitions.ts';
import { type ProcessUpdate, updateProcessesIfVersion } from '../../src/store/process-batch.ts';
import { insertProtocol } from '../../src/store/processes.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createAdminActor } from '../support/actors.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const T0 = Date.UTC(2027, 3, 5, 9);

for (const kind of STORES) {
  describe(`${kind}: processes updated together`, () => {
    let db: TestDatabase;
    let store: Store;
    const ids: string[] = [];

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/t.db` });
      const ctx = createEngineContext({ store, clock: new ManualClock(T0) });
      const actor = await createAdminActor(ctx, 'batch-admin', 'Admin');
      const def = await createDefinition(ctx, actor, {
        name: 'Sleep',
        stages: [
          { key: 'w', name: 'Wait', kind: 'start', wait: 'P1D' },
          { key: 'end', name: 'End', kind: 'end' },
        ],
        transitions: [{ from: 'w', to: 'end', result: 'Continue' }],
      });
      await publishDefinition(ctx, actor, def.id);
      for (let i = 0; i < 5; i++) ids.push((await launchProcess(ctx, actor, { definitionId: def.id })).id);
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    const rows = async () =>
      new Map(
        (
          await store.db
            .selectFrom('processes')
            .select(['id', 'version', 'status', 'stage_key', 'note', 'updated_at', 'completed_at', 'due_at'])
            .where('id', 'in', ids)
            .execute()
        ).map((r) => [r.id, { ...r, version: Number(r.version), updated_at: Number(r.updated_at) }]),
      );

    it('updates the processes at their expected version only, one set of columns each', async () => {
      const before = await rows();
      const [a, b, c, d, e] = ids as [string, string, string, string, string];
      const at = T0 + 1000;
      const updates: ProcessUpdate[] = [
        {
          id: a,
          expectedVersion: before.get(a)!.version,
          patch: { status: 'completed', stage_key: 'end', completed_at: at, updated_at: at, due_at: null },
        },
        {
          id: b,
          expectedVersion: before.get(b)!.version,
          patch: { status: 'completed', stage_key: 'end', completed_at: at, updated_at: at, due_at: null },
        },
        // A stale version: someone was faster.
        { id: c, expectedVersion: before.get(c)!.version - 1, patch: { note: 'stale', updated_at: at } },
        // Another set of columns; an undefined value is not written.
        {
          id: d,
          expectedVersion: before.get(d)!.version,
          patch: { note: 'noted', updated_at: at, due_at: undefined },
        },
      ];
      const updated = await store.transaction((tx) => updateProcessesIfVersion(tx, updates));
      expect(updated).toBe(3);
      const after = await rows();
      for (const id of [a, b]) {
        expect(after.get(id)).toMatchObject({
          version: before.get(id)!.version + 1,
          status: 'completed',
          stage_key: 'end',
          updated_at: at,
          due_at: null,
          note: before.get(id)!.note,
        });
        expect(Number(after.get(id)!.completed_at)).toBe(at);
      }
      expect(after.get(c)).toEqual(before.get(c));
      expect(after.get(d)).toMatchObject({
        version: before.get(d)!.version + 1,
        note: 'noted',
        status: 'active',
        due_at: before.get(d)!.due_at,
        updated_at: at,
      });
      expect(after.get(e)).toEqual(before.get(e));
    });

    it('updates again from the version it wrote', async () => {
      const before = await rows();
      const at = T0 + 2000;
      let updated = 0;
      for (let round = 0; round < 3; round++) {
        const current = await rows();
        updated += await store.transaction((tx) =>
          updateProcessesIfVersion(
            tx,
            ids.map((id) => ({
              id,
              expectedVersion: current.get(id)!.version,
              patch: { note: `round ${round}`, updated_at: at + round },
            })),
          ),
        );
      }
      expect(updated).toBe(15);
      const after = await rows();
      for (const id of ids) {
        expect(after.get(id)).toMatchObject({
          version: before.get(id)!.version + 3,
          note: 'round 2',
          updated_at: at + 2,
        });
      }
    });

    it('writes many protocol rows in one statement, each as given and in order', async () => {
      const [a, b] = ids as [string, string];
      const rows = Array.from({ length: 7 }, (_, i) => ({
        process_id: i % 2 === 0 ? a : b,
        at: T0 + 10_000 + i,
        actor_id: null,
        action: `test.row.${i}`,
        details: JSON.stringify({ i, text: `«${i}» "quoted" \\ ${'я'.repeat(i)}` }),
      }));
      // A row with other columns than the rest goes the usual way.
      const mixed = [
        { process_id: a, at: T0 + 20_000, action: 'test.mixed.0', details: '{}' },
        { process_id: b, at: T0 + 20_001, actor_id: null, action: 'test.mixed.1', details: '{"x":1}' },
      ];
      await store.transaction(async (tx) => {
        await insertProtocol(tx, rows);
        await insertProtocol(tx, mixed);
      });
      const read = await store.db
        .selectFrom('protocol')
        .select(['process_id', 'at', 'actor_id', 'action', 'details'])
        .where('action', 'like', 'test.%')
        .orderBy('id')
        .execute();
      expect(read.map((r) => ({ ...r, at: Number(r.at) }))).toEqual([
        ...rows,
        { ...mixed[0], actor_id: null },
        mixed[1],
      ]);
    });
  });
}
