/**
 * Paging cursors on every list: each GET route that the OpenAPI document says takes a `cursor`
 * answers 400 `invalid_cursor` to one the server did not make, and follows the ones it hands out —
 * on both stores. The routes come from `/api/openapi.json`, so a new list is covered without
 * touching this file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition, twoStageBody } from '../support/api-helpers.ts';
import { client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** Cursors no list made: not base64, base64 of nonsense, and JSON of the wrong shape or types. */
const FOREIGN_CURSORS = [
  'garbage',
  '!!!',
  '~~~~',
  b64('nonsense'),
  b64('{"value":1,"id":"x"}'),
  b64('null'),
  b64('[]'),
  b64('[1]'),
  b64('[true]'),
  b64('[1.5,"x"]'),
  b64('["1","x"]'),
  b64('[1,"x","y"]'),
  b64('[[],{}]'),
  `${b64('["x"]')}!`,
];

/** The GET routes whose query declares `cursor`, as OpenAPI paths. */
async function cursorRoutes(url: string): Promise<string[]> {
  const doc = await client(url, '').get('/api/openapi.json');
  expectStatus(doc, 200);
  const routes: string[] = [];
  for (const [route, methods] of Object.entries(doc.body.paths as Record<string, any>)) {
    const params: { name: string; in: string }[] = methods.get?.parameters ?? [];
    if (params.some((p) => p.in === 'query' && p.name === 'cursor')) routes.push(route);
  }
  return routes.sort();
}

for (const store of STORES) {
  describe(`${store}: paging cursors`, () => {
    let t: TestServer;
    let routes: string[];
    const ids: Record<string, string> = {};

    /** A concrete address for an OpenAPI path: `{id}` is a record of the resource the path names. */
    function concrete(route: string): string {
      const resource = route.split('/')[2] ?? '';
      return route.replace(/\{[^}]+\}/g, () => {
        const id = ids[resource];
        if (!id) throw new Error(`no ${resource} id for ${route}: add one in beforeAll`);
        return id;
      });
    }

    beforeAll(async () => {
      t = await startTestServer(store);
      const definitionId = await publishDefinition(t.admin, 'Paged', twoStageBody());
      await publishDefinition(t.admin, 'Paged too', twoStageBody());
      for (const name of ['Client one', 'Client two']) {
        expectStatus(await t.admin.post('/api/counterparties', { name }), 201);
      }
      for (let i = 0; i < 2; i++) {
        const launched = await t.admin.post('/api/processes', { definitionId, note: `n${i}` });
        expectStatus(launched, 201);
        ids.processes = launched.body.id;
      }
      expectStatus(await t.admin.patch(`/api/processes/${ids.processes}`, { note: 'changed' }), 200);
      ids.definitions = definitionId;
      ids.employees = (await t.admin.get('/api/me')).body.id;
      routes = await cursorRoutes(t.url);
    });
    afterAll(async () => t?.close());

    it('finds the list routes in the OpenAPI document', () => {
      expect(routes).toEqual(
        expect.arrayContaining([
          '/api/processes',
          '/api/processes/{id}/protocol',
          '/api/tasks',
          '/api/events',
          '/api/notifications',
          '/api/definitions',
          '/api/employees',
          '/api/counterparties',
          '/api/orders',
          '/api/projects',
          '/api/invoices',
          '/api/contracts',
          '/api/waybills',
        ]),
      );
      // Counts are one answer, not pages: no cursor there.
      expect(routes).not.toContain('/api/processes/counts');
    });

    it('answers 400 invalid_cursor to a cursor it did not make, on every one of them', async () => {
      for (const route of routes) {
        for (const cursor of FOREIGN_CURSORS) {
          const res = await t.admin.get(`${concrete(route)}?cursor=${encodeURIComponent(cursor)}`);
          expect(`${route} ${cursor}: ${res.status} ${res.body?.error?.code}`).toBe(
            `${route} ${cursor}: 400 invalid_cursor`,
          );
        }
      }
    });

    it('follows the cursors it hands out to the next page', async () => {
      const paged: string[] = [];
      for (const route of routes) {
        const first = await t.admin.get(`${concrete(route)}?limit=1`);
        expectStatus(first, 200);
        const cursor = first.body.nextCursor as string | null;
        if (cursor === null) continue;
        paged.push(route);
        const second = await t.admin.get(`${concrete(route)}?limit=1&cursor=${encodeURIComponent(cursor)}`);
        expectStatus(second, 200);
        expect(second.body.items, route).toHaveLength(1);
        expect(second.body.items[0], route).not.toEqual(first.body.items[0]);
      }
      expect(paged).toEqual(
        expect.arrayContaining([
          '/api/processes',
          '/api/processes/{id}/protocol',
          '/api/definitions',
          '/api/counterparties',
        ]),
      );
    });

    it('treats an empty cursor as none', async () => {
      const res = await t.admin.get('/api/definitions?cursor=');
      expectStatus(res, 200);
      expect(res.body.items).toHaveLength(2);
      expectError(await t.admin.get('/api/definitions?cursor=%20'), 400, 'invalid_cursor');
    });
  });
}
