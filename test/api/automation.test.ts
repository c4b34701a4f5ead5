import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitoringBody } from '../fixtures/definitions.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { openStream } from '../support/sse.ts';
import { STORES } from '../support/stores.ts';

type Employee = Client & { id: string };

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, tries = 100): Promise<T> {
  let last = await probe();
  for (let i = 0; i < tries && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

for (const store of STORES) {
  describe(`${store}: stage automation and durable time`, () => {
    let t: TestServer;
    let anna: Employee;
    let boris: Employee;
    let vera: Employee;
    let clientId: string;

    async function publish(name: string, body: object): Promise<string> {
      const created = await t.admin.post('/api/definitions', { name, ...body });
      expect(created.status).toBe(201);
      const published = await t.admin.post(`/api/definitions/${created.body.id}/publish`);
      expect(published.status, JSON.stringify(published.body)).toBe(200);
      return created.body.id;
    }

    async function onlineOf(id: string): Promise<boolean> {
      const list = await t.admin.get('/api/employees');
      return list.body.items.find((e: any) => e.id === id).online;
    }

    beforeAll(async () => {
      t = await startTestServer(store);
      anna = await t.employee('anna', 'manager', 'Anna');
      boris = await t.employee('boris', 'manager', 'Boris');
      vera = await t.employee('vera', 'manager', 'Vera');
      clientId = (await t.admin.post('/api/counterparties', { name: 'Baltic Foods' })).body.id;
    });
    afterAll(async () => t?.close());

    it('routes a stage to the first online responsible, else the first listed', async () => {
      const defId = await publish('Routing', {
        stages: [
          { key: 'a', name: 'A', kind: 'start', responsibles: [anna.id, boris.id] },
          { key: 'b', name: 'B', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Done' }],
      });
      // Nobody online: the first in the list.
      let card = (await vera.post('/api/processes', { definitionId: defId })).body;
      expect(card.stage.responsible.id).toBe(anna.id);

      // Only Boris online: Boris, though second in the list.
      const borisStream = await openStream(t.url, boris.token);
      expect(await onlineOf(boris.id)).toBe(true);
      card = (await vera.post('/api/processes', { definitionId: defId })).body;
      expect(card.stage.responsible.id).toBe(boris.id);
      // The responsible sees the notification arrive live.
      const live = await borisStream.waitFor(
        (e) => e.event === 'notification' && e.data.processId === card.id,
      );
      expect(live.data.kind).toBe('process.launched');

      // Both online: the first in list order.
      const annaStream = await openStream(t.url, anna.token);
      card = (await vera.post('/api/processes', { definitionId: defId })).body;
      expect(card.stage.responsible.id).toBe(anna.id);

      // A closed stream is noticed: nobody online again.
      annaStream.close();
      borisStream.close();
      expect(
        await until(
          () => onlineOf(boris.id),
          (v) => v === false,
        ),
      ).toBe(false);
      expect(
        await until(
          () => onlineOf(anna.id),
          (v) => v === false,
        ),
      ).toBe(false);
      card = (await vera.post('/api/processes', { definitionId: defId })).body;
      expect(card.stage.responsible.id).toBe(anna.id);

      const notes = await boris.get('/api/notifications?unread=true');
      expect(notes.status).toBe(200);
      expect(notes.body.items.some((n: any) => n.kind === 'process.launched' && n.read === false)).toBe(true);
      const first = notes.body.items[0];
      const read = await boris.post(`/api/notifications/${first.id}/read`);
      expect(read.body.read).toBe(true);
      expect((await anna.post(`/api/notifications/${first.id}/read`)).status).toBe(404);
    });

    it('shows next stages with their responsibles and presence on the card', async () => {
      const defId = await publish('Next', {
        stages: [
          { key: 'a', name: 'A', kind: 'start' },
          { key: 'b', name: 'B', kind: 'end', responsibles: [anna.id, boris.id] },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Go' }],
      });
      const stream = await openStream(t.url, boris.token);
      const card = (await vera.post('/api/processes', { definitionId: defId })).body;
      expect(card.next).toEqual([
        {
          result: 'Go',
          stage: { key: 'b', name: 'B', kind: 'end' },
          responsibles: [
            { id: anna.id, name: 'Anna', online: false },
            { id: boris.id, name: 'Boris', online: true },
          ],
        },
      ]);
      stream.close();
    });

    it('creates the automatic event and blocks finishing while the process task is open', async () => {
      const defId = await publish('Monitoring', monitoringBody({ callers: [vera.id] }));
      const card = (await vera.post('/api/processes', { definitionId: defId, counterpartyId: clientId }))
        .body;
      const events = await vera.get(`/api/events?processId=${card.id}`);
      expect(events.body.items).toEqual([
        expect.objectContaining({
          type: 'call',
          comment: 'Call the client',
          processId: card.id,
          stageKey: 'call',
        }),
      ]);
      await vera.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Reached' });
      const atOffer = (
        await vera.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Chance to return' })
      ).body;
      expect(atOffer.stage.key).toBe('offer');
      const blocked = await vera.post(`/api/processes/${card.id}/stage`, {
        state: 'done',
        result: 'Refused',
      });
      expect(blocked.status).toBe(422);
      expect(blocked.body.error.code).toBe('blocking_task_open');
      const tasks = await vera.get(`/api/tasks?processId=${card.id}&status=open`);
      expect(tasks.body.items).toHaveLength(1);
      const task = tasks.body.items[0];
      expect(task).toMatchObject({
        title: 'Prepare the commercial offer',
        blocking: true,
        status: 'open',
        stageKey: 'offer',
      });
      const outsider = await t.employee('olga', 'manager');
      expect((await outsider.post(`/api/tasks/${task.id}/complete`)).status).toBe(404);
      const completed = await vera.post(`/api/tasks/${task.id}/complete`);
      expect(completed.status).toBe(200);
      expect(completed.body.task.status).toBe('done');
      expect(completed.body.process.id).toBe(card.id);
      const again = await vera.post(`/api/tasks/${task.id}/complete`);
      expect(again.body.error.code).toBe('task_not_open');
      const done = await vera.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Refused' });
      expect(done.status).toBe(200);
      expect(done.body.status).toBe('completed');
    });

    it('sleeps 30 days on a wait stage: still asleep on day 29, continuing on day 30', async () => {
      const defId = await publish('Rest', monitoringBody({ callers: [vera.id] }));
      const card = (await vera.post('/api/processes', { definitionId: defId })).body;
      const resting = (
        await vera.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Not reached' })
      ).body;
      expect(resting.stage).toMatchObject({ key: 'rest', state: 'in_progress' });
      const day29 = await t.admin.post('/api/test/clock', { advance: 'P29D' });
      expect(day29.status).toBe(200);
      expect((await vera.get(`/api/processes/${card.id}`)).body.stage.key).toBe('rest');
      const day30 = await t.admin.post('/api/test/clock', { advance: 'P1D' });
      expect(day30.body.fired).toBeGreaterThanOrEqual(1);
      const after = (await vera.get(`/api/processes/${card.id}`)).body;
      expect(after.stage).toMatchObject({ key: 'call', state: 'not_started', responsible: { id: vera.id } });
      const protocol = (await vera.get(`/api/processes/${card.id}/protocol`)).body.items.map(
        (i: any) => i.action,
      );
      expect(protocol.filter((a: string) => a === 'wait.elapsed')).toHaveLength(1);
      expect(protocol.filter((a: string) => a === 'event.created')).toHaveLength(2);
    });

    it('spawns a child that inherits the counterparty and links and knows its parent', async () => {
      const childDef = await publish('Delivery', {
        stages: [
          { key: 'pick', name: 'Pick', kind: 'start' },
          { key: 'done', name: 'Delivered', kind: 'end' },
        ],
        transitions: [{ from: 'pick', to: 'done', result: 'Picked' }],
      });
      const parentDef = await publish('Sale', {
        stages: [
          { key: 'sell', name: 'Sell', kind: 'start' },
          { key: 'ship', name: 'Ship', kind: 'end', spawn: [childDef] },
        ],
        transitions: [{ from: 'sell', to: 'ship', result: 'Paid' }],
      });
      const invoice = (await t.admin.post('/api/invoices', { number: 'INV-1', counterpartyId: clientId }))
        .body;
      const card = (
        await vera.post('/api/processes', {
          definitionId: parentDef,
          counterpartyId: clientId,
          links: [{ type: 'invoice', id: invoice.id }],
        })
      ).body;
      const done = (await vera.post(`/api/processes/${card.id}/stage`, { state: 'done' })).body;
      expect(done.status).toBe('completed');
      expect(done.children).toHaveLength(1);
      const child = (await vera.get(`/api/processes/${done.children[0].id}`)).body;
      expect(child).toMatchObject({
        parentId: card.id,
        status: 'active',
        counterparty: { id: clientId },
        definition: { id: childDef },
        links: [{ type: 'invoice', id: invoice.id }],
      });
      const parentProtocol = (await vera.get(`/api/processes/${card.id}/protocol`)).body.items;
      expect(
        parentProtocol.some((i: any) => i.action === 'child.spawned' && i.details.childId === child.id),
      ).toBe(true);
      const childProtocol = (await vera.get(`/api/processes/${child.id}/protocol`)).body.items;
      expect(childProtocol[0]).toMatchObject({ action: 'process.launched', details: { parentId: card.id } });
      const byParent = await vera.get(`/api/processes?parentId=${card.id}`);
      expect(byParent.body.items.map((p: any) => p.id)).toEqual([child.id]);
    });

    it('pauses by hand: moves are refused, and it resumes by itself', async () => {
      const defId = await publish('Pause', monitoringBody({ callers: [vera.id] }));
      const card = (await vera.post('/api/processes', { definitionId: defId })).body;
      const paused = await vera.post(`/api/processes/${card.id}/pause`, { for: 'P2D' });
      expect(paused.body.status).toBe('paused');
      const refused = await vera.post(`/api/processes/${card.id}/stage`, { state: 'in_progress' });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('process_not_active');
      await t.admin.post('/api/test/clock', { advance: 'P1D' });
      expect((await vera.get(`/api/processes/${card.id}`)).body.status).toBe('paused');
      await t.admin.post('/api/test/clock', { advance: 'P1D' });
      const resumed = (await vera.get(`/api/processes/${card.id}`)).body;
      expect(resumed.status).toBe('active');
      expect(resumed.pausedUntil).toBeNull();
      const notes = (await vera.get('/api/notifications')).body.items;
      expect(notes.some((n: any) => n.kind === 'process.resumed' && n.processId === card.id)).toBe(true);
      const protocol = (await vera.get(`/api/processes/${card.id}/protocol`)).body.items;
      expect(protocol.find((i: any) => i.action === 'process.resumed')).toMatchObject({
        actor: null,
        details: { automatic: true },
      });
    });

    it('lets a wait that fell due during a pause fire right after the resume', async () => {
      const defId = await publish('Pause over wait', monitoringBody({ callers: [vera.id] }));
      const card = (await vera.post('/api/processes', { definitionId: defId })).body;
      await vera.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Not reached' });
      await vera.post(`/api/processes/${card.id}/pause`, { for: 'P40D' });
      await t.admin.post('/api/test/clock', { advance: 'P31D' });
      const during = (await vera.get(`/api/processes/${card.id}`)).body;
      expect(during).toMatchObject({ status: 'paused', stage: { key: 'rest' } });
      const resumed = await vera.post(`/api/processes/${card.id}/resume`);
      expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
      await t.admin.post('/api/test/clock', { advance: 'PT1M' });
      const after = (await vera.get(`/api/processes/${card.id}`)).body;
      expect(after).toMatchObject({ status: 'active', stage: { key: 'call' } });
    });

    it('keeps a delayed task pending, then opens it with a notification', async () => {
      const defId = await publish('Delayed task', {
        stages: [
          {
            key: 'a',
            name: 'A',
            kind: 'start',
            task: {
              title: 'Call back',
              assignee: { employeeId: boris.id },
              startDelay: 'PT2H',
              dueIn: 'P1D',
            },
          },
          { key: 'b', name: 'B', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Done' }],
      });
      const card = (await vera.post('/api/processes', { definitionId: defId })).body;
      const pending = (await boris.get(`/api/tasks?processId=${card.id}`)).body.items;
      expect(pending).toHaveLength(1);
      expect(pending[0].status).toBe('pending');
      expect(Date.parse(pending[0].dueAt) - Date.parse(pending[0].startsAt)).toBe(24 * 3600 * 1000);
      expect((await boris.post(`/api/tasks/${pending[0].id}/complete`)).body.error.code).toBe(
        'task_not_open',
      );
      await t.admin.post('/api/test/clock', { advance: 'PT1H' });
      expect((await boris.get(`/api/tasks?processId=${card.id}`)).body.items[0].status).toBe('pending');
      await t.admin.post('/api/test/clock', { advance: 'PT1H' });
      expect((await boris.get(`/api/tasks?processId=${card.id}`)).body.items[0].status).toBe('open');
      const notes = (await boris.get('/api/notifications')).body.items;
      expect(notes.some((n: any) => n.kind === 'task.opened' && n.processId === card.id)).toBe(true);
    });

    it('moves a task that follows the responsible when the responsible changes', async () => {
      const defId = await publish('Follow', {
        stages: [
          {
            key: 'a',
            name: 'A',
            kind: 'start',
            responsibles: [anna.id],
            task: { title: 'Follow me', assignee: 'responsible', blocking: true },
          },
          { key: 'b', name: 'B', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Done' }],
      });
      const card = (await vera.post('/api/processes', { definitionId: defId })).body;
      const before = (await vera.get(`/api/tasks?processId=${card.id}`)).body.items[0];
      expect(before.assigneeId).toBe(anna.id);
      const changed = await vera.patch(`/api/processes/${card.id}`, { responsibleId: boris.id });
      expect(changed.body.stage.responsible.id).toBe(boris.id);
      const after = (await vera.get(`/api/tasks?processId=${card.id}`)).body.items[0];
      expect(after).toMatchObject({ id: before.id, assigneeId: boris.id, status: 'open' });
      // Boris may now complete it, which unblocks the stage.
      expect((await boris.post(`/api/tasks/${after.id}/complete`)).status).toBe(200);
      const protocol = (await vera.get(`/api/processes/${card.id}/protocol`)).body.items.map(
        (i: any) => i.action,
      );
      expect(protocol).toContain('task.reassigned');
    });

    it('refuses the test clock to managers', async () => {
      const res = await vera.post('/api/test/clock', { advance: 'P1D' });
      expect(res.status).toBe(403);
    });
  });
}
