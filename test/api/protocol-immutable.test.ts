/**
 * The protocol cannot be changed or deleted through the API. (1) The OpenAPI document offers only
 * GET on any protocol path, and every write method on every protocol path — documented or guessed —
 * answers 404 or 405 to an administrator, leaving the protocol byte-identical. (2) Every documented
 * write on a process, done by an administrator (deleting files and links, withdrawing access,
 * cancelling…), only adds entries: what was there before stays, unchanged, in front. A new write
 * route on a process fails (2) until it is given a request below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

type Paths = Record<string, Record<string, unknown>>;

for (const store of STORES) {
  describe(`${store}: the protocol is append-only through the API`, () => {
    let t: TestServer;
    let pavel: Client & { id: string };
    let definitionId: string;
    let paths: Paths;

    async function launch(): Promise<string> {
      const res = await pavel.post('/api/processes', { definitionId, note: 'first' });
      expectStatus(res, 201);
      return res.body.id as string;
    }

    async function upload(processId: string, text: string): Promise<string> {
      const form = new FormData();
      form.append('file', new Blob([Buffer.from(text)]), `${text}.txt`);
      const res = await fetch(`${t.url}/api/processes/${processId}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.admin.token}` },
        body: form,
      });
      const body = (await res.json()) as { id: string };
      expect(res.status, JSON.stringify(body)).toBe(201);
      return body.id;
    }

    /** The protocol exactly as sent: the raw bytes of the answer. */
    async function rawProtocol(processId: string): Promise<string> {
      const res = await fetch(`${t.url}/api/processes/${processId}/protocol`, {
        headers: { authorization: `Bearer ${t.admin.token}` },
      });
      expect(res.status).toBe(200);
      return res.text();
    }

    async function items(processId: string): Promise<Record<string, unknown>[]> {
      return JSON.parse(await rawProtocol(processId)).items;
    }

    beforeAll(async () => {
      t = await startTestServer(store);
      pavel = await t.employee('pavel', 'manager', 'Pavel');
      definitionId = await publishDefinition(t.admin, 'Kept', {
        stages: [
          { key: 'a', name: 'Ask', kind: 'start', task: { title: 'Call', assignee: 'responsible' } },
          { key: 'b', name: 'Book', kind: 'normal' },
          { key: 'z', name: 'Closed', kind: 'end' },
        ],
        transitions: [
          { from: 'a', to: 'b', result: 'Agree' },
          { from: 'b', to: 'z', result: 'Done' },
        ],
      });
      paths = (await t.admin.get('/api/openapi.json')).body.paths as Paths;
    });
    afterAll(async () => t?.close());

    it('no write method reaches any protocol path, documented or guessed, and the bytes stay the same', async () => {
      const processId = await launch();
      await upload(processId, 'kept');
      expectStatus(await pavel.post(`/api/processes/${processId}/stage`, { state: 'in_progress' }), 200);
      expectStatus(await pavel.patch(`/api/processes/${processId}`, { note: 'second' }), 200);
      const before = await rawProtocol(processId);
      const entries = JSON.parse(before).items as { id: string }[];
      expect(entries.length).toBeGreaterThanOrEqual(4);
      const entryId = entries[0]?.id as string;

      const documented = Object.keys(paths).filter((p) => /protocol/i.test(p));
      expect(documented).toEqual(['/api/processes/{id}/protocol']);
      for (const p of documented) expect(Object.keys(paths[p] ?? {}), p).toEqual(['get']);

      const fill = (p: string) => p.replace('{id}', processId);
      const probes = [
        ...documented.map(fill),
        `/api/processes/${processId}/protocol/${entryId}`,
        `/api/processes/${processId}/protocol/0`,
        `/api/processes/${processId}/protocol/${entryId}/details`,
        '/api/protocol',
        `/api/protocol/${entryId}`,
        `/api/protocol/${processId}`,
        `/api/processes/${processId}/protocol?limit=1`,
      ];
      let tried = 0;
      for (const probe of probes) {
        for (const method of WRITES) {
          for (const body of [undefined, { items: [] }, { action: 'process.launched', details: {} }]) {
            if (method === 'DELETE' && body !== undefined) continue;
            const res = await t.admin.request(method, probe, body);
            expect([404, 405], `${method} ${probe}: ${res.status} ${JSON.stringify(res.body)}`).toContain(
              res.status,
            );
            tried++;
          }
        }
      }
      expect(tried).toBe(probes.length * 10);
      expect(await rawProtocol(processId)).toBe(before);
    });

    it('every documented write on a process, as admin, only appends to the protocol', async () => {
      const processId = await launch();
      const invoiceId = (await t.admin.post('/api/invoices', { number: 'INV-KEPT' })).body.id as string;
      const taskId = (await t.admin.get(`/api/tasks?processId=${processId}`)).body.items[0].id as string;

      /** One admin request per documented write; deletions and the cancel come last. */
      const attachmentId = await upload(processId, 'to-delete');
      const requests: [string, () => Promise<{ status: number }>][] = [
        [
          'PATCH /api/processes/{id}',
          () => t.admin.patch(`/api/processes/${processId}`, { note: 'by admin' }),
        ],
        [
          'POST /api/processes/{id}/stage',
          () => t.admin.post(`/api/processes/${processId}/stage`, { state: 'in_progress' }),
        ],
        [
          'POST /api/processes/{id}/pause',
          () => t.admin.post(`/api/processes/${processId}/pause`, { for: 'P1D' }),
        ],
        ['POST /api/processes/{id}/resume', () => t.admin.post(`/api/processes/${processId}/resume`)],
        [
          'POST /api/processes/{id}/links',
          () => t.admin.post(`/api/processes/${processId}/links`, { type: 'invoice', id: invoiceId }),
        ],
        [
          'PUT /api/processes/{id}/access',
          () =>
            t.admin.put(`/api/processes/${processId}/access`, {
              entries: [{ employeeId: pavel.id, level: 'view' }],
            }),
        ],
        [
          'POST /api/processes/{id}/attachments',
          async () => {
            await upload(processId, 'added');
            return { status: 201 };
          },
        ],
        ['POST /api/tasks/{id}/complete', () => t.admin.post(`/api/tasks/${taskId}/complete`)],
        [
          'DELETE /api/processes/{id}/attachments/{attachmentId}',
          () => t.admin.delete(`/api/processes/${processId}/attachments/${attachmentId}`),
        ],
        [
          'DELETE /api/processes/{id}/links/{type}/{linkedId}',
          () => t.admin.delete(`/api/processes/${processId}/links/invoice/${invoiceId}`),
        ],
        [
          'PUT /api/processes/{id}/access (withdrawn)',
          () => t.admin.put(`/api/processes/${processId}/access`, { entries: [] }),
        ],
        ['POST /api/processes/{id}/cancel', () => t.admin.post(`/api/processes/${processId}/cancel`)],
      ];

      // Every documented write on one process (or its task) has a request here.
      const covered = new Set(requests.map(([key]) => key.replace(/ \(.*\)$/, '')));
      for (const [p, ops] of Object.entries(paths)) {
        if (!/^\/api\/(processes\/\{id\}|tasks\/\{id\})/.test(p)) continue;
        for (const method of Object.keys(ops).map((m) => m.toUpperCase())) {
          if (method === 'GET') continue;
          expect(covered.has(`${method} ${p}`), `no request for ${method} ${p}: add one`).toBe(true);
        }
      }

      let previous = await items(processId);
      for (const [key, send] of requests) {
        const res = await send();
        expect(res.status, key).toBeGreaterThanOrEqual(200);
        expect(res.status, key).toBeLessThan(300);
        const now = await items(processId);
        expect(now.length, `${key} added an entry`).toBeGreaterThan(previous.length);
        expect(now.slice(0, previous.length), `${key} kept every earlier entry as it was`).toEqual(previous);
        previous = now;
      }
      expect(previous.at(-1)?.action).toBe('process.cancelled');
      const removed = previous.filter((e) => /removed|cancelled|access\.changed/.test(String(e.action)));
      expect(removed.map((e) => e.action)).toEqual([
        'access.changed',
        'attachment.removed',
        'link.removed',
        'access.changed',
        'process.cancelled',
      ]);
    });
  });
}
