/** The designer over HTTP: validation of every rule at once, drafts, publishing and admin-only writes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainBody, monitoringBody } from '../fixtures/definitions.ts';
import { expectError, expectStatus, publishDefinition, twoStageBody } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

interface Expected {
  readonly code: string;
  readonly stage?: string;
  readonly transition?: number;
}

/** Asserts that every expected error is among those reported, each naming its stage or transition. */
function expectErrors(errors: any[], expected: readonly Expected[]): void {
  for (const e of errors) {
    expect(typeof e.code).toBe('string');
    expect(typeof e.message).toBe('string');
  }
  for (const want of expected) {
    const found = errors.some(
      (e) =>
        e.code === want.code &&
        (want.stage === undefined || e.stage === want.stage) &&
        (want.transition === undefined || e.transition === want.transition),
    );
    expect(found, `${JSON.stringify(want)} in ${JSON.stringify(errors)}`).toBe(true);
  }
}

for (const store of STORES) {
  describe(`${store}: process definitions over HTTP`, () => {
    let t: TestServer;
    let manager: Client & { id: string };
    let draftId: string;
    let publishedId: string;

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('dmitry', 'manager', 'Dmitry');
      const draft = await t.admin.post('/api/definitions', { name: 'Still a draft', ...chainBody(2) });
      expectStatus(draft, 201);
      draftId = draft.body.id;
      publishedId = await publishDefinition(t.admin, 'Published target', chainBody(3));
    });
    afterAll(async () => t?.close());

    it('accepts a valid body with no errors', async () => {
      const res = await manager.post('/api/definitions/validate', monitoringBody());
      expectStatus(res, 200);
      expect(res.body).toEqual({ valid: true, errors: [] });
    });

    it('reports every broken rule at once, each naming its stage or transition', async () => {
      const body = {
        stages: [
          { key: 's', name: 'Start', kind: 'start' },
          { key: 's2', name: 'Second start', kind: 'start' },
          { key: 'dead', name: 'Dead end', kind: 'normal' },
          { key: 'w', name: 'Wait', kind: 'normal', wait: 'PT1H' },
          { key: 'loop', name: 'Loop', kind: 'normal' },
          { key: 'orphan', name: 'Orphan', kind: 'normal' },
          { key: 'e', name: 'End', kind: 'end' },
          { key: 'spawnMissing', name: 'Spawn missing', kind: 'end', spawn: ['no-such-definition'] },
          { key: 'spawnDraft', name: 'Spawn draft', kind: 'end', spawn: [draftId] },
        ],
        transitions: [
          /* 0 */ { from: 's', to: 'dead', result: 'Go' },
          /* 1 */ { from: 's', to: 'w', result: 'go' },
          /* 2 */ { from: 's', to: 'ghost', result: 'Ghost' },
          /* 3 */ { from: 's', to: 'e', result: '' },
          /* 4 */ { from: 's', to: 'loop', result: 'Loop' },
          /* 5 */ { from: 'w', to: 'e', result: 'One' },
          /* 6 */ { from: 'w', to: 'e', result: 'Two' },
          /* 7 */ { from: 'loop', to: 'loop', result: 'Again' },
          /* 8 */ { from: 'orphan', to: 'e', result: 'Fin' },
          /* 9 */ { from: 'e', to: 's', result: 'Back' },
          /* 10 */ { from: 's2', to: 'e', result: 'Fin' },
          /* 11 */ { from: 's', to: 'spawnMissing', result: 'Spawn 1' },
          /* 12 */ { from: 's', to: 'spawnDraft', result: 'Spawn 2' },
        ],
      };
      const res = await manager.post('/api/definitions/validate', body);
      expectStatus(res, 200);
      expect(res.body.valid).toBe(false);
      expectErrors(res.body.errors, [
        { code: 'multiple_start_stages', stage: 's2' },
        { code: 'no_outgoing_transition', stage: 'dead' },
        { code: 'end_stage_has_transition', stage: 'e' },
        { code: 'wait_needs_one_transition', stage: 'w' },
        { code: 'unknown_stage', transition: 2 },
        { code: 'empty_result', transition: 3, stage: 's' },
        { code: 'duplicate_result', transition: 1, stage: 's' },
        { code: 'unreachable_stage', stage: 'orphan' },
        { code: 'unreachable_stage', stage: 's2' },
        { code: 'no_end_reachable', stage: 'loop' },
        { code: 'no_end_reachable', stage: 'dead' },
        { code: 'spawn_definition_missing', stage: 'spawnMissing' },
        { code: 'spawn_definition_unpublished', stage: 'spawnDraft' },
      ]);
      // Nothing is reported for what is right: the reachable, well-formed end stages.
      expect(
        res.body.errors.some((e: any) => e.stage === 'spawnMissing' && e.code !== 'spawn_definition_missing'),
      ).toBe(false);
    });

    it('reports a missing start stage, and an empty definition', async () => {
      const noStart = await manager.post('/api/definitions/validate', {
        stages: [
          { key: 'a', name: 'A', kind: 'normal' },
          { key: 'b', name: 'B', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Done' }],
      });
      expectStatus(noStart, 200);
      expect(noStart.body.valid).toBe(false);
      expectErrors(noStart.body.errors, [{ code: 'no_start_stage' }]);

      const empty = await manager.post('/api/definitions/validate', { stages: [], transitions: [] });
      expectStatus(empty, 200);
      expect(empty.body.valid).toBe(false);
      expect(empty.body.errors.length).toBeGreaterThan(0);
    });

    it('carries typed params for codes with several cases, beside the same code and message', async () => {
      const res = await manager.post(
        '/api/definitions/validate',
        twoStageBody({ task: { title: ' ', assignee: 'responsible', dueIn: 'soon' } }),
      );
      expectStatus(res, 200);
      expect(res.body.errors).toEqual([
        {
          code: 'invalid_task',
          message: 'Stage "a": the task needs a title.',
          stage: 'a',
          params: { problem: 'title' },
        },
        {
          code: 'invalid_duration',
          message: `Stage "a": the task's dueIn is not an ISO 8601 duration.`,
          stage: 'a',
          params: { field: 'dueIn', problem: 'format' },
        },
      ]);
      const plain = await manager.post('/api/definitions/validate', twoStageBody({ wait: 'PT1S' }));
      expect(plain.body.errors).toEqual([
        {
          code: 'wait_out_of_range',
          message: 'Stage "a": a wait lasts from 1 minute to 10 years.',
          stage: 'a',
        },
      ]);
    });

    it('accepts a spawn of a published definition', async () => {
      const res = await manager.post('/api/definitions/validate', twoStageBody({ spawn: [publishedId] }));
      expectStatus(res, 200);
      expect(res.body).toEqual({ valid: true, errors: [] });
    });

    it('finds a spawn cycle through start stages, and refuses to publish it', async () => {
      const c = await publishDefinition(t.admin, 'Cycle C', twoStageBody());
      const b = await publishDefinition(t.admin, 'Cycle B', twoStageBody({ spawn: [c] }));
      // C's start now spawns B, whose start spawns C: one launch would never end.
      const cyclic = twoStageBody({ spawn: [b] });
      const checked = await t.admin.post('/api/definitions/validate', { id: c, ...cyclic });
      expectStatus(checked, 200);
      expectErrors(checked.body.errors, [{ code: 'spawn_cycle', stage: 'a' }]);

      const put = await t.admin.put(`/api/definitions/${c}`, cyclic);
      expectStatus(put, 200);
      expect(put.body.validation.valid).toBe(false);
      expectErrors(put.body.validation.errors, [{ code: 'spawn_cycle', stage: 'a' }]);
      const publish = await t.admin.post(`/api/definitions/${c}/publish`);
      expectError(publish, 422, 'invalid_definition');
      expectErrors(publish.body.error.details.errors, [{ code: 'spawn_cycle', stage: 'a' }]);
      // Still at version 1, which spawns nothing.
      expect((await t.admin.get(`/api/definitions/${c}`)).body.version).toBe(1);

      // A definition whose start stage spawns itself is the shortest cycle.
      const self = await t.admin.post('/api/definitions', { name: 'Self', ...twoStageBody() });
      const selfCycle = await t.admin.put(
        `/api/definitions/${self.body.id}`,
        twoStageBody({ spawn: [self.body.id] }),
      );
      expectErrors(selfCycle.body.validation.errors, [{ code: 'spawn_cycle', stage: 'a' }]);
    });

    it('saves an invalid draft, refuses to publish it, and publishes it once fixed', async () => {
      const broken = {
        stages: [
          { key: 'a', name: 'A', kind: 'start' },
          { key: 'b', name: 'B', kind: 'normal' },
          { key: 'c', name: 'C', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Next' }],
      };
      const created = await t.admin.post('/api/definitions', {
        name: 'Half drawn',
        description: 'work in progress',
        ...broken,
      });
      expectStatus(created, 201);
      expect(created.body).toMatchObject({
        name: 'Half drawn',
        status: 'draft',
        version: 0,
        validation: { valid: false },
      });
      expect(typeof created.body.id).toBe('string');
      expectErrors(created.body.validation.errors, [
        { code: 'no_outgoing_transition', stage: 'b' },
        { code: 'unreachable_stage', stage: 'c' },
      ]);
      const id = created.body.id;

      // The draft is kept as drawn.
      const read = await manager.get(`/api/definitions/${id}`);
      expectStatus(read, 200);
      expect(read.body.stages.map((s: any) => s.key)).toEqual(['a', 'b', 'c']);
      expect(read.body.status).toBe('draft');

      const refused = await t.admin.post(`/api/definitions/${id}/publish`);
      expectError(refused, 422, 'invalid_definition');
      expectErrors(refused.body.error.details.errors, [
        { code: 'no_outgoing_transition', stage: 'b' },
        { code: 'unreachable_stage', stage: 'c' },
      ]);
      expect((await t.admin.get(`/api/definitions/${id}`)).body).toMatchObject({
        status: 'draft',
        version: 0,
      });

      const fixed = await t.admin.put(`/api/definitions/${id}`, {
        ...broken,
        transitions: [...broken.transitions, { from: 'b', to: 'c', result: 'Finish' }],
      });
      expectStatus(fixed, 200);
      expect(fixed.body).toMatchObject({
        id,
        name: 'Half drawn',
        status: 'draft',
        validation: { valid: true, errors: [] },
      });

      const published = await t.admin.post(`/api/definitions/${id}/publish`);
      expectStatus(published, 200);
      expect(published.body).toMatchObject({ id, status: 'published', version: 1 });
    });

    it('lets only administrators create, change and publish', async () => {
      expectError(
        await manager.post('/api/definitions', { name: 'Mine', ...chainBody(2) }),
        403,
        'forbidden',
      );
      expectError(await manager.put(`/api/definitions/${draftId}`, chainBody(3)), 403, 'forbidden');
      expectError(await manager.post(`/api/definitions/${draftId}/publish`), 403, 'forbidden');
      const after = await t.admin.get(`/api/definitions/${draftId}`);
      expect(after.body).toMatchObject({ status: 'draft', version: 0 });
      expect(after.body.stages).toHaveLength(2);
      const names = (await t.admin.get('/api/definitions?limit=500')).body.items.map((d: any) => d.name);
      expect(names).not.toContain('Mine');
    });

    it('lists definitions, and only the published ones on request', async () => {
      const all = await manager.get('/api/definitions?limit=500');
      expectStatus(all, 200);
      const ids = all.body.items.map((d: any) => d.id);
      expect(ids).toContain(draftId);
      expect(ids).toContain(publishedId);
      expect(all.body.nextCursor).toBeNull();

      const published = await manager.get('/api/definitions?status=published&limit=500');
      expectStatus(published, 200);
      expect(published.body.items.length).toBeGreaterThan(0);
      expect(published.body.items.every((d: any) => d.status === 'published')).toBe(true);
      const publishedIds = published.body.items.map((d: any) => d.id);
      expect(publishedIds).toContain(publishedId);
      expect(publishedIds).not.toContain(draftId);

      expectError(await manager.get('/api/definitions?status=archived'), 400, 'validation_failed');

      // Search by name ignores case and takes wildcards literally.
      const byName = await manager.get('/api/definitions?q=PUBLISHED%20TARGET');
      expect(byName.body.items.map((d: any) => d.id)).toEqual([publishedId]);
      expect((await manager.get('/api/definitions?q=published_target')).body.items).toEqual([]);
    });

    it('answers 404 for a definition that does not exist', async () => {
      expectError(await manager.get('/api/definitions/no-such-id'), 404, 'not_found');
      expectError(await t.admin.put('/api/definitions/no-such-id', chainBody(2)), 404, 'not_found');
      expectError(await t.admin.post('/api/definitions/no-such-id/publish'), 404, 'not_found');
    });

    it('refuses malformed definition bodies with 400', async () => {
      expectError(
        await t.admin.post('/api/definitions', {
          name: 'Bad kind',
          stages: [{ key: 'a', name: 'A', kind: 'first' }],
          transitions: [],
        }),
        400,
        'validation_failed',
      );
      expectError(
        await t.admin.post('/api/definitions', { name: 'No transitions', stages: [] }),
        400,
        'validation_failed',
      );
      expectError(
        await t.admin.post('/api/definitions', { name: '  ', ...chainBody(2) }),
        400,
        'validation_failed',
      );
      expectError(
        await t.admin.post('/api/definitions', { name: 'Extra', status: 'published', ...chainBody(2) }),
        400,
        'validation_failed',
      );
    });
  });
}
