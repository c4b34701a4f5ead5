/**
 * Every route of the OpenAPI document that names a process, an attachment or a task is called by an
 * employee without access: each must answer 403 or 404 and change nothing. A new route with such a
 * parameter fails this test until it is given a request below, so none can escape the check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const PARAM_ROUTE = /\{(id|attachmentId|linkedId|type)\}/;

for (const store of STORES) {
  describe(`${store}: access matrix from the OpenAPI document`, () => {
    let t: TestServer;
    let outsider: Client & { id: string };
    let processId: string;
    let attachmentId: string;
    let taskId: string;
    let invoiceId: string;

    beforeAll(async () => {
      t = await startTestServer(store);
      outsider = await t.employee('outsider');
      const def = await t.admin.post('/api/definitions', {
        name: 'Secret',
        stages: [
          {
            key: 'a',
            name: 'A',
            kind: 'start',
            task: { title: 'Do it', assignee: 'responsible', blocking: true },
          },
          { key: 'b', name: 'B', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Done' }],
      });
      await t.admin.post(`/api/definitions/${def.body.id}/publish`);
      invoiceId = (await t.admin.post('/api/invoices', { number: 'INV-9' })).body.id;
      processId = (
        await t.admin.post('/api/processes', {
          definitionId: def.body.id,
          links: [{ type: 'invoice', id: invoiceId }],
        })
      ).body.id;
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('secret bytes')]), 'secret.txt');
      const uploaded = await fetch(`${t.url}/api/processes/${processId}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.admin.token}` },
        body: form,
      });
      expect(uploaded.status).toBe(201);
      attachmentId = ((await uploaded.json()) as { id: string }).id;
      taskId = (await t.admin.get(`/api/tasks?processId=${processId}`)).body.items[0].id;
    });
    afterAll(async () => t?.close());

    /** A request that would succeed for someone with access, so only the access check can refuse it. */
    function requestFor(method: string, path: string): { body?: unknown; multipart?: boolean } | undefined {
      const key = `${method} ${path}`;
      const bodies: Record<string, { body?: unknown; multipart?: boolean }> = {
        'GET /api/processes/{id}': {},
        'PATCH /api/processes/{id}': { body: { note: 'changed by an outsider' } },
        'POST /api/processes/{id}/stage': { body: { state: 'in_progress' } },
        'POST /api/processes/{id}/pause': { body: { for: 'P1D' } },
        'POST /api/processes/{id}/resume': { body: {} },
        'POST /api/processes/{id}/cancel': { body: {} },
        'GET /api/processes/{id}/protocol': {},
        'POST /api/processes/{id}/attachments': { multipart: true },
        'GET /api/processes/{id}/attachments/{attachmentId}': {},
        'DELETE /api/processes/{id}/attachments/{attachmentId}': {},
        'POST /api/processes/{id}/links': { body: { type: 'invoice', id: invoiceId } },
        'DELETE /api/processes/{id}/links/{type}/{linkedId}': {},
        'PUT /api/processes/{id}/access': { body: { entries: [{ employeeId: outsider.id, level: 'edit' }] } },
        'POST /api/tasks/{id}/complete': {},
      };
      return bodies[key];
    }

    function fill(path: string): string {
      const id = path.startsWith('/api/tasks/') ? taskId : processId;
      return path
        .replace('{id}', id)
        .replace('{attachmentId}', attachmentId)
        .replace('{type}', 'invoice')
        .replace('{linkedId}', invoiceId);
    }

    it('refuses every process, attachment and task route to an outsider and changes nothing', async () => {
      const before = {
        card: (await t.admin.get(`/api/processes/${processId}`)).body,
        protocol: (await t.admin.get(`/api/processes/${processId}/protocol`)).body.items.length,
      };
      const doc = (await t.admin.get('/api/openapi.json')).body;
      const checked: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
        const scoped = /^\/api\/(processes|tasks)\/\{id\}/.test(path);
        if (!PARAM_ROUTE.test(path) || !scoped) continue;
        for (const method of Object.keys(ops).map((m) => m.toUpperCase())) {
          const spec = requestFor(method, path);
          expect(spec, `no access-matrix request for ${method} ${path}: add one`).toBeDefined();
          let status: number;
          if (spec?.multipart) {
            const form = new FormData();
            form.append('file', new Blob([Buffer.from('intruder')]), 'x.txt');
            status = (
              await fetch(t.url + fill(path), {
                method,
                headers: { authorization: `Bearer ${outsider.token}` },
                body: form,
              })
            ).status;
          } else {
            status = (await outsider.request(method, fill(path), spec?.body)).status;
          }
          expect([403, 404], `${method} ${path} answered ${status}`).toContain(status);
          checked.push(`${method} ${path}`);
        }
      }
      expect(checked.length).toBeGreaterThanOrEqual(14);

      const after = (await t.admin.get(`/api/processes/${processId}`)).body;
      expect(after).toEqual(before.card);
      expect((await t.admin.get(`/api/processes/${processId}/protocol`)).body.items).toHaveLength(
        before.protocol,
      );
      const download = await fetch(`${t.url}/api/processes/${processId}/attachments/${attachmentId}`, {
        headers: { authorization: `Bearer ${t.admin.token}` },
      });
      expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('secret bytes');
      expect((await t.admin.get(`/api/tasks?processId=${processId}`)).body.items[0].status).toBe('open');
    });

    it("refuses a colleague with edit access the stage and task routes that belong to the stage's responsible", async () => {
      const colleague = await t.employee('colleague');
      const before = (await t.admin.get(`/api/processes/${processId}`)).body;
      expect(before.stage.responsible.id).not.toBe(colleague.id);
      const granted = await t.admin.put(`/api/processes/${processId}/access`, {
        entries: [{ employeeId: colleague.id, level: 'edit' }],
      });
      expect(granted.status).toBe(200);
      const owned: [string, string, unknown][] = [
        ['POST', `/api/processes/${processId}/stage`, { state: 'in_progress' }],
        ['POST', `/api/processes/${processId}/stage`, { state: 'done', result: 'Done' }],
        ['POST', `/api/tasks/${taskId}/complete`, undefined],
      ];
      for (const [method, path, body] of owned) {
        const res = await colleague.request(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.body.error.code, `${method} ${path}`).toBe('not_stage_responsible');
      }
      const after = (await t.admin.get(`/api/processes/${processId}`)).body;
      expect(after.stage).toEqual(before.stage);
      expect((await t.admin.get(`/api/tasks?processId=${processId}`)).body.items[0].status).toBe('open');
      expect((await t.admin.put(`/api/processes/${processId}/access`, { entries: [] })).status).toBe(200);
    });

    it('leaks nothing through lists and counts', async () => {
      expect((await outsider.get('/api/processes')).body.items).toEqual([]);
      expect((await outsider.get(`/api/processes?q=Secret`)).body.items).toEqual([]);
      expect((await outsider.get('/api/processes/counts')).body).toEqual({
        active: 0,
        paused: 0,
        completed: 0,
        cancelled: 0,
      });
      expect((await outsider.get(`/api/tasks?processId=${processId}`)).body.items).toEqual([]);
      expect((await outsider.get('/api/tasks')).body.items).toEqual([]);
      expect((await outsider.get(`/api/events?processId=${processId}`)).status).toBe(404);
      expect((await outsider.get('/api/events')).body.items).toEqual([]);
      // The admin, for contrast, sees them.
      expect((await t.admin.get('/api/processes')).body.items.map((p: any) => p.id)).toContain(processId);
    });
  });
}
