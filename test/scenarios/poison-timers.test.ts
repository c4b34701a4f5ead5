/**
 * A timer whose firing throws is not retried forever: only its own work is rolled back, its
 * failures are counted, and after STAGEFLOW_TIMER_MAX_ATTEMPTS it is parked, no longer claimed,
 * listed for administrators, who retry it once the cause is fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitTimerKey } from '../../src/domain/process/step.ts';
import { WAIT_BODY } from '../fixtures/definitions.ts';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const MAX_ATTEMPTS = 5;

for (const kind of STORES) {
  describe(`${kind}: poison timers`, () => {
    let t: TestServer;
    let manager: Client;
    let definitionId: string;

    const timerRow = (key: string) =>
      t.server.ctx.store.db.selectFrom('timers').selectAll().where('key', '=', key).executeTakeFirst();
    const advance = async (by: string) =>
      expectStatus(await t.admin.post('/api/test/clock', { advance: by }), 200);
    const setVersion = (processId: string, version: number) =>
      t.server.ctx.store.transaction((tx) =>
        tx
          .updateTable('processes')
          .set({ definition_version: version })
          .where('id', '=', processId)
          .execute(),
      );

    beforeAll(async () => {
      t = await startTestServer(kind);
      manager = await t.employee('petra', 'manager');
      definitionId = await publishDefinition(t.admin, 'Sleep', WAIT_BODY);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('parks a failing timer after the attempts, fires the rest, and fires it once retried', async () => {
      const poisoned = (await t.admin.post('/api/processes', { definitionId })).body;
      const healthy = (await t.admin.post('/api/processes', { definitionId })).body;
      const key = waitTimerKey(poisoned.id, 'w', 1);
      // Its process now names a definition version that does not exist: firing it throws.
      await setVersion(poisoned.id, 99);

      await advance('PT2H');
      expect((await t.admin.get(`/api/processes/${healthy.id}`)).body.status).toBe('completed');
      let row = await timerRow(key);
      expect(row).toMatchObject({ attempts: 1, parked_at: null });
      expect(row?.last_error).toContain('not_found');

      // Each failure puts it off (1, 2, 4, 8 minutes); an hour covers every wait.
      for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
        await advance('PT1H');
        row = await timerRow(key);
        expect(row?.attempts).toBe(attempt);
        expect(row?.parked_at === null).toBe(attempt < MAX_ATTEMPTS);
      }

      // Parked: no longer claimed however much time passes.
      await advance('P1D');
      expect((await timerRow(key))?.attempts).toBe(MAX_ATTEMPTS);

      const parked = await t.admin.get('/api/admin/timers/parked');
      expectStatus(parked, 200);
      expect(parked.body.nextCursor).toBeNull();
      expect(parked.body.items).toEqual([
        {
          key,
          kind: 'wait',
          processId: poisoned.id,
          dueAt: expect.any(String),
          attempts: MAX_ATTEMPTS,
          lastError: expect.stringContaining('not_found'),
          parkedAt: expect.any(String),
        },
      ]);

      // Fixed, retried: it fires once, at the next round.
      await setVersion(poisoned.id, 1);
      const retried = await t.admin.post(`/api/admin/timers/${encodeURIComponent(key)}/retry`);
      expectStatus(retried, 200);
      expect(retried.body).toMatchObject({ key, attempts: 0, parkedAt: null, lastError: null });
      expect((await t.admin.get('/api/admin/timers/parked')).body.items).toEqual([]);
      await advance('PT1M');
      expect((await t.admin.get(`/api/processes/${poisoned.id}`)).body.status).toBe('completed');
      const protocol = (await t.admin.get(`/api/processes/${poisoned.id}/protocol`)).body.items;
      expect(protocol.filter((i: any) => i.action === 'wait.elapsed')).toHaveLength(1);
      expect(await timerRow(key)).toBeUndefined();
    });

    it('pages parked timers by key', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await t.admin.post('/api/processes', { definitionId })).body.id);
      await t.server.ctx.store.transaction((tx) =>
        tx
          .updateTable('timers')
          .set({ attempts: MAX_ATTEMPTS, parked_at: Date.now(), last_error: 'planted' })
          .where('process_id', 'in', ids)
          .execute(),
      );
      const first = await t.admin.get('/api/admin/timers/parked?limit=2');
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.admin.get(`/api/admin/timers/parked?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
      const keys = [...first.body.items, ...second.body.items].map((i: any) => i.key);
      expect(keys).toEqual(ids.map((id) => waitTimerKey(id, 'w', 1)).sort());
      expectError(await t.admin.get('/api/admin/timers/parked?cursor=garbage'), 400, 'invalid_cursor');
    });

    it('is for administrators only, and answers 404 and 409 for timers that are missing or not parked', async () => {
      expectError(await manager.get('/api/admin/timers/parked'), 403, 'forbidden');
      expectError(await manager.post('/api/admin/timers/x/retry'), 403, 'forbidden');
      expectError(await manager.post('/api/admin/reconcile'), 403, 'forbidden');
      expectError(await t.admin.post('/api/admin/timers/no-such-timer/retry'), 404, 'not_found');
      const running = (await t.admin.post('/api/processes', { definitionId })).body;
      const key = encodeURIComponent(waitTimerKey(running.id, 'w', 1));
      expectError(await t.admin.post(`/api/admin/timers/${key}/retry`), 409, 'timer_not_parked');
    });
  });
}
