/**
 * The current stage belongs to its responsible: starting and finishing it are theirs and the
 * admins'; without a responsible, anyone with edit access may. Everyone with edit access may still
 * pause, change the note and reassign, which is how a colleague takes a stage over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

for (const kind of STORES) {
  describe(`${kind}: stage ownership`, () => {
    let t: TestServer;
    let anna: Client & { id: string };
    let boris: Client & { id: string };
    let vera: Client & { id: string };
    let owned: string;
    let unowned: string;

    beforeAll(async () => {
      t = await startTestServer(kind);
      anna = await t.employee('anna');
      boris = await t.employee('boris');
      vera = await t.employee('vera');
      owned = await publishDefinition(t.admin, 'Owned', {
        stages: [
          {
            key: 'a',
            name: 'Call',
            kind: 'start',
            responsibles: [anna.id],
            task: { title: 'Prepare', assignee: { employeeId: vera.id }, blocking: true },
          },
          { key: 'b', name: 'Offer', kind: 'normal', responsibles: [anna.id] },
          { key: 'c', name: 'Done', kind: 'end' },
        ],
        transitions: [
          { from: 'a', to: 'b', result: 'Reached' },
          { from: 'b', to: 'c', result: 'Sent' },
        ],
      });
      unowned = await publishDefinition(t.admin, 'Unowned', {
        stages: [
          { key: 'a', name: 'Anyone', kind: 'start' },
          { key: 'b', name: 'Done', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Go' }],
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    /** Launches as Boris (so he may edit) a process whose first stage is Anna's. */
    async function launchOwned() {
      const res = await boris.post('/api/processes', { definitionId: owned });
      expectStatus(res, 201);
      expect(res.body.stage.responsible.id).toBe(anna.id);
      return res.body.id as string;
    }

    it("a colleague with edit access cannot start or finish someone else's stage", async () => {
      const id = await launchOwned();
      const card = await boris.get(`/api/processes/${id}`);
      expect(card.body.myAccess).toBe('edit');
      expect(card.body.mayMoveStage).toBe(false);
      expectError(
        await boris.post(`/api/processes/${id}/stage`, { state: 'in_progress' }),
        403,
        'not_stage_responsible',
      );
      expectError(
        await boris.post(`/api/processes/${id}/stage`, { state: 'done', result: 'Reached' }),
        403,
        'not_stage_responsible',
      );
      const after = await t.admin.get(`/api/processes/${id}`);
      expect(after.body.stage).toMatchObject({ key: 'a', state: 'not_started' });
      expect(after.body.version).toBe(card.body.version);
      // The responsible may.
      expect((await anna.get(`/api/processes/${id}`)).body.mayMoveStage).toBe(true);
      expectStatus(await anna.post(`/api/processes/${id}/stage`, { state: 'in_progress' }), 200);
    });

    it('a colleague may still pause, resume, change the note and take the stage over', async () => {
      const id = await launchOwned();
      expectStatus(await boris.patch(`/api/processes/${id}`, { note: 'Called twice' }), 200);
      expectStatus(await boris.post(`/api/processes/${id}/pause`, { for: 'PT1H' }), 200);
      expectStatus(await boris.post(`/api/processes/${id}/resume`, {}), 200);
      const taken = await boris.patch(`/api/processes/${id}`, { responsibleId: boris.id });
      expectStatus(taken, 200);
      expect(taken.body.stage.responsible.id).toBe(boris.id);
      expect(taken.body.mayMoveStage).toBe(true);
      const protocol = (await boris.get(`/api/processes/${id}/protocol`)).body.items;
      const takeover = protocol.find((e: { action: string }) => e.action === 'responsible.changed');
      expect(takeover).toMatchObject({ actor: { id: boris.id }, details: { from: anna.id, to: boris.id } });
      // Now it is his, and no longer Anna's.
      expectError(
        await anna.post(`/api/processes/${id}/stage`, { state: 'in_progress' }),
        403,
        'not_stage_responsible',
      );
      expectStatus(await boris.post(`/api/processes/${id}/stage`, { state: 'in_progress' }), 200);
    });

    it('an admin may move any stage', async () => {
      const id = await launchOwned();
      expectStatus(await t.admin.post(`/api/processes/${id}/stage`, { state: 'in_progress' }), 200);
    });

    it('a stage listing no responsibles goes to whoever moved it there, and is theirs', async () => {
      const res = await boris.post('/api/processes', { definitionId: unowned });
      expectStatus(res, 201);
      expect(res.body.stage.responsible.id).toBe(boris.id);
      expect(res.body.mayMoveStage).toBe(true);
      expectStatus(
        await boris.put(`/api/processes/${res.body.id}/access`, {
          entries: [{ employeeId: anna.id, level: 'edit' }],
        }),
        200,
      );
      expectError(
        await anna.post(`/api/processes/${res.body.id}/stage`, { state: 'done' }),
        403,
        'not_stage_responsible',
      );
      expectStatus(await boris.post(`/api/processes/${res.body.id}/stage`, { state: 'done' }), 200);
    });

    it('view access is still only view: 403 forbidden, not the ownership code', async () => {
      const id = await launchOwned();
      const olga = await t.employee('olga');
      expectStatus(
        await boris.put(`/api/processes/${id}/access`, { entries: [{ employeeId: olga.id, level: 'view' }] }),
        200,
      );
      const card = await olga.get(`/api/processes/${id}`);
      expect(card.body.mayMoveStage).toBe(false);
      expectError(await olga.post(`/api/processes/${id}/stage`, { state: 'in_progress' }), 403, 'forbidden');
    });

    it('a task is completed by its assignee, the stage responsible or an admin, not by another editor', async () => {
      const tasksOf = async (id: string) =>
        (await t.admin.get(`/api/tasks?processId=${id}`)).body.items as { id: string; status: string }[];
      // Assignee.
      const first = await launchOwned();
      const [byAssignee] = await tasksOf(first);
      expectStatus(await vera.post(`/api/tasks/${byAssignee!.id}/complete`), 200);
      // Another editor: refused, nothing changes.
      const second = await launchOwned();
      const [byOther] = await tasksOf(second);
      expectError(await boris.post(`/api/tasks/${byOther!.id}/complete`), 403, 'not_stage_responsible');
      expect((await tasksOf(second))[0]!.status).toBe('open');
      // The stage's responsible.
      expectStatus(await anna.post(`/api/tasks/${byOther!.id}/complete`), 200);
      // An admin.
      const third = await launchOwned();
      const [byAdmin] = await tasksOf(third);
      expectStatus(await t.admin.post(`/api/tasks/${byAdmin!.id}/complete`), 200);
    });
  });
}
