/** The published contract (OpenAPI 3.1 and its docs), health, and the test clock switch. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus } from '../support/api-helpers.ts';
import { client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

/** Every path of the public HTTP contract, as OpenAPI writes it. */
const CONTRACT_PATHS = [
  '/api/auth/login',
  '/api/auth/logout',
  '/api/me',
  '/api/employees',
  '/api/counterparties',
  '/api/counterparties/{id}',
  '/api/orders',
  '/api/projects',
  '/api/invoices',
  '/api/contracts',
  '/api/waybills/{id}',
  '/api/definitions/validate',
  '/api/definitions',
  '/api/definitions/{id}',
  '/api/definitions/{id}/publish',
  '/api/processes',
  '/api/processes/bulk',
  '/api/processes/{id}',
  '/api/processes/{id}/stage',
  '/api/processes/{id}/pause',
  '/api/processes/{id}/resume',
  '/api/processes/{id}/cancel',
  '/api/processes/{id}/attachments',
  '/api/processes/{id}/attachments/{attachmentId}',
  '/api/processes/{id}/links',
  '/api/processes/{id}/links/{type}/{linkedId}',
  '/api/processes/{id}/access',
  '/api/processes/{id}/protocol',
  '/api/tasks',
  '/api/tasks/{id}/complete',
  '/api/events',
  '/api/notifications',
  '/api/notifications/{id}/read',
  '/api/notifications/stream',
];

for (const store of STORES) {
  describe(`${store}: the published contract and system routes`, () => {
    let t: TestServer;

    beforeAll(async () => {
      t = await startTestServer(store);
    });
    afterAll(async () => t?.close());

    it('publishes OpenAPI 3.1 with every path of the contract', async () => {
      const res = await client(t.url, '').get('/api/openapi.json');
      expectStatus(res, 200);
      expect(res.body.openapi).toMatch(/^3\.1\./);
      const paths = Object.keys(res.body.paths);
      for (const p of CONTRACT_PATHS) expect(paths, p).toContain(p);
      expect(Object.keys(res.body.paths['/api/processes'])).toEqual(expect.arrayContaining(['get', 'post']));
      expect(res.body.paths['/api/processes/{id}/stage'].post.requestBody).toBeDefined();
      // The journal's filters are described as query parameters.
      const params = res.body.paths['/api/processes'].get.parameters.map((p: any) => p.name);
      expect(params).toEqual(
        expect.arrayContaining(['status', 'definitionId', 'overdue', 'q', 'sort', 'limit', 'cursor']),
      );
    });

    it('serves browsable docs at /api/docs', async () => {
      const res = await fetch(`${t.url}/api/docs`, { redirect: 'follow' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toMatch(/swagger/i);
    });

    it('answers health without a login', async () => {
      const res = await client(t.url, '').get('/api/health');
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ status: 'ok', store });
      expect(Date.parse(res.body.time)).not.toBeNaN();
    });

    it('moves the test clock forward for administrators only', async () => {
      const manager = await t.employee('tick', 'manager');
      const before = Date.parse((await t.admin.post('/api/test/clock', { advance: 'PT0S' })).body.now);
      const res = await t.admin.post('/api/test/clock', { advance: 'P1D' });
      expectStatus(res, 200);
      expect(Date.parse(res.body.now) - before).toBeGreaterThanOrEqual(24 * 3600_000);
      expect(typeof res.body.fired).toBe('number');
      expectError(await manager.post('/api/test/clock', { advance: 'P1D' }), 403, 'forbidden');
      expectError(await t.admin.post('/api/test/clock', {}), 400, 'validation_failed');
      expectError(await t.admin.post('/api/test/clock', { advance: 'P999999Y' }), 422, 'invalid_duration');
      expect((await t.admin.get('/api/health')).status).toBe(200);
    });
  });

  describe(`${store}: without STAGEFLOW_TEST_CLOCK`, () => {
    let t: TestServer;

    beforeAll(async () => {
      t = await startTestServer(store, { STAGEFLOW_TEST_CLOCK: '0' });
    });
    afterAll(async () => t?.close());

    it('has no test clock: 404', async () => {
      expectError(await t.admin.post('/api/test/clock', { advance: 'P1D' }), 404, 'not_found');
    });
  });
}
