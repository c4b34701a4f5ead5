/**
 * The time-control contract over HTTP on both stores: the business calendar, absences with deputies,
 * stage deadlines in definitions and on the card.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition, twoStageBody } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const DAY = 86_400_000;

for (const kind of STORES) {
  describe(`${kind}: time control over HTTP`, () => {
    let t: TestServer;
    let anna: Client & { id: string };
    let boris: Client & { id: string };

    beforeAll(async () => {
      t = await startTestServer(kind, { STAGEFLOW_TIMEZONE: 'Europe/Moscow' });
      anna = await t.employee('anna', 'manager', 'Anna Petrova');
      boris = await t.employee('boris', 'manager', 'Boris Ivanov');
    });
    afterAll(async () => {
      await t?.close();
    });

    it('given no calendar yet, then GET answers the default Monday–Friday 09:00–18:00 week in the app zone', async () => {
      const res = await anna.get('/api/calendar');
      expectStatus(res, 200);
      expect(res.body).toEqual({
        zone: 'Europe/Moscow',
        workingDays: [1, 2, 3, 4, 5],
        hours: { from: '09:00', to: '18:00' },
        holidays: [],
        workingWeekends: [],
      });
    });

    it('given an admin, then PUT replaces the calendar; a manager gets 403; bad input gets 4xx and changes nothing', async () => {
      const calendar = {
        zone: 'Europe/Moscow',
        workingDays: [1, 2, 3, 4, 5],
        hours: { from: '10:00', to: '19:00' },
        holidays: ['2027-01-01', '2027-01-02'],
        workingWeekends: ['2027-01-09'],
      };
      expectStatus(await t.admin.put('/api/calendar', calendar), 200);
      expectError(await anna.put('/api/calendar', calendar), 403, 'forbidden');
      expectError(await t.admin.put('/api/calendar', { ...calendar, extra: 1 }), 400, 'validation_failed');
      const backwards = { ...calendar, hours: { from: '19:00', to: '10:00' } };
      expect((await t.admin.put('/api/calendar', backwards)).status).toBeGreaterThanOrEqual(400);
      const clash = { ...calendar, workingWeekends: ['2027-01-01'] };
      expect((await t.admin.put('/api/calendar', clash)).status).toBeGreaterThanOrEqual(400);
      expect((await anna.get('/api/calendar')).body).toEqual(calendar);
    });

    it('given absences, then the employee or an admin records and removes them; others get 403; bad ones 4xx', async () => {
      const now = Date.now();
      const from = new Date(now + DAY).toISOString();
      const to = new Date(now + 3 * DAY).toISOString();
      const created = await anna.post(`/api/employees/${anna.id}/absences`, { from, to, deputyId: boris.id });
      expectStatus(created, 201);
      expect(created.body).toMatchObject({ employeeId: anna.id, deputyId: boris.id, moveOpenWork: false });
      expectError(
        await boris.post(`/api/employees/${anna.id}/absences`, { from, to, deputyId: boris.id }),
        403,
        'forbidden',
      );
      expectError(
        await anna.post(`/api/employees/${anna.id}/absences`, { from, to, deputyId: boris.id }),
        409,
        'duplicate',
      );
      expectError(
        await anna.post(`/api/employees/${anna.id}/absences`, { from: to, to: from, deputyId: boris.id }),
        422,
        'invalid_time',
      );
      expectError(
        await anna.post(`/api/employees/${anna.id}/absences`, {
          from: new Date(now + 10 * DAY).toISOString(),
          to: new Date(now + 11 * DAY).toISOString(),
          deputyId: 'nobody',
        }),
        422,
        'reference_not_found',
      );
      expectError(
        await anna.post(`/api/employees/${anna.id}/absences`, { from: 'soon', to, deputyId: boris.id }),
        400,
        'validation_failed',
      );
      expectError(
        await anna.post('/api/employees/nobody/absences', { from, to, deputyId: boris.id }),
        404,
        'not_found',
      );

      const listed = await boris.get(`/api/employees/${anna.id}/absences`);
      expect(listed.body.items.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
      expect((await boris.get('/api/absences')).body.items).toHaveLength(1);
      expectError(
        await boris.delete(`/api/employees/${anna.id}/absences/${created.body.id}`),
        403,
        'forbidden',
      );
      expectStatus(await t.admin.delete(`/api/employees/${anna.id}/absences/${created.body.id}`), 204);
      expect((await anna.get(`/api/employees/${anna.id}/absences`)).body.items).toEqual([]);
      expectError(
        await anna.delete(`/api/employees/${anna.id}/absences/${created.body.id}`),
        404,
        'not_found',
      );
    });

    /** Anna away since a minute ago with Boris standing in, and a process of hers launched: Boris holds its stage. */
    async function deputyHolds(name: string) {
      const now = Date.now();
      const absence = await anna.post(`/api/employees/${anna.id}/absences`, {
        from: new Date(now - 60_000).toISOString(),
        to: new Date(now + DAY).toISOString(),
        deputyId: boris.id,
      });
      expectStatus(absence, 201);
      const definitionId = await publishDefinition(t.admin, name, twoStageBody({ responsibles: [anna.id] }));
      const launched = await t.admin.post('/api/processes', { definitionId });
      expectStatus(launched, 201);
      expect(launched.body.stage.responsible.id).toBe(boris.id);
      return { absence, launched };
    }

    it('given a deputy now, then a new stage goes to the deputy and the card says whom they act for', async () => {
      const { absence, launched } = await deputyHolds('Deputy');
      expect(launched.body.stage.actingFor).toEqual({ id: anna.id, name: 'Anna Petrova' });
      // Ending the absence early gives the stage back.
      expectStatus(await anna.delete(`/api/employees/${anna.id}/absences/${absence.body.id}`), 204);
      const back = await t.admin.get(`/api/processes/${launched.body.id}`);
      expect(back.body.stage.responsible.id).toBe(anna.id);
      expect(back.body.stage.actingFor).toBeNull();
    });

    // The row lock another node's worker takes when it claims an absence's edge (PostgreSQL only:
    // SQLite has one writer and no row locks).
    if (kind === 'postgres') {
      it('given an absence that has ended but another node holds it claimed, then removing it answers once the stage is back', async () => {
        const { absence, launched } = await deputyHolds('Deputy, claimed');
        // Its end falls due, and a worker claims it before this node applies it.
        const { store } = t.server.ctx;
        await sql`update absences set to_at = ${Date.now() - 1000} where id = ${absence.body.id}`.execute(
          store.db,
        );
        let release = () => {};
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        let claimed = () => {};
        const isClaimed = new Promise<void>((resolve) => {
          claimed = resolve;
        });
        const worker = store.transaction(async (tx) => {
          await sql`select id from absences where id = ${absence.body.id} for update`.execute(tx);
          claimed();
          await released;
        });
        await isClaimed;
        let answered = false;
        const removing = anna.delete(`/api/employees/${anna.id}/absences/${absence.body.id}`).then((res) => {
          answered = true;
          return res;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        // It waits for the claim rather than skip the absence and answer before the stage is back.
        expect(answered).toBe(false);
        release();
        await worker;
        expectStatus(await removing, 204);
        const back = await t.admin.get(`/api/processes/${launched.body.id}`);
        expect(back.body.stage.responsible.id).toBe(anna.id);
        expect(back.body.stage.actingFor).toBeNull();
      });
    }

    it('given a stage deadline, then the card shows dueAt and turns overdue when the test clock passes it', async () => {
      const definitionId = await publishDefinition(
        t.admin,
        'Deadline',
        twoStageBody({ responsibles: [anna.id], deadline: { duration: 'PT2H' } }),
      );
      const launched = await t.admin.post('/api/processes', { definitionId });
      expectStatus(launched, 201);
      const entered = Date.parse(launched.body.stage.enteredAt);
      expect(Date.parse(launched.body.stage.dueAt) - entered).toBe(2 * 3_600_000);
      expect(launched.body.stage.overdue).toBe(false);
      const dueAt = launched.body.stage.dueAt as string;
      const ids = async (query: string) =>
        (await t.admin.get(`/api/processes?${query}`)).body.items.map((p: { id: string }) => p.id);
      expect(await ids('overdue=true')).not.toContain(launched.body.id);
      expect(await ids(`dueBefore=${encodeURIComponent(dueAt)}`)).toContain(launched.body.id);
      const before = new Date(Date.parse(dueAt) - 1).toISOString();
      expect(await ids(`dueBefore=${encodeURIComponent(before)}`)).not.toContain(launched.body.id);
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT3H' }), 200);
      const later = await t.admin.get(`/api/processes/${launched.body.id}`);
      expect(later.body.stage.overdue).toBe(true);
      expect(await ids('overdue=true')).toContain(launched.body.id);
      expect((await t.admin.get('/api/processes/counts?overdue=true')).body.active).toBeGreaterThanOrEqual(1);
      // A manager counts the overdue processes they take part in, and only those.
      for (const c of [anna, boris]) {
        const listed = (await c.get('/api/processes?overdue=true&limit=500')).body.items as {
          id: string;
          status: string;
        }[];
        expect(listed.some((p) => p.id === launched.body.id)).toBe(c === anna);
        const active = listed.filter((p) => p.status === 'active').length;
        expect((await c.get('/api/processes/counts?overdue=true')).body.active).toBe(active);
      }
      // By deadline: only processes whose stage has one, soonest first.
      const second = await t.admin.post('/api/processes', { definitionId });
      const byDue = (await t.admin.get('/api/processes?sort=dueAt')).body.items;
      expect(byDue.map((p: { id: string }) => p.id)).toEqual([launched.body.id, second.body.id]);
      const byDueDesc = (await t.admin.get('/api/processes?sort=-dueAt&limit=1')).body;
      expect(byDueDesc.items[0].id).toBe(second.body.id);
      const next = (await t.admin.get(`/api/processes?sort=-dueAt&limit=1&cursor=${byDueDesc.nextCursor}`))
        .body;
      expect(next.items.map((p: { id: string }) => p.id)).toEqual([launched.body.id]);
    });

    it('given time settings where they cannot run, then the definition is refused with typed codes', async () => {
      const res = await t.admin.post('/api/definitions/validate', {
        stages: [
          { key: 'a', name: 'A', kind: 'start', deadline: { duration: 'P1D', working: true } },
          { key: 'w', name: 'W', kind: 'normal', wait: 'P1D', deadline: { duration: 'PT1H' } },
          {
            key: 'b',
            name: 'B',
            kind: 'end',
            escalation: [{ after: 'PT1H', action: 'reassign', to: 'admins' }],
          },
        ],
        transitions: [
          { from: 'a', to: 'w', result: 'Go' },
          { from: 'w', to: 'b', result: 'Done' },
        ],
      });
      expectStatus(res, 200);
      const codes = res.body.errors.map((e: { code: string }) => e.code);
      expect(codes).toContain('invalid_deadline');
      expect(codes).toContain('timing_not_allowed');
    });
  });
}
