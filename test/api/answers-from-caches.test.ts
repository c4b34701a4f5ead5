/**
 * What a command answers without reading everything again, on both stores: the card after a stage
 * move is the card a fresh read shows; a session the node remembers ends at once on logout; absences
 * the node remembers are dropped when one is recorded or removed, so routing sees the change at once;
 * and on PostgreSQL a logout on one node ends the session on another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_CACHE_TTL_MS } from '../../src/services/session-cache.ts';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import {
  type Client,
  client,
  login,
  type Response,
  startTestServer,
  type TestServer,
} from '../support/server.ts';
import { STORES } from '../support/stores.ts';

type Employee = Client & { id: string };

const DAY = 86_400_000;

async function upload(url: string, who: Client, processId: string, name: string): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(`file ${name}`)]), name);
  const res = await fetch(`${url}/api/processes/${processId}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  const raw = await res.text();
  return { status: res.status, body: raw === '' ? null : JSON.parse(raw), headers: res.headers };
}

/** a (start, Anna) → b (Anna) → c (end). */
function lineBody(responsibleId: string) {
  return {
    stages: [
      { key: 'a', name: 'A', kind: 'start', responsibles: [responsibleId] },
      { key: 'b', name: 'B', kind: 'normal', responsibles: [responsibleId] },
      { key: 'c', name: 'C', kind: 'end' },
    ],
    transitions: [
      { from: 'a', to: 'b', result: 'Next' },
      { from: 'b', to: 'c', result: 'Done' },
    ],
  };
}

for (const kind of STORES) {
  describe(`${kind}: answers from what the node already holds`, () => {
    let t: TestServer;
    let anna: Employee;
    let boris: Employee;
    let vera: Employee;
    let definitionId: string;

    beforeAll(async () => {
      t = await startTestServer(kind);
      anna = await t.employee('anna', 'manager', 'Anna');
      boris = await t.employee('boris', 'manager', 'Boris');
      vera = await t.employee('vera', 'manager', 'Vera');
      definitionId = await publishDefinition(t.admin, 'Line', lineBody(anna.id));
    });
    afterAll(async () => {
      await t?.close();
    });

    it('given links, files, grants and a client, then the card a stage move answers is the card a fresh read shows', async () => {
      const client = await t.admin.post('/api/counterparties', { name: 'Client Ltd', group: 'Cached' });
      expectStatus(client, 201);
      const launched = await anna.post('/api/processes', { definitionId, counterpartyId: client.body.id });
      expectStatus(launched, 201);
      const id = launched.body.id as string;
      for (const number of ['INV-2', 'INV-1']) {
        const invoice = await t.admin.post('/api/invoices', { number, amount: 10 });
        expectStatus(invoice, 201);
        expectStatus(
          await anna.post(`/api/processes/${id}/links`, { type: 'invoice', id: invoice.body.id }),
          201,
        );
      }
      expectStatus(await upload(t.url, anna, id, 'second.txt'), 201);
      expectStatus(await upload(t.url, anna, id, 'first.txt'), 201);
      expectStatus(
        await anna.put(`/api/processes/${id}/access`, {
          entries: [
            { employeeId: vera.id, level: 'view' },
            { employeeId: boris.id, level: 'edit' },
          ],
        }),
        200,
      );

      const started = await anna.post(`/api/processes/${id}/stage`, { state: 'in_progress' });
      expectStatus(started, 200);
      expect(started.body.stage.state).toBe('in_progress');
      expect(started.body.links).toHaveLength(2);
      expect(started.body.attachments).toHaveLength(2);
      expect(started.body.access).toHaveLength(2);
      expect(started.body.counterparty).toEqual({ id: client.body.id, name: 'Client Ltd' });
      expect(started.body).toEqual((await anna.get(`/api/processes/${id}`)).body);

      const moved = await anna.post(`/api/processes/${id}/stage`, { state: 'done', result: 'Next' });
      expectStatus(moved, 200);
      expect(moved.body.stage.key).toBe('b');
      expect(moved.body).toEqual((await anna.get(`/api/processes/${id}`)).body);
      // The same card as someone who may only look.
      const seen = (await vera.get(`/api/processes/${id}`)).body;
      expect(seen.myAccess).toBe('view');
      expect({ ...seen, myAccess: 'edit', mayMoveStage: true }).toEqual(moved.body);
    });

    it('given a session the node has just used, then logout ends it at once', async () => {
      const session = await t.login('boris', 'boris-password');
      expectStatus(await session.get('/api/me'), 200);
      expectStatus(await session.get('/api/me'), 200);
      expectStatus(await session.post('/api/auth/logout'), 200);
      expectError(await session.get('/api/me'), 401, 'unauthorized');
      expectError(await session.post('/api/processes', { definitionId }), 401, 'unauthorized');
    });

    it('given absences the node has read, then a new absence and its removal change routing at once', async () => {
      // A command reads the absences (none yet): the node now holds them.
      const first = await t.admin.post('/api/processes', { definitionId });
      expectStatus(first, 201);
      expect(first.body.stage.responsible.id).toBe(anna.id);
      expectStatus(
        await t.admin.post(`/api/processes/${first.body.id}/stage`, { state: 'in_progress' }),
        200,
      );

      const now = Date.now();
      const absence = await anna.post(`/api/employees/${anna.id}/absences`, {
        from: new Date(now - 60_000).toISOString(),
        to: new Date(now + DAY).toISOString(),
        deputyId: boris.id,
      });
      expectStatus(absence, 201);
      const next = await t.admin.post(`/api/processes/${first.body.id}/stage`, {
        state: 'done',
        result: 'Next',
      });
      expectStatus(next, 200);
      expect(next.body.stage.key).toBe('b');
      expect(next.body.stage.responsible.id).toBe(boris.id);
      expect(next.body.stage.actingFor).toEqual({ id: anna.id, name: 'Anna' });

      expectStatus(await anna.delete(`/api/employees/${anna.id}/absences/${absence.body.id}`), 204);
      const later = await t.admin.post('/api/processes', { definitionId });
      expectStatus(later, 201);
      expect(later.body.stage.responsible.id).toBe(anna.id);
      expect(later.body.stage.actingFor).toBeNull();
    });

    it('given a calendar a command has read, then a new calendar counts the next deadline at once', async () => {
      const everyDay = [1, 2, 3, 4, 5, 6, 7];
      const calendar = (to: string) => ({
        zone: 'UTC',
        workingDays: everyDay,
        hours: { from: '00:00', to },
        holidays: [],
        workingWeekends: [],
      });
      const timed = await publishDefinition(t.admin, 'Timed', {
        stages: [
          { key: 'a', name: 'A', kind: 'start', responsibles: [anna.id] },
          { key: 'b', name: 'B', kind: 'normal', deadline: { duration: 'PT1H', working: true } },
          { key: 'c', name: 'C', kind: 'end' },
        ],
        transitions: [
          { from: 'a', to: 'b', result: 'Next' },
          { from: 'b', to: 'c', result: 'Done' },
        ],
      });
      const dueAfterMove = async () => {
        const launched = await t.admin.post('/api/processes', { definitionId: timed });
        expectStatus(launched, 201);
        const moved = await t.admin.post(`/api/processes/${launched.body.id}/stage`, {
          state: 'done',
          result: 'Next',
        });
        expectStatus(moved, 200);
        return (
          Date.parse(moved.body.stage.dueAt as string) - Date.parse(moved.body.stage.enteredAt as string)
        );
      };
      // Working almost all day: an hour of work is about an hour away.
      expectStatus(await t.admin.put('/api/calendar', calendar('23:59')), 200);
      expect(await dueAfterMove()).toBeLessThan(3 * 3_600_000);
      // Thirty working minutes a day: the same hour now takes days.
      expectStatus(await t.admin.put('/api/calendar', calendar('00:30')), 200);
      expect(await dueAfterMove()).toBeGreaterThan(DAY);
    });
  });
}

describe.runIf(STORES.includes('postgres'))(
  'postgres: a logout on one node ends the session on another',
  () => {
    let a: TestServer;
    let b: TestServer;

    beforeAll(async () => {
      a = await startTestServer('postgres');
      b = await startTestServer('postgres', {}, a.database);
      await a.employee('gleb', 'manager', 'Gleb');
    });
    afterAll(async () => {
      await b?.stop();
      await a?.close();
    });

    it('given a session node B has just used, then after a logout on node A node B refuses it', async () => {
      const onA = await login(a.url, 'gleb', 'gleb-password');
      const onB = await login(b.url, 'gleb', 'gleb-password');
      // Node B remembers the session of onA's token once it has served it.
      const sameTokenOnB = client(b.url, onA.token);
      expectStatus(await sameTokenOnB.get('/api/me'), 200);
      expectStatus(await onA.post('/api/auth/logout'), 200);
      // Within the cache's bound (the logout is also announced to B at once).
      let status = 0;
      const giveUpAt = Date.now() + SESSION_CACHE_TTL_MS + 5_000;
      do {
        status = (await sameTokenOnB.get('/api/me')).status;
        if (status !== 401) await new Promise((r) => setTimeout(r, 50));
      } while (status !== 401 && Date.now() < giveUpAt);
      expect(status).toBe(401);
      // Another session of the same employee is not affected.
      expectStatus(await onB.get('/api/me'), 200);
    });
  },
);
