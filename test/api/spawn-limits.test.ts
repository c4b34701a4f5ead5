/**
 * Bounded fan-out: a stage spawns at most STAGEFLOW_MAX_SPAWN_PER_STAGE children, and one launch or
 * command creates at most STAGEFLOW_MAX_SPAWN_PER_LAUNCH processes, nested children included. Both
 * are checked at publish and again at run time, where a refusal writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition, twoStageBody } from '../support/api-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const PER_STAGE = 6;
const PER_LAUNCH = 20;

/** start → mid (spawning `spawn`) → end. */
function midSpawnBody(spawn: string[]) {
  return {
    stages: [
      { key: 'a', name: 'A', kind: 'start' },
      { key: 'mid', name: 'Mid', kind: 'normal', spawn },
      { key: 'end', name: 'End', kind: 'end' },
    ],
    transitions: [
      { from: 'a', to: 'mid', result: 'Go' },
      { from: 'mid', to: 'end', result: 'Done' },
    ],
  };
}

const times = (id: string, n: number) => Array.from({ length: n }, () => id);

for (const kind of STORES) {
  describe(`${kind}: spawn limits`, () => {
    let t: TestServer;
    let leaf: string;
    let mid: string;
    let root: string;
    let stepper: string;

    const processCount = async () => {
      const res = await t.admin.get('/api/processes?limit=500');
      expectStatus(res, 200);
      return (res.body.items as unknown[]).length;
    };

    beforeAll(async () => {
      t = await startTestServer(kind, {
        STAGEFLOW_MAX_SPAWN_PER_STAGE: String(PER_STAGE),
        STAGEFLOW_MAX_SPAWN_PER_LAUNCH: String(PER_LAUNCH),
      });
      leaf = await publishDefinition(t.admin, 'Leaf', twoStageBody());
      // Launching `mid` creates 1 + 4 = 5 processes; `root` 1 + 3 × 5 = 16.
      mid = await publishDefinition(t.admin, 'Mid', twoStageBody({ spawn: times(leaf, 4) }));
      root = await publishDefinition(t.admin, 'Root', twoStageBody({ spawn: times(mid, 3) }));
      // Entering `mid` of `stepper` creates 3 × 5 = 15.
      stepper = await publishDefinition(t.admin, 'Stepper', midSpawnBody(times(mid, 3)));
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses to publish a stage with more spawn entries than allowed', async () => {
      const created = await t.admin.post('/api/definitions', {
        name: 'Too many',
        ...midSpawnBody(times(leaf, PER_STAGE + 1)),
      });
      expectStatus(created, 201);
      expect(created.body.validation.errors).toEqual([
        expect.objectContaining({ code: 'spawn_limit_exceeded', stage: 'mid' }),
      ]);
      const published = await t.admin.post(`/api/definitions/${created.body.id}/publish`);
      expectError(published, 422, 'invalid_definition');
      expect(published.body.error.details.errors).toEqual([
        expect.objectContaining({ code: 'spawn_limit_exceeded', stage: 'mid' }),
      ]);
    });

    it('refuses to publish when the nested fan-out of published children exceeds the launch limit', async () => {
      // 1 + 4 × 5 = 21 > 20, though each stage lists only 4.
      const created = await t.admin.post('/api/definitions', {
        name: 'Too wide',
        ...twoStageBody({ spawn: times(mid, 4) }),
      });
      const published = await t.admin.post(`/api/definitions/${created.body.id}/publish`);
      expectError(published, 422, 'invalid_definition');
      expect(published.body.error.details.errors).toEqual([
        expect.objectContaining({ code: 'spawn_limit_exceeded', stage: 'a' }),
      ]);
    });

    it('launches within the limit, counting each bulk counterparty as its own launch', async () => {
      const before = await processCount();
      expectStatus(await t.admin.post('/api/processes', { definitionId: root }), 201);
      expect(await processCount()).toBe(before + 16);

      const ids: string[] = [];
      for (const name of ['Alpha', 'Beta']) {
        const cp = await t.admin.post('/api/counterparties', { name });
        expectStatus(cp, 201);
        ids.push(cp.body.id);
      }
      // 32 processes in one request: the limit bounds each launch, the request schema the list.
      const bulk = await t.admin.post('/api/processes/bulk', { definitionId: root, counterpartyIds: ids });
      expectStatus(bulk, 201);
      expect(bulk.body.items).toHaveLength(2);
      expect(await processCount()).toBe(before + 48);
    });

    it('refuses at run time, writing nothing, once a spawned definition was republished bigger', async () => {
      const waiting = await t.admin.post('/api/processes', { definitionId: stepper });
      expectStatus(waiting, 201);
      const cp = await t.admin.post('/api/counterparties', { name: 'Gamma' });

      // Mid now launches 1 + 6 = 7: root would create 22, a move of stepper into `mid` 21.
      const put = await t.admin.put(`/api/definitions/${mid}`, twoStageBody({ spawn: times(leaf, 6) }));
      expectStatus(put, 200);
      expectStatus(await t.admin.post(`/api/definitions/${mid}/publish`), 200);
      const before = await processCount();

      const launched = await t.admin.post('/api/processes', { definitionId: root });
      expectError(launched, 422, 'spawn_limit_exceeded');
      expect(launched.body.error.details).toMatchObject({ limit: 'perLaunch', max: PER_LAUNCH });

      const bulk = await t.admin.post('/api/processes/bulk', {
        definitionId: root,
        counterpartyIds: [cp.body.id],
      });
      expectError(bulk, 422, 'spawn_limit_exceeded');

      const moved = await t.admin.post(`/api/processes/${waiting.body.id}/stage`, { state: 'done' });
      expectError(moved, 422, 'spawn_limit_exceeded');
      const card = await t.admin.get(`/api/processes/${waiting.body.id}`);
      expect(card.body.stage.key).toBe('a');
      expect(card.body.version).toBe(waiting.body.version);
      expect(card.body.children).toEqual([]);
      expect(await processCount()).toBe(before);
    });

    it('answers 422, not 500, for definitions that came to spawn each other', async () => {
      const b = await publishDefinition(t.admin, 'Ping', twoStageBody());
      const a = await publishDefinition(t.admin, 'Pong', twoStageBody({ spawn: [b] }));
      // Two admins published at once, each validated before the other's version existed: plant
      // the version of `b` whose start spawns `a`, which validation alone would have refused.
      await t.server.ctx.store.transaction(async (tx) => {
        await tx
          .insertInto('definition_versions')
          .values({
            definition_id: b,
            version: 2,
            name: 'Ping',
            body: JSON.stringify(twoStageBody({ spawn: [a] })),
            published_at: Date.now(),
            published_by: null,
          })
          .execute();
        await tx.updateTable('definitions').set({ version: 2 }).where('id', '=', b).execute();
      });
      const before = await processCount();
      const launched = await t.admin.post('/api/processes', { definitionId: a });
      expectError(launched, 422, 'spawn_limit_exceeded');
      expect(launched.body.error.details).toMatchObject({ limit: 'depth', max: 16 });
      expect(await processCount()).toBe(before);
    });
  });
}
