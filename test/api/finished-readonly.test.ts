/**
 * A completed or cancelled process is read-only: its note, files, links and access answer 422
 * `process_not_active` and stay as they were, while reading them still works — on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition, twoStageBody } from '../support/api-helpers.ts';
import { type Client, type Response, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

async function upload(
  url: string,
  token: string,
  processId: string,
  text: string,
  name: string,
): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(text)]), name);
  const res = await fetch(`${url}/api/processes/${processId}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

for (const store of STORES) {
  describe(`${store}: finished processes are read-only`, () => {
    let t: TestServer;
    let manager: Client & { id: string };
    let colleague: Client & { id: string };
    let definitionId: string;
    let invoiceId: string;
    let orderId: string;

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('fiona', 'manager', 'Fiona Finished');
      colleague = await t.employee('colin', 'manager', 'Colin Colleague');
      definitionId = await publishDefinition(t.admin, 'Read-only after the end', twoStageBody());
      const invoice = await manager.post('/api/invoices', { number: 'INV-1' });
      expectStatus(invoice, 201);
      invoiceId = invoice.body.id;
      const order = await manager.post('/api/orders', { number: 'ORD-1' });
      expectStatus(order, 201);
      orderId = order.body.id;
    });
    afterAll(async () => t?.close());

    /** A process with a note, a file, a link and a grant, then completed or cancelled. */
    async function finished(how: 'completed' | 'cancelled') {
      const launched = await manager.post('/api/processes', { definitionId, note: 'Before the end' });
      expectStatus(launched, 201);
      const id = launched.body.id as string;
      const file = await upload(t.url, manager.token, id, 'kept bytes', 'kept.txt');
      expectStatus(file, 201);
      expectStatus(await manager.post(`/api/processes/${id}/links`, { type: 'invoice', id: invoiceId }), 201);
      expectStatus(
        await manager.put(`/api/processes/${id}/access`, {
          entries: [{ employeeId: colleague.id, level: 'edit' }],
        }),
        200,
      );
      const ended =
        how === 'completed'
          ? await manager.post(`/api/processes/${id}/stage`, { state: 'done' })
          : await t.admin.post(`/api/processes/${id}/cancel`);
      expectStatus(ended, 200);
      expect(ended.body.status).toBe(how);
      const protocol = (await manager.get(`/api/processes/${id}/protocol`)).body.items;
      return { id, attachmentId: file.body.id as string, card: ended.body, protocol };
    }

    for (const how of ['completed', 'cancelled'] as const) {
      describe(`a ${how} process`, () => {
        let p: Awaited<ReturnType<typeof finished>>;

        beforeAll(async () => {
          p = await finished(how);
        });

        /** Nothing about the process changed: card and protocol are as they were when it ended. */
        async function unchanged(): Promise<void> {
          const card = await manager.get(`/api/processes/${p.id}`);
          expectStatus(card, 200);
          expect(card.body).toEqual(p.card);
          expect((await manager.get(`/api/processes/${p.id}/protocol`)).body.items).toEqual(p.protocol);
        }

        it('refuses a new note, even the same one', async () => {
          for (const note of ['After the end', 'Before the end']) {
            expectError(await manager.patch(`/api/processes/${p.id}`, { note }), 422, 'process_not_active');
          }
          expectError(
            await colleague.patch(`/api/processes/${p.id}`, { note: 'x', expectedVersion: p.card.version }),
            422,
            'process_not_active',
          );
          await unchanged();
        });

        it('refuses a new file and keeps no bytes of it', async () => {
          const res = await upload(t.url, manager.token, p.id, 'late bytes', 'late.txt');
          expectError(res, 422, 'process_not_active');
          await unchanged();
        });

        it('refuses to delete a file, which stays downloadable', async () => {
          expectError(
            await manager.delete(`/api/processes/${p.id}/attachments/${p.attachmentId}`),
            422,
            'process_not_active',
          );
          const download = await fetch(`${t.url}/api/processes/${p.id}/attachments/${p.attachmentId}`, {
            headers: { authorization: `Bearer ${manager.token}` },
          });
          expect(download.status).toBe(200);
          expect(await download.text()).toBe('kept bytes');
          await unchanged();
        });

        it('refuses to add or remove a link', async () => {
          expectError(
            await manager.post(`/api/processes/${p.id}/links`, { type: 'order', id: orderId }),
            422,
            'process_not_active',
          );
          expectError(
            await manager.delete(`/api/processes/${p.id}/links/invoice/${invoiceId}`),
            422,
            'process_not_active',
          );
          await unchanged();
        });

        it('refuses to change access, also to clear it', async () => {
          expectError(
            await manager.put(`/api/processes/${p.id}/access`, {
              entries: [{ employeeId: colleague.id, level: 'view' }],
            }),
            422,
            'process_not_active',
          );
          expectError(
            await manager.put(`/api/processes/${p.id}/access`, { entries: [] }),
            422,
            'process_not_active',
          );
          await unchanged();
        });

        it('still shows the note, file, link and access it ended with', async () => {
          expect(p.card).toMatchObject({
            status: how,
            note: 'Before the end',
            links: [{ type: 'invoice', id: invoiceId }],
            attachments: [{ id: p.attachmentId, name: 'kept.txt' }],
            access: [{ employeeId: colleague.id, level: 'edit' }],
          });
          await unchanged();
        });
      });
    }

    it('still lets an active process change all of these', async () => {
      const launched = await manager.post('/api/processes', { definitionId });
      const id = launched.body.id as string;
      expectStatus(await manager.patch(`/api/processes/${id}`, { note: 'Changed' }), 200);
      const file = await upload(t.url, manager.token, id, 'bytes', 'a.txt');
      expectStatus(file, 201);
      expectStatus(await manager.delete(`/api/processes/${id}/attachments/${file.body.id}`), 204);
      expectStatus(await manager.post(`/api/processes/${id}/links`, { type: 'order', id: orderId }), 201);
      expectStatus(await manager.delete(`/api/processes/${id}/links/order/${orderId}`), 200);
      expectStatus(await manager.put(`/api/processes/${id}/access`, { entries: [] }), 200);
    });
  });
}
