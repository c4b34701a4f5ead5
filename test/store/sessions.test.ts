import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngineContext, type EngineContext } from '../../src/context.ts';
import { systemClock } from '../../src/scheduler/clock.ts';
import { authenticate, createEmployee, login, SESSION_TTL_MS } from '../../src/services/employees.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

for (const kind of STORES) {
  describe(`${kind}: sessions`, () => {
    let db: TestDatabase;
    let store: Store;
    let ctx: EngineContext;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/s.db` });
      ctx = createEngineContext({ store, clock: systemClock });
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it('refuses an expired session and removes it at the next login', async () => {
      const e = await createEmployee(ctx, {
        login: 'sam',
        name: 'Sam',
        password: 'sam-password',
        role: 'manager',
      });
      const first = await login(ctx, 'sam', 'sam-password');
      expect((await authenticate(ctx, first.token))?.id).toBe(e.id);
      // The session's time runs out: the node's clock moves past its expiry.
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(Date.now() + SESSION_TTL_MS + 60_000);
        expect(await authenticate(ctx, first.token)).toBeUndefined();
        const second = await login(ctx, 'sam', 'sam-password');
        const rows = await store.db.selectFrom('sessions').select('employee_id').execute();
        expect(rows).toEqual([{ employee_id: e.id }]);
        expect((await authenticate(ctx, second.token))?.id).toBe(e.id);
      } finally {
        vi.useRealTimers();
      }
    });
  });
}
