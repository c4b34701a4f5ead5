/**
 * The reconciler: a waiting process whose timer row is gone gets it back (same key, same due time),
 * a timer row with no live process is deleted; on demand (POST /api/admin/reconcile) and at every
 * start. The repaired wait then fires exactly once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeTimerKey, waitTimerKey } from '../../src/domain/process/step.ts';
import { WAIT_BODY } from '../fixtures/definitions.ts';
import { expectStatus, publishDefinition, twoStageBody } from '../support/api-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const HOUR = 3_600_000;

for (const kind of STORES) {
  describe(`${kind}: timer reconciler`, () => {
    let t: TestServer;
    let waitDef: string;
    let plainDef: string;

    const db = () => t.server.ctx.store.db;
    const timersOf = (processId: string) =>
      db().selectFrom('timers').selectAll().where('process_id', '=', processId).execute();
    const deleteTimersOf = (processId: string) =>
      t.server.ctx.store.transaction((tx) =>
        tx.deleteFrom('timers').where('process_id', '=', processId).execute(),
      );
    const plantOrphan = async (processId: string) => {
      const key = waitTimerKey(processId, 'w', 1);
      await t.server.ctx.store.transaction((tx) =>
        tx
          .insertInto('timers')
          .values({ key, kind: 'wait', process_id: processId, due_at: Date.now() + HOUR, deferred: 0 })
          .execute(),
      );
      return key;
    };
    const launchWaiting = async () => {
      const res = await t.admin.post('/api/processes', { definitionId: waitDef });
      expectStatus(res, 201);
      return res.body as { id: string; stage: { enteredAt: string } };
    };
    const waitElapsedCount = async (processId: string) =>
      (await t.admin.get(`/api/processes/${processId}/protocol`)).body.items.filter(
        (i: any) => i.action === 'wait.elapsed',
      ).length;

    beforeAll(async () => {
      t = await startTestServer(kind);
      waitDef = await publishDefinition(t.admin, 'Sleep', WAIT_BODY);
      plainDef = await publishDefinition(t.admin, 'Plain', twoStageBody());
    });
    afterAll(async () => {
      await t?.close();
    });

    it('re-creates missing wait and resume timers, deletes orphans, and the wait fires once', async () => {
      const waiting = await launchWaiting();
      const paused = await launchWaiting();
      const pause = await t.admin.post(`/api/processes/${paused.id}/pause`, { for: 'PT30M' });
      expectStatus(pause, 200);
      const until = Date.parse(pause.body.pausedUntil);
      await deleteTimersOf(waiting.id);
      await t.server.ctx.store.transaction((tx) =>
        tx.deleteFrom('timers').where('process_id', '=', paused.id).where('kind', '=', 'resume').execute(),
      );
      const ghost = randomUUID();
      const ghostKey = await plantOrphan(ghost);
      const done = (await t.admin.post('/api/processes', { definitionId: plainDef })).body;
      expectStatus(await t.admin.post(`/api/processes/${done.id}/stage`, { state: 'done' }), 200);
      const doneKey = await plantOrphan(done.id);

      const report = await t.admin.post('/api/admin/reconcile');
      expectStatus(report, 200);
      expect(report.body.repaired).toBe(true);
      const waitKey = waitTimerKey(waiting.id, 'w', 1);
      const dueAt = new Date(Date.parse(waiting.stage.enteredAt) + HOUR).toISOString();
      expect(report.body.missingTimers).toHaveLength(2);
      expect(report.body.missingTimers).toEqual(
        expect.arrayContaining([
          { key: waitKey, kind: 'wait', processId: waiting.id, dueAt },
          {
            key: resumeTimerKey(paused.id, until),
            kind: 'resume',
            processId: paused.id,
            dueAt: new Date(until).toISOString(),
          },
        ]),
      );
      expect(report.body.orphanTimers.map((o: any) => o.key).sort()).toEqual([ghostKey, doneKey].sort());

      expect(await timersOf(waiting.id)).toEqual([
        expect.objectContaining({ key: waitKey, kind: 'wait', due_at: Date.parse(dueAt) }),
      ]);
      expect(await timersOf(ghost)).toEqual([]);
      expect(await timersOf(done.id)).toEqual([]);

      // Nothing is left to repair.
      const again = await t.admin.post('/api/admin/reconcile');
      expect(again.body).toEqual({ missingTimers: [], orphanTimers: [], repaired: true });

      await t.admin.post('/api/test/clock', { advance: 'PT2H' });
      expect((await t.admin.get(`/api/processes/${waiting.id}`)).body.status).toBe('completed');
      expect((await t.admin.get(`/api/processes/${paused.id}`)).body.status).toBe('completed');
      expect(await waitElapsedCount(waiting.id)).toBe(1);
      expect(await waitElapsedCount(paused.id)).toBe(1);
      await t.admin.post('/api/test/clock', { advance: 'PT2H' });
      expect(await waitElapsedCount(waiting.id)).toBe(1);
    });

    it('repairs at start-up', async () => {
      const waiting = await launchWaiting();
      await deleteTimersOf(waiting.id);
      const ghost = randomUUID();
      await plantOrphan(ghost);
      await t.stop();
      t = await startTestServer(kind, {}, t.database);

      expect(await timersOf(waiting.id)).toEqual([
        expect.objectContaining({
          key: waitTimerKey(waiting.id, 'w', 1),
          due_at: Date.parse(waiting.stage.enteredAt) + HOUR,
        }),
      ]);
      expect(await timersOf(ghost)).toEqual([]);
      await t.admin.post('/api/test/clock', { advance: 'PT2H' });
      expect((await t.admin.get(`/api/processes/${waiting.id}`)).body.status).toBe('completed');
      expect(await waitElapsedCount(waiting.id)).toBe(1);
    });
  });
}
