/** Migrating running processes between definition versions over HTTP, on both stores. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

/** Version 1: from the start `a` a process goes to b (blocking task), c (waits), d, or gone. */
function v1Body() {
  return {
    stages: [
      {
        key: 'a',
        name: 'Start',
        kind: 'start',
        task: { title: 'Call back', assignee: 'responsible', startDelay: 'PT1H' },
      },
      {
        key: 'b',
        name: 'Offer',
        kind: 'normal',
        task: { title: 'Write the offer', assignee: 'responsible', blocking: true },
      },
      { key: 'c', name: 'Rest', kind: 'normal', wait: 'PT1H' },
      { key: 'd', name: 'Decide', kind: 'normal' },
      { key: 'gone', name: 'Old step', kind: 'normal' },
      { key: 'end', name: 'End', kind: 'end' },
    ],
    transitions: [
      { from: 'a', to: 'b', result: 'toB' },
      { from: 'a', to: 'c', result: 'toC' },
      { from: 'a', to: 'd', result: 'toD' },
      { from: 'a', to: 'gone', result: 'toGone' },
      { from: 'b', to: 'end', result: 'fin' },
      { from: 'c', to: 'd', result: 'cont' },
      { from: 'd', to: 'end', result: 'fin' },
      { from: 'gone', to: 'end', result: 'fin' },
    ],
  };
}

/** Version 2: `gone` is gone, `d` became `d2` and sleeps a day, `b` lost its task. */
function v2Body() {
  return {
    stages: [
      {
        key: 'a',
        name: 'Start',
        kind: 'start',
        task: { title: 'Call back', assignee: 'responsible', startDelay: 'PT1H' },
      },
      { key: 'b', name: 'Offer v2', kind: 'normal' },
      { key: 'c', name: 'Rest', kind: 'normal', wait: 'PT1H' },
      { key: 'd2', name: 'Cool down', kind: 'normal', wait: 'P1D' },
      { key: 'end', name: 'End', kind: 'end' },
    ],
    transitions: [
      { from: 'a', to: 'b', result: 'toB' },
      { from: 'a', to: 'c', result: 'toC' },
      { from: 'a', to: 'd2', result: 'toD' },
      { from: 'b', to: 'end', result: 'fin' },
      { from: 'c', to: 'd2', result: 'cont' },
      { from: 'd2', to: 'end', result: 'fin' },
    ],
  };
}

const byId = (items: any[]) => [...items].sort((x, y) => (x.processId < y.processId ? -1 : 1));

for (const store of STORES) {
  describe(`${store}: version migration`, () => {
    let t: TestServer;
    let manager: Client & { id: string };
    let definitionId: string;
    const p = {} as Record<'atA' | 'atB' | 'atC' | 'atD' | 'atGone' | 'paused' | 'done', string>;

    const launchTo = async (result?: string) => {
      const launched = await t.admin.post('/api/processes', { definitionId });
      expectStatus(launched, 201);
      if (result) {
        expectStatus(
          await t.admin.post(`/api/processes/${launched.body.id}/stage`, { state: 'done', result }),
          200,
        );
      }
      return launched.body.id as string;
    };
    const db = () => t.server.ctx.store.db;
    const timersOf = async (id: string) =>
      (await db().selectFrom('timers').select(['kind', 'key']).where('process_id', '=', id).execute())
        .map((r) => `${r.kind} ${r.key}`)
        .sort();
    const tasksOf = async (id: string) =>
      db()
        .selectFrom('tasks')
        .select(['id', 'stage_key', 'status', 'visit'])
        .where('process_id', '=', id)
        .orderBy('id')
        .execute();

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('mona', 'manager', 'Mona');
      const created = await t.admin.post('/api/definitions', { name: 'Migrate me', ...v1Body() });
      expectStatus(created, 201);
      definitionId = created.body.id;
      expectStatus(await t.admin.post(`/api/definitions/${definitionId}/publish`), 200);

      p.atA = await launchTo();
      p.atB = await launchTo('toB');
      p.atC = await launchTo('toC');
      p.atD = await launchTo('toD');
      p.atGone = await launchTo('toGone');
      p.paused = await launchTo('toD');
      expectStatus(await t.admin.post(`/api/processes/${p.paused}/pause`, { for: 'P2D' }), 200);
      p.done = await launchTo('toD');
      expectStatus(
        await t.admin.post(`/api/processes/${p.done}/stage`, { state: 'done', result: 'fin' }),
        200,
      );

      expectStatus(await t.admin.put(`/api/definitions/${definitionId}`, v2Body()), 200);
      const v2 = await t.admin.post(`/api/definitions/${definitionId}/publish`);
      expectStatus(v2, 200);
      expect(v2.body.version).toBe(2);
    });
    afterAll(async () => t?.close());

    const request = (extra: Record<string, unknown> = {}) => ({
      fromVersion: 1,
      toVersion: 2,
      stageMap: { a: 'b', d: 'd2' },
      ...extra,
    });

    it('refuses managers, unknown versions and stage maps that name missing stages', async () => {
      const url = `/api/definitions/${definitionId}/migrations`;
      expectError(await manager.post(url, request({ dryRun: true })), 403, 'forbidden');
      expectError(await t.admin.post(url, request({ toVersion: 3 })), 404, 'not_found');
      expectError(
        await t.admin.post('/api/definitions/no-such-definition/migrations', request()),
        404,
        'not_found',
      );
      const unknownNew = await t.admin.post(url, request({ stageMap: { d: 'nowhere' } }));
      expectError(unknownNew, 422, 'reference_not_found');
      expect(unknownNew.body.error.details.problems).toEqual([
        { field: 'stageMap.d', stage: 'nowhere', problem: 'unknown_new_stage' },
      ]);
      const unknownOld = await t.admin.post(url, request({ stageMap: { zz: 'b' } }));
      expectError(unknownOld, 422, 'reference_not_found');
      expect(unknownOld.body.error.details.problems[0]).toMatchObject({ problem: 'unknown_old_stage' });
      expectError(await t.admin.post(url, request({ toVersion: 1 })), 400, 'validation_failed');
      expectError(await t.admin.post(url, request({ surprise: true })), 400, 'validation_failed');
      expectError(await t.admin.post(url, { ...request(), stageMap: { a: 3 } }), 400, 'validation_failed');
      // Nothing moved.
      expect((await t.admin.get(`/api/processes/${p.atA}`)).body.definition.version).toBe(1);
    });

    it('a dry run answers per process and changes nothing; applying then does exactly that', async () => {
      const url = `/api/definitions/${definitionId}/migrations`;
      const timersBefore = await timersOf(p.atA);
      const dry = await t.admin.post(url, request({ dryRun: true }));
      expectStatus(dry, 200);
      const expected = byId([
        { processId: p.atA, from: 'a', to: 'b', outcome: 'would_move' },
        { processId: p.atB, from: 'b', to: 'b', outcome: 'refused', reason: 'blocking_task_open' },
        { processId: p.atC, from: 'c', to: 'c', outcome: 'refused', reason: 'waiting_timer' },
        { processId: p.atD, from: 'd', to: 'd2', outcome: 'would_move' },
        { processId: p.atGone, from: 'gone', to: null, outcome: 'refused', reason: 'stage_unmapped' },
        { processId: p.paused, from: 'd', to: 'd2', outcome: 'would_move' },
      ]);
      expect(dry.body.items.map(({ message: _m, ...rest }: any) => rest)).toEqual(expected);
      expect(dry.body.next).toBeNull();
      for (const item of dry.body.items) {
        if (item.outcome === 'refused') expect(item.message).toEqual(expect.any(String));
      }
      // A dry run writes nothing.
      for (const id of Object.values(p)) {
        const card = (await t.admin.get(`/api/processes/${id}`)).body;
        expect(card.definition.version).toBe(1);
      }
      expect(await timersOf(p.atA)).toEqual(timersBefore);

      const applied = await t.admin.post(url, request());
      expectStatus(applied, 200);
      expect(applied.body.items).toEqual(
        dry.body.items.map((i: any) => (i.outcome === 'would_move' ? { ...i, outcome: 'moved' } : i)),
      );

      // The second run finds only the refused ones, still refused for the same reasons.
      const again = await t.admin.post(url, request({ dryRun: true }));
      expect(again.body.items.map((i: any) => [i.processId, i.reason])).toEqual(
        expected.filter((i) => i.outcome === 'refused').map((i) => [i.processId, i.reason]),
      );
    });

    it('moved processes sit on the new stage with matching timers, tasks and a protocol entry', async () => {
      const a = (await t.admin.get(`/api/processes/${p.atA}`)).body;
      expect(a.definition.version).toBe(2);
      expect(a.stage).toMatchObject({ key: 'b', name: 'Offer v2', state: 'not_started', waitingUntil: null });
      // The delayed task of the stage moved with the process; its start timer is untouched.
      const tasks = await tasksOf(p.atA);
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({ stage_key: 'b', status: 'pending' });
      expect(await timersOf(p.atA)).toEqual([`task.start task-start:${tasks[0]!.id}`]);
      const protocol = (await t.admin.get(`/api/processes/${p.atA}/protocol`)).body.items;
      const migrated = protocol.filter((e: any) => e.action === 'process.migrated');
      expect(migrated).toHaveLength(1);
      expect(migrated[0].details).toEqual({
        fromVersion: 1,
        toVersion: 2,
        from: 'a',
        to: 'b',
        fromName: 'Start',
        toName: 'Offer v2',
      });
      expect(migrated[0].actor.name).toBe('Administrator');

      // d → d2: the new stage waits a day, from the migration on.
      const d = (await t.admin.get(`/api/processes/${p.atD}`)).body;
      expect(d.stage).toMatchObject({ key: 'd2', state: 'in_progress' });
      expect(d.stage.waitingUntil).toEqual(expect.any(String));
      expect(d.mayFinishStage).toBe(false);
      // Its wait, and the start of the task its first stage (visit 1) left behind, which stays there.
      const dTimers = await timersOf(p.atD);
      expect(dTimers).toHaveLength(2);
      expect(dTimers[1]).toMatch(new RegExp(`^wait wait:${p.atD}:d2:2$`));
      const dTasks = await tasksOf(p.atD);
      expect(dTasks).toMatchObject([{ stage_key: 'a', visit: 1, status: 'pending' }]);
      expect(dTimers[0]).toBe(`task.start task-start:${dTasks[0]!.id}`);
      const dProtocol = (await t.admin.get(`/api/processes/${p.atD}/protocol`)).body.items;
      expect(dProtocol.at(-2).action).toBe('process.migrated');
      expect(dProtocol.at(-1)).toMatchObject({
        action: 'wait.started',
        details: { stage: 'd2', wait: 'P1D' },
      });

      // The paused one stays paused, its resume timer kept, and gains the wait of its new stage.
      const paused = (await t.admin.get(`/api/processes/${p.paused}`)).body;
      expect(paused).toMatchObject({ status: 'paused', stage: { key: 'd2' }, definition: { version: 2 } });
      const pausedTimers = await timersOf(p.paused);
      expect(pausedTimers.map((k) => k.split(' ')[0])).toEqual(['resume', 'task.start', 'wait']);

      // The refused and the finished keep version 1.
      for (const id of [p.atB, p.atC, p.atGone, p.done]) {
        expect((await t.admin.get(`/api/processes/${id}`)).body.definition.version).toBe(1);
      }
      expect((await t.admin.get(`/api/processes/${p.done}`)).body.status).toBe('completed');
    });

    it('a migrated process goes on under the new version', async () => {
      await t.admin.post('/api/test/clock', { advance: 'P1DT1M' });
      await t.server.worker.drain();
      const d = (await t.admin.get(`/api/processes/${p.atD}`)).body;
      expect(d).toMatchObject({ status: 'completed', stage: { key: 'end' }, definition: { version: 2 } });
      const a = await t.admin.post(`/api/processes/${p.atA}/stage`, { state: 'done', result: 'fin' });
      expectStatus(a, 200);
      expect(a.body).toMatchObject({ status: 'completed', definition: { version: 2 } });
    });

    it('is described in the OpenAPI document, with its answer', async () => {
      const doc = await t.admin.get('/api/openapi.json');
      expectStatus(doc, 200);
      const migration = doc.body.paths['/api/definitions/{id}/migrations'].post;
      expect(Object.keys(migration.requestBody.content['application/json'].schema.properties).sort()).toEqual(
        ['after', 'dryRun', 'fromVersion', 'limit', 'stageMap', 'toVersion'],
      );
      expect(migration.responses['200'].content['application/json'].schema.properties.items).toBeDefined();
      const bulk = doc.body.paths['/api/processes/bulk-actions'].post;
      expect(bulk.requestBody.content['application/json'].schema.properties.action.enum).toEqual([
        'reassign',
        'pause',
        'resume',
        'cancel',
        'migrate',
      ]);
      expect(bulk.responses['200'].content['application/json'].schema.properties.items).toBeDefined();
    });

    it('answers a page at a time with limit and after', async () => {
      // A fresh definition with three processes on version 1, all movable.
      const created = await t.admin.post('/api/definitions', { name: 'Paged', ...v1Body() });
      const id = created.body.id;
      await t.admin.post(`/api/definitions/${id}/publish`);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const launched = await t.admin.post('/api/processes', { definitionId: id });
        await t.admin.post(`/api/processes/${launched.body.id}/stage`, { state: 'done', result: 'toD' });
        ids.push(launched.body.id);
      }
      await t.admin.put(`/api/definitions/${id}`, v2Body());
      await t.admin.post(`/api/definitions/${id}/publish`);
      ids.sort();
      const url = `/api/definitions/${id}/migrations`;
      const body = { fromVersion: 1, toVersion: 2, stageMap: { d: 'd2' } };
      const first = await t.admin.post(url, { ...body, limit: 2 });
      expectStatus(first, 200);
      expect(first.body.items.map((i: any) => [i.processId, i.outcome])).toEqual([
        [ids[0], 'moved'],
        [ids[1], 'moved'],
      ]);
      expect(first.body.next).toBe(ids[1]);
      const second = await t.admin.post(url, { ...body, limit: 2, after: first.body.next });
      expect(second.body.items.map((i: any) => i.processId)).toEqual([ids[2]]);
      expect(second.body.next).toBeNull();
    });
  });
}
