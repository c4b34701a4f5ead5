/**
 * The process card over HTTP: the next responsible picked by hand, the note, changing
 * the responsible, bulk launch, links to CRM records, and access grants — seen from the people who
 * may and may not act — on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, type Response, startTestServer, type TestServer } from '../support/server.ts';
import { openStream } from '../support/sse.ts';
import { STORES } from '../support/stores.ts';

type Employee = Client & { id: string };

async function uploadAs(url: string, who: Client, processId: string, text: string): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(text)]), 'note.txt');
  const res = await fetch(`${url}/api/processes/${processId}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  const raw = await res.text();
  return { status: res.status, body: raw === '' ? null : JSON.parse(raw), headers: res.headers };
}

for (const store of STORES) {
  describe(`${store}: the process card`, () => {
    let t: TestServer;
    let mila: Employee;
    let ivan: Employee;
    let petr: Employee;
    let olga: Employee;
    let oleg: Employee;
    let definitionId: string;
    const clients: string[] = [];

    /** a (start: an event and a task for its responsible) → b (responsibles Ivan, Petr) → c (end). */
    function cardBody() {
      return {
        stages: [
          {
            key: 'a',
            name: 'Qualify',
            kind: 'start',
            event: { type: 'call', comment: 'Ring the client' },
            task: { title: 'Write the summary', assignee: 'responsible' },
          },
          { key: 'b', name: 'Negotiate', kind: 'normal', responsibles: [ivan.id, petr.id] },
          { key: 'c', name: 'Closed', kind: 'end' },
        ],
        transitions: [
          { from: 'a', to: 'b', result: 'Go' },
          { from: 'b', to: 'c', result: 'Finish' },
        ],
      };
    }

    async function launch(by: Client = mila, extra: object = {}): Promise<any> {
      const res = await by.post('/api/processes', { definitionId, ...extra });
      expectStatus(res, 201);
      return res.body;
    }

    async function journalIds(who: Client, query = `definitionId=${definitionId}`): Promise<string[]> {
      const res = await who.get(`/api/processes?limit=500&${query}`);
      expectStatus(res, 200);
      return res.body.items.map((p: any) => p.id);
    }

    async function countAll(query = `definitionId=${definitionId}`): Promise<number> {
      const res = await t.admin.get(`/api/processes/counts?${query}`);
      expectStatus(res, 200);
      return Object.values(res.body as Record<string, number>).reduce((a, b) => a + b, 0);
    }

    beforeAll(async () => {
      t = await startTestServer(store);
      mila = await t.employee('mila', 'manager', 'Mila');
      ivan = await t.employee('ivan', 'manager', 'Ivan');
      petr = await t.employee('petr', 'manager', 'Petr');
      olga = await t.employee('olga', 'manager', 'Olga');
      oleg = await t.employee('oleg', 'manager', 'Oleg');
      definitionId = await publishDefinition(t.admin, 'Card flow', cardBody());
      for (const name of ['Alfa LLC', 'Beta JSC', 'Gamma Ltd']) {
        const res = await t.admin.post('/api/counterparties', { name, group: 'Lost' });
        expectStatus(res, 201);
        clients.push(res.body.id);
      }
    });
    afterAll(async () => t?.close());

    it('shows who of the next responsibles is online, and lets a hand pick win over the list', async () => {
      const stream = await openStream(t.url, petr.token);
      try {
        const card = await launch();
        expect(card.next).toEqual([
          {
            result: 'Go',
            stage: { key: 'b', name: 'Negotiate', kind: 'normal' },
            responsibles: [
              { id: ivan.id, name: 'Ivan', online: false },
              { id: petr.id, name: 'Petr', online: true },
            ],
          },
        ]);

        // Without a pick, the first online in list order: Petr.
        const control = await launch();
        const routed = await mila.post(`/api/processes/${control.id}/stage`, { state: 'done', result: 'Go' });
        expectStatus(routed, 200);
        expect(routed.body.stage.responsible).toEqual({ id: petr.id, name: 'Petr' });

        // A pick of an unknown employee changes nothing.
        const unknown = await mila.post(`/api/processes/${card.id}/stage`, {
          state: 'done',
          result: 'Go',
          nextResponsibleId: 'no-such-employee',
        });
        expectError(unknown, 422, 'reference_not_found');
        const still = (await mila.get(`/api/processes/${card.id}`)).body;
        expect(still.stage.key).toBe('a');
        expect(still.version).toBe(card.version);

        // With a pick: Ivan, though he is offline and Petr is online.
        const picked = await mila.post(`/api/processes/${card.id}/stage`, {
          state: 'done',
          result: 'Go',
          nextResponsibleId: ivan.id,
        });
        expectStatus(picked, 200);
        expect(picked.body.stage).toMatchObject({
          key: 'b',
          state: 'not_started',
          responsible: { id: ivan.id, name: 'Ivan' },
        });
        const protocol = (await mila.get(`/api/processes/${card.id}/protocol`)).body.items;
        expect(protocol.filter((i: any) => i.action === 'stage.entered').at(-1).details).toMatchObject({
          stage: 'b',
          responsibleId: ivan.id,
          routing: 'hand_pick',
        });
        // The picked responsible is told, and may now open the card.
        const notes = (await ivan.get('/api/notifications')).body.items;
        expect(notes.some((n: any) => n.processId === card.id && n.kind === 'stage.assigned')).toBe(true);
        expectStatus(await ivan.get(`/api/processes/${card.id}`), 200);
      } finally {
        stream.close();
      }
    });

    it('edits the note with PATCH; a view-only employee may not', async () => {
      const card = await launch(mila, { note: 'first words' });
      const edited = await mila.patch(`/api/processes/${card.id}`, {
        note: 'Client asked for a discount',
        expectedVersion: card.version,
      });
      expectStatus(edited, 200);
      expect(edited.body.note).toBe('Client asked for a discount');
      expect(edited.body.version).toBe(card.version + 1);

      const stale = await mila.patch(`/api/processes/${card.id}`, {
        note: 'late',
        expectedVersion: card.version,
      });
      expectError(stale, 409, 'version_conflict');

      expectStatus(
        await mila.put(`/api/processes/${card.id}/access`, {
          entries: [{ employeeId: olga.id, level: 'view' }],
        }),
        200,
      );
      const refused = await olga.patch(`/api/processes/${card.id}`, { note: 'olga was here' });
      expectError(refused, 403, 'forbidden');
      const after = (await mila.get(`/api/processes/${card.id}`)).body;
      expect(after.note).toBe('Client asked for a discount');

      const changes = (await mila.get(`/api/processes/${card.id}/protocol`)).body.items.filter(
        (i: any) => i.action === 'note.changed',
      );
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        actor: { id: mila.id, name: 'Mila' },
        details: { note: 'Client asked for a discount' },
      });
    });

    it('notifies the new responsible when the responsible is changed', async () => {
      const card = await launch();
      expect(card.stage.responsible).toEqual({ id: mila.id, name: 'Mila' });
      expectError(await petr.get(`/api/processes/${card.id}`), 404, 'not_found');

      const unknown = await mila.patch(`/api/processes/${card.id}`, { responsibleId: 'nobody' });
      expectError(unknown, 422, 'reference_not_found');

      const changed = await mila.patch(`/api/processes/${card.id}`, { responsibleId: petr.id });
      expectStatus(changed, 200);
      expect(changed.body.stage.responsible).toEqual({ id: petr.id, name: 'Petr' });

      const notes = await petr.get('/api/notifications');
      expectStatus(notes, 200);
      const note = notes.body.items.find((n: any) => n.processId === card.id);
      expect(note).toMatchObject({ kind: 'responsible.changed', processId: card.id, read: false });
      expect(typeof note.text).toBe('string');
      // The new responsible may open the card and holds the stage's task now.
      expectStatus(await petr.get(`/api/processes/${card.id}`), 200);
      const tasks = (await petr.get(`/api/tasks?processId=${card.id}`)).body.items;
      expect(tasks.map((x: any) => x.assignee?.id)).toEqual([petr.id]);
    });

    it('launches one process per client in bulk, all or nothing', async () => {
      const before = await countAll();
      const bulk = await mila.post('/api/processes/bulk', {
        definitionId,
        counterpartyIds: clients,
        note: 'Lost clients, spring round',
      });
      expectStatus(bulk, 201);
      expect(bulk.body.items).toHaveLength(3);
      expect(bulk.body.items.map((c: any) => c.counterparty.id)).toEqual(clients);
      expect(bulk.body.items.map((c: any) => c.counterparty.name)).toEqual([
        'Alfa LLC',
        'Beta JSC',
        'Gamma Ltd',
      ]);
      expect(new Set(bulk.body.items.map((c: any) => c.id)).size).toBe(3);
      for (const card of bulk.body.items) {
        expect(card).toMatchObject({
          status: 'active',
          note: 'Lost clients, spring round',
          initiator: { id: mila.id, name: 'Mila' },
          stage: { key: 'a' },
          definition: { id: definitionId },
        });
      }
      expect(await countAll()).toBe(before + 3);

      const broken = await mila.post('/api/processes/bulk', {
        definitionId,
        counterpartyIds: [clients[0], clients[1], 'no-such-client'],
      });
      expectError(broken, 422, 'reference_not_found');
      expect(await countAll()).toBe(before + 3);
      expect((await journalIds(t.admin)).length).toBe(before + 3);
    });

    it('links an invoice, refuses a duplicate or a missing one, and unlinks it', async () => {
      const card = await launch();
      const invoice = await t.admin.post('/api/invoices', { number: 'INV-2024-042', amount: 1200 });
      expectStatus(invoice, 201);
      const invoiceId = invoice.body.id as string;

      const linked = await mila.post(`/api/processes/${card.id}/links`, { type: 'invoice', id: invoiceId });
      expectStatus(linked, 201);
      expect(linked.body.links).toContainEqual({ type: 'invoice', id: invoiceId, label: 'INV-2024-042' });
      expect((await mila.get(`/api/processes/${card.id}`)).body.links).toEqual([
        { type: 'invoice', id: invoiceId, label: 'INV-2024-042' },
      ]);

      expectError(
        await mila.post(`/api/processes/${card.id}/links`, { type: 'invoice', id: invoiceId }),
        409,
        'duplicate',
      );
      expectError(
        await mila.post(`/api/processes/${card.id}/links`, { type: 'invoice', id: 'no-such-invoice' }),
        422,
        'reference_not_found',
      );
      // An order with the invoice's id is not the invoice.
      expectError(
        await mila.post(`/api/processes/${card.id}/links`, { type: 'order', id: invoiceId }),
        422,
        'reference_not_found',
      );
      expectError(
        await mila.post(`/api/processes/${card.id}/links`, { type: 'receipt', id: invoiceId }),
        400,
        'validation_failed',
      );
      expect((await mila.get(`/api/processes/${card.id}`)).body.links).toHaveLength(1);

      const unlinked = await mila.delete(`/api/processes/${card.id}/links/invoice/${invoiceId}`);
      expectStatus(unlinked, 200);
      expect(unlinked.body.links).toEqual([]);
      expectError(
        await mila.delete(`/api/processes/${card.id}/links/invoice/${invoiceId}`),
        404,
        'not_found',
      );
      expect((await mila.get(`/api/processes/${card.id}`)).body.links).toEqual([]);
    });

    it('links the orders and projects given at launch, and launches nothing when one is missing', async () => {
      const order = (await t.admin.post('/api/orders', { number: 'ORD-77' })).body;
      const project = (await t.admin.post('/api/projects', { name: 'Warehouse move' })).body;
      const card = await launch(mila, {
        counterpartyId: clients[0],
        links: [
          { type: 'order', id: order.id },
          { type: 'project', id: project.id },
        ],
      });
      expect(card.links).toHaveLength(2);
      expect(card.links).toEqual(
        expect.arrayContaining([
          { type: 'order', id: order.id, label: 'ORD-77' },
          { type: 'project', id: project.id, label: 'Warehouse move' },
        ]),
      );

      const before = await countAll();
      const missing = await mila.post('/api/processes', {
        definitionId,
        links: [
          { type: 'order', id: order.id },
          { type: 'project', id: 'no-such-project' },
        ],
      });
      expectError(missing, 422, 'reference_not_found');
      expect(await countAll()).toBe(before);
    });

    it('grants view access: the employee sees the card but may change nothing', async () => {
      const card = await launch();
      expectError(await olga.get(`/api/processes/${card.id}`), 404, 'not_found');
      expect(await journalIds(olga)).not.toContain(card.id);

      const granted = await mila.put(`/api/processes/${card.id}/access`, {
        entries: [{ employeeId: olga.id, level: 'view' }],
      });
      expectStatus(granted, 200);
      expect(granted.body.access).toEqual([{ employeeId: olga.id, level: 'view' }]);
      const base = granted.body;

      const seen = await olga.get(`/api/processes/${card.id}`);
      expectStatus(seen, 200);
      expect(seen.body.id).toBe(card.id);
      expect(await journalIds(olga)).toContain(card.id);
      expectStatus(await olga.get(`/api/processes/${card.id}/protocol`), 200);

      const invoice = (await t.admin.post('/api/invoices', { number: 'INV-V' })).body;
      const attempts: [string, Response][] = [
        ['start', await olga.post(`/api/processes/${card.id}/stage`, { state: 'in_progress' })],
        ['finish', await olga.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Go' })],
        ['note', await olga.patch(`/api/processes/${card.id}`, { note: 'mine now' })],
        ['responsible', await olga.patch(`/api/processes/${card.id}`, { responsibleId: olga.id })],
        ['upload', await uploadAs(t.url, olga, card.id, 'hello')],
        ['link', await olga.post(`/api/processes/${card.id}/links`, { type: 'invoice', id: invoice.id })],
        [
          'access',
          await olga.put(`/api/processes/${card.id}/access`, {
            entries: [{ employeeId: olga.id, level: 'edit' }],
          }),
        ],
        ['pause', await olga.post(`/api/processes/${card.id}/pause`, { for: 'P1D' })],
      ];
      for (const [what, res] of attempts) {
        expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(403);
        expect(res.body.error.code, what).toBe('forbidden');
      }
      const after = (await mila.get(`/api/processes/${card.id}`)).body;
      expect(after).toMatchObject({
        version: base.version,
        note: base.note,
        stage: base.stage,
        links: [],
        attachments: [],
        access: [{ employeeId: olga.id, level: 'view' }],
      });
    });

    it('grants edit access: the employee may take over and move the stage; removing the grant hides the process', async () => {
      const card = await launch();
      expectStatus(
        await mila.put(`/api/processes/${card.id}/access`, {
          entries: [{ employeeId: olga.id, level: 'edit' }],
        }),
        200,
      );
      // The stage is someone else's: edit access alone does not move it; taking it over does.
      if (card.stage.responsible && card.stage.responsible.id !== olga.id) {
        expectError(
          await olga.post(`/api/processes/${card.id}/stage`, { state: 'in_progress' }),
          403,
          'not_stage_responsible',
        );
      }
      expectStatus(await olga.patch(`/api/processes/${card.id}`, { responsibleId: olga.id }), 200);
      const started = await olga.post(`/api/processes/${card.id}/stage`, { state: 'in_progress' });
      expectStatus(started, 200);
      expect(started.body.stage.state).toBe('in_progress');
      const moved = await olga.post(`/api/processes/${card.id}/stage`, {
        state: 'done',
        result: 'Go',
        nextResponsibleId: ivan.id,
      });
      expectStatus(moved, 200);
      expect(moved.body.stage).toMatchObject({ key: 'b', responsible: { id: ivan.id } });

      // A grant alone, once removed, leaves nothing behind (having been responsible would).
      const other = await launch();
      const granted = await mila.put(`/api/processes/${other.id}/access`, {
        entries: [{ employeeId: olga.id, level: 'edit' }],
      });
      expectStatus(granted, 200);
      expectStatus(await olga.get(`/api/processes/${other.id}`), 200);
      const revoked = await mila.put(`/api/processes/${other.id}/access`, { entries: [] });
      expectStatus(revoked, 200);
      expect(revoked.body.access).toEqual([]);
      expectError(await olga.get(`/api/processes/${other.id}`), 404, 'not_found');
      expect(await journalIds(olga)).not.toContain(other.id);
      expectError(
        await olga.post(`/api/processes/${other.id}/stage`, { state: 'in_progress' }),
        404,
        'not_found',
      );
    });

    it('hides a process entirely from an employee without access', async () => {
      const card = await launch(mila, { counterpartyId: clients[1], note: 'confidential terms' });
      const uploaded = await uploadAs(t.url, mila, card.id, 'secret contract');
      expectStatus(uploaded, 201);
      const tasks = (await mila.get(`/api/tasks?processId=${card.id}`)).body.items;
      expect(tasks).toHaveLength(1);
      const events = (await mila.get(`/api/events?processId=${card.id}`)).body.items;
      expect(events).toHaveLength(1);

      expectError(await oleg.get(`/api/processes/${card.id}`), 404, 'not_found');
      expectError(await oleg.get(`/api/processes/${card.id}/protocol`), 404, 'not_found');
      expectError(
        await oleg.get(`/api/processes/${card.id}/attachments/${uploaded.body.id}`),
        404,
        'not_found',
      );
      expectError(await oleg.get(`/api/events?processId=${card.id}`), 404, 'not_found');
      expectError(await oleg.patch(`/api/processes/${card.id}`, { note: 'x' }), 404, 'not_found');

      // Absent from every list and count.
      expect(await journalIds(oleg, '')).not.toContain(card.id);
      expect(await journalIds(oleg, `counterpartyId=${clients[1]}`)).toEqual([]);
      expect(await journalIds(oleg, 'q=confidential')).toEqual([]);
      const counts = await oleg.get(`/api/processes/counts?definitionId=${definitionId}`);
      expectStatus(counts, 200);
      expect(counts.body).toEqual({ active: 0, paused: 0, completed: 0, cancelled: 0 });
      const taskList = await oleg.get(`/api/tasks?processId=${card.id}`);
      expect([200, 404]).toContain(taskList.status);
      if (taskList.status === 200) expect(taskList.body.items).toEqual([]);
      else expect(taskList.body.error.code).toBe('not_found');
      const allTasks = (await oleg.get('/api/tasks?limit=500')).body.items;
      expect(allTasks.map((x: any) => x.processId)).not.toContain(card.id);
      const allEvents = (await oleg.get('/api/events?limit=500')).body.items;
      expect(allEvents.map((e: any) => e.processId)).not.toContain(card.id);
      expectError(await oleg.post(`/api/tasks/${tasks[0].id}/complete`), 404, 'not_found');

      // The card, as its initiator sees it, is untouched.
      const after = (await mila.get(`/api/processes/${card.id}`)).body;
      expect(after.note).toBe('confidential terms');
      expect(after.version).toBe(card.version);
    });
  });
}
