/**
 * Notifications say who and what: every one names the process's client (or its linked record) and
 * its launcher, in `details` for the web app and in the plain `text` with English quotes; a bulk
 * launch tells each recipient once ("12 new “Delivery” processes"); being granted access notifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

for (const kind of STORES) {
  describe(`${kind}: notifications that say who and what`, () => {
    let t: TestServer;
    let ivan: Client & { id: string };
    let anna: Client & { id: string };
    let boris: Client & { id: string };
    let delivery: string;

    beforeAll(async () => {
      t = await startTestServer(kind);
      ivan = await t.employee('ivan', 'manager', 'Ivan Petrov');
      anna = await t.employee('anna', 'manager', 'Anna Smith');
      boris = await t.employee('boris', 'manager', 'Boris Orlov');
      delivery = await publishDefinition(t.admin, 'Delivery of goods', {
        stages: [
          { key: 'pick', name: 'Pick the order', kind: 'start', responsibles: [anna.id] },
          { key: 'done', name: 'Delivered', kind: 'end' },
        ],
        transitions: [{ from: 'pick', to: 'done', result: 'Shipped' }],
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    async function notifications(who: Client) {
      const res = await who.get('/api/notifications?limit=100');
      expectStatus(res, 200);
      return res.body.items as { kind: string; processId: string | null; text: string; details: any }[];
    }

    async function markAllRead(who: Client) {
      for (const n of await notifications(who)) await who.post(`/api/notifications/${(n as any).id}/read`);
    }

    it('names the client and the launcher of a launched process, with English quotes in the text', async () => {
      await markAllRead(anna);
      const acme = (await ivan.post('/api/counterparties', { name: 'Acme Ltd' })).body;
      const launched = await ivan.post('/api/processes', { definitionId: delivery, counterpartyId: acme.id });
      expectStatus(launched, 201);
      const [n, ...rest] = await notifications(anna);
      expect(rest.filter((r) => r.processId === launched.body.id)).toEqual([]);
      expect(n).toMatchObject({
        kind: 'process.launched',
        processId: launched.body.id,
        details: {
          definitionName: 'Delivery of goods',
          stageName: 'Pick the order',
          counterpartyName: 'Acme Ltd',
          initiatorName: 'Ivan Petrov',
        },
      });
      expect(n?.text).toBe(
        'New process \u201cDelivery of goods\u201d for \u201cAcme Ltd\u201d (launched by Ivan Petrov): stage \u201cPick the order\u201d is yours.',
      );
      expect(n?.text).not.toContain('"');
    });

    it('names the linked record when the process has no client', async () => {
      const order = (await ivan.post('/api/orders', { number: 'ORD-77' })).body;
      const launched = await ivan.post('/api/processes', {
        definitionId: delivery,
        links: [{ type: 'order', id: order.id }],
      });
      expectStatus(launched, 201);
      const n = (await notifications(anna)).find((x) => x.processId === launched.body.id);
      expect(n?.details).toMatchObject({
        counterpartyName: null,
        record: { type: 'order', label: 'ORD-77' },
        initiatorName: 'Ivan Petrov',
      });
      expect(n?.text).toContain('for order \u201cORD-77\u201d');
    });

    it('names them on a reassignment too', async () => {
      const acme = (await ivan.post('/api/counterparties', { name: 'Reassigned Co' })).body;
      const launched = await ivan.post('/api/processes', { definitionId: delivery, counterpartyId: acme.id });
      expectStatus(await anna.patch(`/api/processes/${launched.body.id}`, { responsibleId: boris.id }), 200);
      const n = (await notifications(boris)).find((x) => x.processId === launched.body.id);
      expect(n).toMatchObject({
        kind: 'responsible.changed',
        details: {
          counterpartyName: 'Reassigned Co',
          initiatorName: 'Ivan Petrov',
          stageName: 'Pick the order',
        },
      });
    });

    it('names them when a delayed task opens later, on the timer', async () => {
      const delayed = await publishDefinition(t.admin, 'Follow-up', {
        stages: [
          {
            key: 'a',
            name: 'Call back',
            kind: 'start',
            task: { title: 'Ring them', assignee: { employeeId: boris.id }, startDelay: 'PT1H' },
          },
          { key: 'b', name: 'Done', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Rang' }],
      });
      const acme = (await ivan.post('/api/counterparties', { name: 'Later Co' })).body;
      const launched = await ivan.post('/api/processes', { definitionId: delayed, counterpartyId: acme.id });
      expect((await notifications(boris)).filter((x) => x.processId === launched.body.id)).toEqual([]);
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT1H' }), 200);
      const n = (await notifications(boris)).find((x) => x.processId === launched.body.id);
      expect(n).toMatchObject({
        kind: 'task.opened',
        details: {
          title: 'Ring them',
          stageName: 'Call back',
          counterpartyName: 'Later Co',
          initiatorName: 'Ivan Petrov',
        },
      });
      expect(n?.text).toBe(
        'New task \u201cRing them\u201d in \u201cFollow-up\u201d for \u201cLater Co\u201d (launched by Ivan Petrov).',
      );
    });

    it('groups a bulk launch into one notification per recipient, with the count', async () => {
      await markAllRead(anna);
      const ids: string[] = [];
      for (let i = 0; i < 12; i++)
        ids.push((await ivan.post('/api/counterparties', { name: `Client ${i}` })).body.id);
      const bulk = await ivan.post('/api/processes/bulk', { definitionId: delivery, counterpartyIds: ids });
      expectStatus(bulk, 201);
      expect(bulk.body.items).toHaveLength(12);
      const unread = await anna.get('/api/notifications?unread=true');
      expect(unread.body.unread).toBe(1);
      expect(unread.body.items).toHaveLength(1);
      const n = unread.body.items[0];
      expect(n).toMatchObject({
        kind: 'processes.launched',
        processId: null,
        details: {
          count: 12,
          definitionId: delivery,
          definitionName: 'Delivery of goods',
          initiatorName: 'Ivan Petrov',
          stageName: 'Pick the order',
        },
      });
      expect([...n.details.processIds].sort()).toEqual(bulk.body.items.map((c: any) => c.id).sort());
      expect(n.text).toBe(
        '12 new \u201cDelivery of goods\u201d processes from Ivan Petrov are yours: stage \u201cPick the order\u201d.',
      );
    });

    it('a bulk launch of one stays a plain launch notification', async () => {
      await markAllRead(anna);
      const one = (await ivan.post('/api/counterparties', { name: 'Solo' })).body.id;
      expectStatus(
        await ivan.post('/api/processes/bulk', { definitionId: delivery, counterpartyIds: [one] }),
        201,
      );
      const unread = (await anna.get('/api/notifications?unread=true')).body.items;
      expect(unread).toHaveLength(1);
      expect(unread[0]).toMatchObject({ kind: 'process.launched', details: { counterpartyName: 'Solo' } });
    });

    it('notifies an employee granted access, once, and not the one granting', async () => {
      const acme = (await ivan.post('/api/counterparties', { name: 'Shared Co' })).body;
      const launched = await ivan.post('/api/processes', { definitionId: delivery, counterpartyId: acme.id });
      const id = launched.body.id as string;
      const grant = (entries: object[]) => ivan.put(`/api/processes/${id}/access`, { entries });
      expectStatus(await grant([{ employeeId: boris.id, level: 'view' }]), 200);
      let mine = (await notifications(boris)).filter((x) => x.processId === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        kind: 'access.granted',
        details: {
          level: 'view',
          actorName: 'Ivan Petrov',
          definitionName: 'Delivery of goods',
          counterpartyName: 'Shared Co',
          initiatorName: 'Ivan Petrov',
        },
      });
      expect(mine[0]?.text).toBe(
        'Ivan Petrov gave you view access to \u201cDelivery of goods\u201d for \u201cShared Co\u201d (launched by Ivan Petrov).',
      );
      // The same list again grants nothing new; raising to edit does.
      expectStatus(await grant([{ employeeId: boris.id, level: 'view' }]), 200);
      expect((await notifications(boris)).filter((x) => x.processId === id)).toHaveLength(1);
      expectStatus(
        await grant([
          { employeeId: boris.id, level: 'edit' },
          { employeeId: ivan.id, level: 'edit' },
        ]),
        200,
      );
      mine = (await notifications(boris)).filter((x) => x.processId === id);
      expect(mine.map((x) => x.details.level)).toEqual(['edit', 'view']);
      expect((await notifications(ivan)).filter((x) => x.processId === id)).toEqual([]);
    });
  });
}
