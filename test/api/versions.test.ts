/** Publishing makes versions: running processes keep theirs, new launches take the latest. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitoringBody } from '../fixtures/definitions.ts';
import { expectError, expectStatus } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

/** Version 2 of the monitoring process: the first stage renamed, one result more, a stage more. */
function monitoringV2() {
  const v1 = monitoringBody();
  return {
    stages: [
      ...v1.stages.map((s) => (s.key === 'call' ? { ...s, name: 'Phone the client' } : s)),
      { key: 'email', name: 'Write an email', kind: 'normal' },
    ],
    transitions: [
      ...v1.transitions,
      { from: 'call', to: 'email', result: 'No phone' },
      { from: 'email', to: 'analyse', result: 'Answered' },
    ],
  };
}

for (const store of STORES) {
  describe(`${store}: definition versions over HTTP`, () => {
    let t: TestServer;
    let manager: Client & { id: string };

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('vasya', 'manager', 'Vasya');
    });
    afterAll(async () => t?.close());

    it('keeps a running process on its version while new launches take the new one', async () => {
      const created = await t.admin.post('/api/definitions', { name: 'Monitoring', ...monitoringBody() });
      expectStatus(created, 201);
      const id = created.body.id;
      const v1 = await t.admin.post(`/api/definitions/${id}/publish`);
      expectStatus(v1, 200);
      expect(v1.body).toMatchObject({ id, status: 'published', version: 1 });

      const old = await manager.post('/api/processes', { definitionId: id, note: 'on v1' });
      expectStatus(old, 201);
      expect(old.body.definition).toEqual({ id, name: 'Monitoring', version: 1 });

      const changed = await t.admin.put(`/api/definitions/${id}`, {
        name: 'Monitoring v2',
        ...monitoringV2(),
      });
      expectStatus(changed, 200);
      expect(changed.body.validation.valid).toBe(true);
      // Changing the draft publishes nothing: launches still take version 1.
      const between = await manager.post('/api/processes', { definitionId: id });
      expect(between.body.definition.version).toBe(1);

      const v2 = await t.admin.post(`/api/definitions/${id}/publish`);
      expectStatus(v2, 200);
      expect(v2.body).toMatchObject({ id, status: 'published', version: 2 });

      const card = await manager.get(`/api/processes/${old.body.id}`);
      expectStatus(card, 200);
      expect(card.body.definition).toEqual({ id, name: 'Monitoring', version: 1 });
      expect(card.body.stage).toMatchObject({ key: 'call', name: 'Call the client' });
      expect(card.body.next.map((n: any) => n.result)).toEqual(['Reached', 'Not reached']);
      // The old process cannot take a result that only version 2 has.
      const v2Only = await manager.post(`/api/processes/${old.body.id}/stage`, {
        state: 'done',
        result: 'No phone',
      });
      expectError(v2Only, 422, 'unknown_result');
      const moved = await manager.post(`/api/processes/${old.body.id}/stage`, {
        state: 'done',
        result: 'Reached',
      });
      expectStatus(moved, 200);
      expect(moved.body.definition.version).toBe(1);
      expect(moved.body.stage.key).toBe('analyse');

      const fresh = await manager.post('/api/processes', { definitionId: id });
      expectStatus(fresh, 201);
      expect(fresh.body.definition).toEqual({ id, name: 'Monitoring v2', version: 2 });
      expect(fresh.body.stage).toMatchObject({ key: 'call', name: 'Phone the client' });
      expect(fresh.body.next.map((n: any) => n.result)).toEqual(['Reached', 'Not reached', 'No phone']);
      const viaV2 = await manager.post(`/api/processes/${fresh.body.id}/stage`, {
        state: 'done',
        result: 'No phone',
      });
      expectStatus(viaV2, 200);
      expect(viaV2.body.stage).toMatchObject({ key: 'email', name: 'Write an email' });

      const definition = await t.admin.get(`/api/definitions/${id}`);
      expect(definition.body).toMatchObject({ status: 'published', version: 2 });
      expect(definition.body.versions.map((v: any) => v.version)).toEqual([2, 1]);

      // The journal filters by definition across versions.
      const journal = await t.admin.get(`/api/processes?definitionId=${id}&limit=500`);
      expect(journal.body.items.map((p: any) => p.definition.version).sort()).toEqual([1, 1, 2]);
    });

    it('publishing an unchanged draft again makes no new version', async () => {
      const created = await t.admin.post('/api/definitions', { name: 'Steady', ...monitoringBody() });
      const id = created.body.id;
      expect((await t.admin.post(`/api/definitions/${id}/publish`)).body.version).toBe(1);
      const again = await t.admin.post(`/api/definitions/${id}/publish`);
      expectStatus(again, 200);
      expect(again.body.version).toBe(1);
    });

    it('refuses to launch a definition that was never published', async () => {
      const draft = await t.admin.post('/api/definitions', { name: 'Draft only', ...monitoringBody() });
      expectStatus(draft, 201);
      const res = await manager.post('/api/processes', { definitionId: draft.body.id });
      expectError(res, 422, 'definition_not_published');
      const bulk = await t.admin.post('/api/counterparties', { name: 'Bulk client' });
      const many = await manager.post('/api/processes/bulk', {
        definitionId: draft.body.id,
        counterpartyIds: [bulk.body.id],
      });
      expectError(many, 422, 'definition_not_published');
      const journal = await t.admin.get(`/api/processes?definitionId=${draft.body.id}`);
      expect(journal.body.items).toEqual([]);
    });

    it('answers 404 when launching a definition that does not exist', async () => {
      expectError(
        await manager.post('/api/processes', { definitionId: 'no-such-definition' }),
        404,
        'not_found',
      );
    });
  });
}
