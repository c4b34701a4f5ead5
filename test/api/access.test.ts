/**
 * Who sees a process: administrators all; a manager what they launched, are or were responsible
 * for, or were granted. Everyone else gets 404, as if it did not exist. Cancelling is for admins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

type Employee = Client & { id: string };

for (const store of STORES) {
  describe(`${store}: who may see and change a process`, () => {
    let t: TestServer;
    let anna: Employee;
    let boris: Employee;
    let carl: Employee;
    let dora: Employee;
    let definitionId: string;
    /** Launched by Anna, then handed to Boris, then to Dora. */
    let processId: string;
    /** Launched by Carl; nobody else is involved. */
    let carlsId: string;

    const visible = async (c: Client) =>
      (await c.get('/api/processes?limit=500')).body.items.map((p: any) => p.id) as string[];

    beforeAll(async () => {
      t = await startTestServer(store);
      anna = await t.employee('anna', 'manager', 'Anna');
      boris = await t.employee('boris', 'manager', 'Boris');
      carl = await t.employee('carl', 'manager', 'Carl');
      dora = await t.employee('dora', 'manager', 'Dora');
      definitionId = await publishDefinition(t.admin, 'Hand over', {
        stages: [
          { key: 'a', name: 'Start', kind: 'start' },
          { key: 'b', name: 'Boris works', kind: 'normal', responsibles: [boris.id] },
          { key: 'c', name: 'Dora works', kind: 'normal', responsibles: [dora.id] },
          { key: 'd', name: 'End', kind: 'end' },
        ],
        transitions: [
          { from: 'a', to: 'b', result: 'To Boris' },
          { from: 'b', to: 'c', result: 'To Dora' },
          { from: 'c', to: 'd', result: 'Finish' },
        ],
      });
      const launched = await anna.post('/api/processes', { definitionId, note: 'secret deal' });
      expectStatus(launched, 201);
      processId = launched.body.id;
      carlsId = (await carl.post('/api/processes', { definitionId })).body.id;
    });
    afterAll(async () => t?.close());

    it('shows the administrator every process', async () => {
      const ids = await visible(t.admin);
      expect(ids).toContain(processId);
      expect(ids).toContain(carlsId);
      expectStatus(await t.admin.get(`/api/processes/${carlsId}`), 200);
    });

    it('shows a manager what they launched, and what they are or were responsible for', async () => {
      expectStatus(await anna.get(`/api/processes/${processId}`), 200);
      expect(await visible(anna)).toEqual([processId]);
      // Before the stage reaches Boris, he may not see it.
      expectError(await boris.get(`/api/processes/${processId}`), 404, 'not_found');
      expect(await visible(boris)).toEqual([]);

      const toBoris = await anna.post(`/api/processes/${processId}/stage`, {
        state: 'done',
        result: 'To Boris',
      });
      expectStatus(toBoris, 200);
      expect(toBoris.body.stage.responsible).toEqual({ id: boris.id, name: 'Boris' });
      expectStatus(await boris.get(`/api/processes/${processId}`), 200);
      expect(await visible(boris)).toEqual([processId]);

      // Boris hands it on and is responsible no more, but he was.
      const toDora = await boris.post(`/api/processes/${processId}/stage`, {
        state: 'done',
        result: 'To Dora',
      });
      expectStatus(toDora, 200);
      expect(toDora.body.stage.responsible.id).toBe(dora.id);
      expectStatus(await boris.get(`/api/processes/${processId}`), 200);
      expect(await visible(boris)).toEqual([processId]);
      expectStatus(await boris.get(`/api/processes/${processId}/protocol`), 200);
      expect(await visible(dora)).toEqual([processId]);
    });

    it('answers 404 to anyone else, on every route, and changes nothing', async () => {
      const before = (await t.admin.get(`/api/processes/${processId}`)).body;
      expectError(await carl.get(`/api/processes/${processId}`), 404, 'not_found');
      expectError(await carl.get(`/api/processes/${processId}/protocol`), 404, 'not_found');
      expectError(
        await carl.post(`/api/processes/${processId}/stage`, { state: 'in_progress' }),
        404,
        'not_found',
      );
      expectError(await carl.patch(`/api/processes/${processId}`, { note: 'mine now' }), 404, 'not_found');
      expectError(await carl.post(`/api/processes/${processId}/pause`, { for: 'P1D' }), 404, 'not_found');
      expectError(await carl.post(`/api/processes/${processId}/resume`), 404, 'not_found');
      expectError(await carl.post(`/api/processes/${processId}/cancel`), 404, 'not_found');
      // A process Carl may not see answers exactly like one that does not exist.
      const missing = await carl.get('/api/processes/no-such-process');
      const hidden = await carl.get(`/api/processes/${processId}`);
      expect(hidden.body.error.code).toBe(missing.body.error.code);

      expect(await visible(carl)).toEqual([carlsId]);
      expect(await visible(anna)).not.toContain(carlsId);
      expect((await carl.get(`/api/processes?q=${encodeURIComponent('secret deal')}`)).body.items).toEqual(
        [],
      );
      expect(
        (await carl.get(`/api/processes?definitionId=${definitionId}&limit=500`)).body.items.map(
          (p: any) => p.id,
        ),
      ).toEqual([carlsId]);
      expect((await carl.get('/api/processes/counts')).body).toEqual({
        active: 1,
        paused: 0,
        completed: 0,
        cancelled: 0,
      });
      expect((await carl.get(`/api/tasks?processId=${processId}`)).body.items).toEqual([]);

      const after = (await t.admin.get(`/api/processes/${processId}`)).body;
      expect(after.version).toBe(before.version);
      expect(after.note).toBe('secret deal');
      expect(after.status).toBe('active');
    });

    it('lets a grant of view access look but not change, and edit access change', async () => {
      const granted = await anna.put(`/api/processes/${processId}/access`, {
        entries: [{ employeeId: carl.id, level: 'view' }],
      });
      expectStatus(granted, 200);
      expect(granted.body.access).toEqual([{ employeeId: carl.id, level: 'view' }]);
      expectStatus(await carl.get(`/api/processes/${processId}`), 200);
      expect(await visible(carl)).toContain(processId);
      expectError(await carl.patch(`/api/processes/${processId}`, { note: 'mine now' }), 403, 'forbidden');

      expectStatus(
        await anna.put(`/api/processes/${processId}/access`, {
          entries: [{ employeeId: carl.id, level: 'edit' }],
        }),
        200,
      );
      const edited = await carl.patch(`/api/processes/${processId}`, { note: 'secret deal, seen by Carl' });
      expectStatus(edited, 200);
      expect(edited.body.note).toBe('secret deal, seen by Carl');

      // Taking the grant back hides the process again.
      expectStatus(await anna.put(`/api/processes/${processId}/access`, { entries: [] }), 200);
      expectError(await carl.get(`/api/processes/${processId}`), 404, 'not_found');
      expect(await visible(carl)).toEqual([carlsId]);
    });

    it('lets only an administrator cancel; a cancelled process moves no more', async () => {
      const refused = await anna.post(`/api/processes/${processId}/cancel`);
      expectError(refused, 403, 'forbidden');
      expect((await anna.get(`/api/processes/${processId}`)).body.status).toBe('active');

      const cancelled = await t.admin.post(`/api/processes/${processId}/cancel`);
      expectStatus(cancelled, 200);
      expect(cancelled.body.status).toBe('cancelled');
      expect(cancelled.body.completedAt).not.toBeNull();
      expect(cancelled.body.next).toEqual([]);

      expectError(
        await dora.post(`/api/processes/${processId}/stage`, { state: 'done', result: 'Finish' }),
        422,
        'process_not_active',
      );
      expectError(
        await dora.post(`/api/processes/${processId}/pause`, { for: 'P1D' }),
        422,
        'process_not_active',
      );
      expectError(await t.admin.post(`/api/processes/${processId}/cancel`), 422, 'process_not_active');
      expectError(await dora.post(`/api/processes/${processId}/resume`), 422, 'process_not_active');

      const card = (await anna.get(`/api/processes/${processId}`)).body;
      expect(card).toMatchObject({ status: 'cancelled', stage: { key: 'c' } });
      const actions = (await anna.get(`/api/processes/${processId}/protocol`)).body.items.map(
        (i: any) => i.action,
      );
      expect(actions.filter((a: string) => a === 'process.cancelled')).toHaveLength(1);
      expect((await t.admin.get(`/api/processes?status=cancelled`)).body.items.map((p: any) => p.id)).toEqual(
        [processId],
      );
    });
  });
}
