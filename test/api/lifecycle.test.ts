import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainBody, monitoringBody } from '../fixtures/definitions.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

for (const store of STORES) {
  describe(`${store}: process lifecycle over HTTP`, () => {
    let t: TestServer;
    let manager: Client & { id: string };
    let definitionId: string;
    let clientId: string;

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('mila', 'manager', 'Mila Manager');
      const def = await t.admin.post('/api/definitions', {
        name: 'Monitoring lost clients',
        ...monitoringBody(),
      });
      expect(def.status).toBe(201);
      definitionId = def.body.id;
      expect((await t.admin.post(`/api/definitions/${definitionId}/publish`)).status).toBe(200);
      clientId = (await t.admin.post('/api/counterparties', { name: 'LLC Romashka', group: 'Lost' })).body.id;
    });
    afterAll(async () => t?.close());

    it('launches at the start stage and walks by results to an end', async () => {
      const launched = await manager.post('/api/processes', {
        definitionId,
        counterpartyId: clientId,
        note: 'hello',
      });
      expect(launched.status).toBe(201);
      const card = launched.body;
      expect(card).toMatchObject({
        status: 'active',
        definition: { id: definitionId, name: 'Monitoring lost clients', version: 1 },
        counterparty: { id: clientId, name: 'LLC Romashka' },
        initiator: { id: manager.id, name: 'Mila Manager' },
        note: 'hello',
        stage: { key: 'call', name: 'Call the client', kind: 'start', state: 'not_started' },
        parentId: null,
      });
      expect(card.next.map((n: any) => n.result)).toEqual(['Reached', 'Not reached']);

      const started = await manager.post(`/api/processes/${card.id}/stage`, {
        state: 'in_progress',
        expectedVersion: card.version,
      });
      expect(started.status).toBe(200);
      expect(started.body.stage.state).toBe('in_progress');

      const noResult = await manager.post(`/api/processes/${card.id}/stage`, { state: 'done' });
      expect(noResult.status).toBe(422);
      expect(noResult.body.error.code).toBe('result_required');
      const badResult = await manager.post(`/api/processes/${card.id}/stage`, {
        state: 'done',
        result: 'Nope',
      });
      expect(badResult.status).toBe(422);
      expect(badResult.body.error.code).toBe('unknown_result');

      const moved = await manager.post(`/api/processes/${card.id}/stage`, {
        state: 'done',
        result: 'Reached',
      });
      expect(moved.status).toBe(200);
      expect(moved.body.stage).toMatchObject({ key: 'analyse', state: 'not_started' });
      const ended = await manager.post(`/api/processes/${card.id}/stage`, {
        state: 'done',
        result: 'Cannot return',
      });
      expect(ended.body).toMatchObject({
        status: 'completed',
        stage: { key: 'lost', kind: 'end', state: 'done' },
      });
      expect(ended.body.completedAt).not.toBeNull();

      const again = await manager.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'x' });
      expect(again.status).toBe(422);
      expect(again.body.error.code).toBe('process_not_active');

      const protocol = await manager.get(`/api/processes/${card.id}/protocol`);
      const actions = protocol.body.items.map((i: any) => i.action);
      expect(actions[0]).toBe('process.launched');
      expect(actions.filter((a: string) => a === 'transition')).toHaveLength(2);
      expect(actions).toContain('process.completed');
      expect(actions).toContain('event.created');
      expect(protocol.body.items[0].actor).toEqual({ id: manager.id, name: 'Mila Manager' });
    });

    it('lets exactly one of 50 concurrent finishes of one stage win', async () => {
      const def = await t.admin.post('/api/definitions', { name: 'Chain', ...chainBody(4) });
      await t.admin.post(`/api/definitions/${def.body.id}/publish`);
      const card = (await manager.post('/api/processes', { definitionId: def.body.id })).body;
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          manager.post(`/api/processes/${card.id}/stage`, { state: 'done', expectedVersion: card.version }),
        ),
      );
      const ok = results.filter((r) => r.status === 200);
      const conflicts = results.filter((r) => r.status === 409 && r.body.error.code === 'version_conflict');
      expect(ok).toHaveLength(1);
      expect(conflicts).toHaveLength(49);
      const protocol = await manager.get(`/api/processes/${card.id}/protocol`);
      expect(protocol.body.items.filter((i: any) => i.action === 'transition')).toHaveLength(1);
      expect((await manager.get(`/api/processes/${card.id}`)).body.stage.key).toBe('s1');
    });

    it('queues concurrent commands without expectedVersion, one after the other, on both stores', async () => {
      const def = await t.admin.post('/api/definitions', { name: 'Queue', ...chainBody(5) });
      await t.admin.post(`/api/definitions/${def.body.id}/publish`);
      const card = (await manager.post('/api/processes', { definitionId: def.body.id })).body;
      const results = await Promise.all(
        Array.from({ length: 3 }, () => manager.post(`/api/processes/${card.id}/stage`, { state: 'done' })),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      const after = (await manager.get(`/api/processes/${card.id}`)).body;
      expect(after.stage.key).toBe('s3');
      expect(after.version).toBe(card.version + 3);
      const protocol = (await manager.get(`/api/processes/${card.id}/protocol`)).body.items;
      expect(protocol.filter((i: any) => i.action === 'transition').map((i: any) => i.details.from)).toEqual([
        's0',
        's1',
        's2',
      ]);
    });
  });
}
