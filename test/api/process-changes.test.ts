/** Changing a running process: its note and responsible, pausing and resuming, by hand and by time. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitoringBody } from '../fixtures/definitions.ts';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

type Employee = Client & { id: string };

for (const store of STORES) {
  describe(`${store}: changing a running process`, () => {
    let t: TestServer;
    let anna: Employee;
    let boris: Employee;
    let definitionId: string;

    const launch = async () => {
      const res = await anna.post('/api/processes', { definitionId, note: 'first note' });
      expectStatus(res, 201);
      return res.body;
    };
    const protocol = async (id: string) =>
      (await anna.get(`/api/processes/${id}/protocol`)).body.items as any[];

    beforeAll(async () => {
      t = await startTestServer(store);
      anna = await t.employee('anna', 'manager', 'Anna');
      boris = await t.employee('boris', 'manager', 'Boris');
      definitionId = await publishDefinition(t.admin, 'Monitoring', monitoringBody());
    });
    afterAll(async () => t?.close());

    it('changes the note, recorded in the protocol as note.changed', async () => {
      const card = await launch();
      const res = await anna.patch(`/api/processes/${card.id}`, {
        note: 'second note',
        expectedVersion: card.version,
      });
      expectStatus(res, 200);
      expect(res.body.note).toBe('second note');
      expect(res.body.version).toBe(card.version + 1);
      const entry = (await protocol(card.id)).find((i) => i.action === 'note.changed');
      expect(entry).toMatchObject({ actor: { id: anna.id, name: 'Anna' }, details: { note: 'second note' } });
      expect(Date.parse(entry.at)).not.toBeNaN();

      // The same note again changes nothing.
      const same = await anna.patch(`/api/processes/${card.id}`, { note: 'second note' });
      expectStatus(same, 200);
      expect(same.body.version).toBe(res.body.version);
      // A stale version is a conflict.
      const stale = await anna.patch(`/api/processes/${card.id}`, {
        note: 'third',
        expectedVersion: card.version,
      });
      expectError(stale, 409, 'version_conflict');
      expect((await anna.get(`/api/processes/${card.id}`)).body.note).toBe('second note');
      expect((await protocol(card.id)).filter((i) => i.action === 'note.changed')).toHaveLength(1);
    });

    it('hands the current stage to another responsible, recorded as responsible.changed', async () => {
      const card = await launch();
      expect(card.stage.responsible.id).toBe(anna.id);
      expectError(await boris.get(`/api/processes/${card.id}`), 404, 'not_found');
      const res = await anna.patch(`/api/processes/${card.id}`, { responsibleId: boris.id });
      expectStatus(res, 200);
      expect(res.body.stage.responsible).toEqual({ id: boris.id, name: 'Boris' });
      const entry = (await protocol(card.id)).find((i) => i.action === 'responsible.changed');
      expect(entry).toMatchObject({
        actor: { id: anna.id },
        details: { stage: 'call', from: anna.id, to: boris.id },
      });
      // Boris now sees it, and was told.
      expectStatus(await boris.get(`/api/processes/${card.id}`), 200);
      const notes = (await boris.get('/api/notifications')).body.items;
      expect(notes.some((n: any) => n.kind === 'responsible.changed' && n.processId === card.id)).toBe(true);
      expect(
        (await t.admin.get(`/api/processes?responsibleId=${boris.id}`)).body.items.map((p: any) => p.id),
      ).toContain(card.id);
      // Note and responsible in one request, both recorded.
      const both = await boris.patch(`/api/processes/${card.id}`, { note: 'both', responsibleId: anna.id });
      expectStatus(both, 200);
      expect(both.body).toMatchObject({ note: 'both', stage: { responsible: { id: anna.id } } });
      const actions = (await protocol(card.id)).map((i) => i.action);
      expect(actions.filter((a) => a === 'responsible.changed')).toHaveLength(2);
      expect(actions).toContain('note.changed');
    });

    it('pauses, refuses moves while paused, and resumes by hand', async () => {
      const card = await launch();
      const before = Date.now();
      const paused = await anna.post(`/api/processes/${card.id}/pause`, { for: 'P1D' });
      expectStatus(paused, 200);
      expect(paused.body.status).toBe('paused');
      const until = Date.parse(paused.body.pausedUntil);
      expect(until).toBeGreaterThanOrEqual(before + 23 * 3600_000);
      expect(until).toBeLessThanOrEqual(
        Date.parse((await t.admin.post('/api/test/clock', { advance: 'PT0S' })).body.now) + 25 * 3600_000,
      );

      const move = await anna.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Reached' });
      expectError(move, 422, 'process_not_active');
      expectError(
        await anna.post(`/api/processes/${card.id}/stage`, { state: 'in_progress' }),
        422,
        'process_not_active',
      );
      expect((await t.admin.get('/api/processes?status=paused')).body.items.map((p: any) => p.id)).toContain(
        card.id,
      );

      const resumed = await anna.post(`/api/processes/${card.id}/resume`);
      expectStatus(resumed, 200);
      expect(resumed.body).toMatchObject({ status: 'active', pausedUntil: null });
      expectError(await anna.post(`/api/processes/${card.id}/resume`), 422, 'process_not_active');
      const moved = await anna.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Reached' });
      expectStatus(moved, 200);
      expect(moved.body.stage.key).toBe('analyse');
      const actions = (await protocol(card.id)).map((i) => i.action);
      expect(actions).toEqual(expect.arrayContaining(['process.paused', 'process.resumed']));
      expect((await protocol(card.id)).find((i) => i.action === 'process.resumed')).toMatchObject({
        actor: { id: anna.id },
        details: { automatic: false },
      });
    });

    it('pauses until a given time', async () => {
      const card = await launch();
      const now = Date.parse((await t.admin.post('/api/test/clock', { advance: 'PT0S' })).body.now);
      const until = new Date(now + 3 * 3600_000).toISOString();
      const paused = await anna.post(`/api/processes/${card.id}/pause`, { until });
      expectStatus(paused, 200);
      expect(paused.body).toMatchObject({ status: 'paused', pausedUntil: until });
    });

    it('resumes by itself when the pause is over', async () => {
      const card = await launch();
      expectStatus(await anna.post(`/api/processes/${card.id}/pause`, { for: 'P1D' }), 200);
      const clock = await t.admin.post('/api/test/clock', { advance: 'P2D' });
      expectStatus(clock, 200);
      expect(clock.body.fired).toBeGreaterThanOrEqual(0);
      const after = (await anna.get(`/api/processes/${card.id}`)).body;
      expect(after).toMatchObject({ status: 'active', pausedUntil: null });
      expect((await protocol(card.id)).find((i) => i.action === 'process.resumed')).toMatchObject({
        actor: null,
        details: { automatic: true },
      });
      expectStatus(
        await anna.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Reached' }),
        200,
      );
    });

    it('answers the test clock only once a due timer the worker holds has fired', async () => {
      const card = await launch();
      expectStatus(await anna.post(`/api/processes/${card.id}/pause`, { for: 'PT1H' }), 200);
      // On PostgreSQL, play the worker: hold the resume timer's row lock while the clock runs, then
      // give up. The clock must wait for it, not skip it and answer with the process still paused.
      let worker: pg.Client | undefined;
      if (store === 'postgres') {
        worker = new pg.Client({ connectionString: t.database.databaseUrl });
        await worker.connect();
        await worker.query('begin');
        const held = await worker.query('select key from timers where process_id = $1 for update', [card.id]);
        expect(held.rowCount).toBe(1);
      }
      const clock = t.admin.post('/api/test/clock', { advance: 'PT2H' });
      if (worker) {
        await new Promise((r) => setTimeout(r, 300));
        await worker.query('rollback');
        await worker.end();
      }
      expectStatus(await clock, 200);
      expect((await anna.get(`/api/processes/${card.id}`)).body).toMatchObject({
        status: 'active',
        pausedUntil: null,
      });
    });

    it('refuses to pause a finished process, and changes of its responsible', async () => {
      const card = await launch();
      await anna.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Reached' });
      const done = await anna.post(`/api/processes/${card.id}/stage`, {
        state: 'done',
        result: 'Cannot return',
      });
      expect(done.body.status).toBe('completed');
      expectError(
        await anna.post(`/api/processes/${card.id}/pause`, { for: 'P1D' }),
        422,
        'process_not_active',
      );
      expectError(
        await anna.patch(`/api/processes/${card.id}`, { responsibleId: boris.id }),
        422,
        'process_not_active',
      );
    });
  });
}
