/**
 * A command's held writes (the process update and the rows recording the change), on both stores:
 * written together they land as written one by one, in order; a version that moved on writes
 * nothing and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createEngineContext, type EngineContext } from '../../src/context.ts';
import { launchProcess } from '../../src/engine/launch.ts';
import { createDefinition, publishDefinition } from '../../src/services/definitions.ts';
import { createEmployee } from '../../src/services/employees.ts';
import { CommandWrites } from '../../src/store/command-writes.ts';
import { insertProtocol } from '../../src/store/processes.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { setTimers, TIMER_CONFLICT_KEY } from '../../src/store/timers.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

for (const kind of STORES) {
  describe(`${kind}: a command's held writes`, () => {
    let db: TestDatabase;
    let store: Store;
    let ctx: EngineContext;
    let admin: Actor;
    let definitionId: string;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/t.db` });
      ctx = createEngineContext({ store, clock: { now: () => Date.now() } });
      const employee = await createEmployee(ctx, {
        login: 'writes-admin',
        name: 'Admin',
        password: 'writes-password',
        role: 'admin',
      });
      admin = { id: employee.id, role: 'admin', name: employee.name };
      const def = await createDefinition(ctx, admin, {
        name: 'Two',
        stages: [
          { key: 'a', name: 'A', kind: 'start' },
          { key: 'b', name: 'B', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Done' }],
      });
      definitionId = def.id;
      await publishDefinition(ctx, admin, definitionId);
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    const protocolOf = (processId: string) =>
      store.db
        .selectFrom('protocol')
        .select(['action', 'details'])
        .where('process_id', '=', processId)
        .orderBy('id')
        .execute();

    function held(processId: string, version: number, note: string, timerKey: string) {
      const writes = new CommandWrites();
      writes.updateProcess(processId, version, { note, updated_at: 5 });
      const protocol = ['first', 'second', 'third'].map((action) => ({
        process_id: processId,
        at: 5,
        actor_id: admin.id,
        action,
        details: JSON.stringify({ note }),
      }));
      writes.insert('protocol', protocol, (tx) => insertProtocol(tx, protocol));
      const timers = [
        { key: timerKey, kind: 'wait' as const, process_id: processId, due_at: 9, deferred: 0 },
      ];
      writes.insert('timers', timers, (tx) => setTimers(tx, timers), TIMER_CONFLICT_KEY);
      return writes;
    }

    it('writes the update and the rows in their order, and an existing timer key is left as it is', async () => {
      const p = await launchProcess(ctx, admin, { definitionId });
      const before = (await protocolOf(p.id)).length;
      const key = `test:${p.id}`;
      await store.transaction((tx) =>
        setTimers(tx, [{ key, kind: 'wait', process_id: p.id, due_at: 7, deferred: 0 }]),
      );
      const ok = await store.transaction((tx) => held(p.id, p.version, 'held', key).flush(tx));
      expect(ok).toBe(true);
      const row = await store.db
        .selectFrom('processes')
        .selectAll()
        .where('id', '=', p.id)
        .executeTakeFirst();
      expect([row?.note, row?.version, Number(row?.updated_at)]).toEqual(['held', p.version + 1, 5]);
      const added = (await protocolOf(p.id)).slice(before);
      expect(added.map((r) => r.action)).toEqual(['first', 'second', 'third']);
      const timers = await store.db.selectFrom('timers').selectAll().where('key', '=', key).execute();
      expect(timers.map((t) => Number(t.due_at))).toEqual([7]);
    });

    it('writes text with half a surrogate pair as one bound alone would', async () => {
      const p = await launchProcess(ctx, admin, { definitionId });
      const before = (await protocolOf(p.id)).length;
      const rows = ['lone \ud800', 'pair \ud83d\ude00'].map((action) => ({
        process_id: p.id,
        at: 5,
        actor_id: admin.id,
        action,
        details: '{}',
      }));
      await store.transaction(async (tx) => {
        const writes = new CommandWrites();
        writes.updateProcess(p.id, p.version, { updated_at: 5 });
        writes.insert('protocol', rows, (db) => insertProtocol(db, rows));
        expect(await writes.flush(tx)).toBe(true);
      });
      // The same rows written alone, bound one by one, for comparison.
      await store.transaction((tx) => insertProtocol(tx, [rows[0]!]));
      await store.transaction((tx) => insertProtocol(tx, [rows[1]!]));
      const added = (await protocolOf(p.id)).slice(before).map((r) => r.action);
      expect(added.slice(0, 2)).toEqual(added.slice(2));
      expect(added[1]).toBe('pair \ud83d\ude00');
      expect(added[0]?.startsWith('lone ')).toBe(true);
    });

    it('answers false and changes nothing the caller keeps when the version moved on', async () => {
      const p = await launchProcess(ctx, admin, { definitionId });
      const before = await protocolOf(p.id);
      const stale = store.transaction(async (tx) => {
        if (await held(p.id, p.version + 3, 'stale', `stale:${p.id}`).flush(tx)) return;
        throw new Error('version moved on');
      });
      await expect(stale).rejects.toThrow('version moved on');
      const row = await store.db
        .selectFrom('processes')
        .selectAll()
        .where('id', '=', p.id)
        .executeTakeFirst();
      expect([row?.note, row?.version]).toEqual([p.note, p.version]);
      expect(await protocolOf(p.id)).toEqual(before);
    });
  });
}
