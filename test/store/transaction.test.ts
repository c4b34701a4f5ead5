import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolInTransactionError } from '../../src/store/pool-guard.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

for (const kind of STORES) {
  describe(`${kind}: store transactions`, () => {
    let db: TestDatabase;
    let store: Store;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/t.db` });
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it('commits everything or nothing', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.insertInto('settings').values({ key: 'a', value: '1' }).execute();
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.db.selectFrom('settings').selectAll().where('key', '=', 'a').execute()).toEqual([]);
      await store.transaction((tx) => tx.insertInto('settings').values({ key: 'a', value: '2' }).execute());
      expect(await store.db.selectFrom('settings').select('value').where('key', '=', 'a').execute()).toEqual([
        { value: '2' },
      ]);
    });

    it('keeps each of many concurrent transactions all-or-nothing', async () => {
      const write = (key: string) =>
        store.transaction(async (tx) => {
          await tx.insertInto('settings').values({ key, value: 'v' }).execute();
          return key;
        });
      const results = await Promise.allSettled([
        write('c-1'),
        write('c-2'),
        store.transaction(async (tx) => {
          await tx.insertInto('settings').values({ key: 'c-3', value: 'v' }).execute();
          throw new Error('third fails');
        }),
        // A statement the database refuses: the same key again.
        write('c-1'),
        write('c-5'),
      ]);
      // The two writes of c-1 race (on PostgreSQL each on a connection of its own): one wins.
      const [first, second, third, again, fifth] = results;
      expect([second?.status, third?.status, fifth?.status]).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect([first?.status, again?.status].sort()).toEqual(['fulfilled', 'rejected']);
      const won = first?.status === 'fulfilled' ? first : again;
      expect(won?.status === 'fulfilled' && won.value).toBe('c-1');
      const keys = await store.db.selectFrom('settings').select('key').where('key', 'like', 'c-%').execute();
      expect(keys.map((k) => k.key).sort()).toEqual(['c-1', 'c-2', 'c-5']);
    });

    it('refuses a transaction started inside another instead of waiting on itself', async () => {
      await expect(store.transaction(() => store.transaction(async () => 'inner'))).rejects.toBeInstanceOf(
        PoolInTransactionError,
      );
    });

    if (kind === 'postgres') {
      it('turns JIT compilation off on every pool connection, before its first query', async () => {
        const jit = async (db: typeof store.db) =>
          (await sql<{ jit: string }>`show jit`.execute(db)).rows[0]?.jit;
        // Several at once, so the pool opens new connections for them.
        const shown = await Promise.all([
          ...Array.from({ length: 6 }, () => jit(store.db)),
          store.transaction((tx) => jit(tx)),
        ]);
        expect(shown).toEqual(Array(7).fill('off'));
      });

      it('runs a transaction the database aborted as a deadlock again, and gives up after three', async () => {
        let attempts = 0;
        const result = await store.transaction(async (tx) => {
          attempts++;
          await tx
            .insertInto('settings')
            .values({ key: `try-${attempts}`, value: 'x' })
            .execute();
          if (attempts === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
          return 'done';
        });
        expect(result).toBe('done');
        expect(attempts).toBe(2);
        // The aborted attempt left nothing behind.
        expect(
          await store.db.selectFrom('settings').select('key').where('key', 'like', 'try-%').execute(),
        ).toEqual([{ key: 'try-2' }]);
        let tries = 0;
        await expect(
          store.transaction(async () => {
            tries++;
            throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
          }),
        ).rejects.toThrow('deadlock');
        expect(tries).toBe(3);
      });
    }
  });
}
