/** Bulk actions from the journal over HTTP, on both stores: per-item access, results and protocol. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainBody } from '../fixtures/definitions.ts';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const URL = '/api/processes/bulk-actions';

for (const store of STORES) {
  describe(`${store}: bulk actions`, () => {
    let t: TestServer;
    let mona: Client & { id: string };
    let olga: Client & { id: string };
    let definitionId: string;

    const launch = async (who: Client, note = '', definition = definitionId) => {
      const res = await who.post('/api/processes', { definitionId: definition, note });
      expectStatus(res, 201);
      return res.body.id as string;
    };
    const card = async (id: string) => (await t.admin.get(`/api/processes/${id}`)).body;
    const protocol = async (id: string) =>
      (await t.admin.get(`/api/processes/${id}/protocol`)).body.items as any[];

    beforeAll(async () => {
      t = await startTestServer(store);
      mona = await t.employee('mona', 'manager', 'Mona');
      olga = await t.employee('olga', 'manager', 'Olga');
      definitionId = await publishDefinition(t.admin, 'Bulk chain', chainBody(4));
    });
    afterAll(async () => t?.close());

    it('a manager changes only what he may edit; the rest is refused per item with its code', async () => {
      const own = [await launch(mona, 'own 1'), await launch(mona, 'own 2')];
      const viewOnly = await launch(olga, 'shown to Mona');
      expectStatus(
        await olga.put(`/api/processes/${viewOnly}/access`, {
          entries: [{ employeeId: mona.id, level: 'view' }],
        }),
        200,
      );
      const hidden = await launch(olga, 'not shown to Mona');

      const res = await mona.post(URL, {
        ids: [own[0], viewOnly, hidden, own[1], own[0]],
        action: 'pause',
        for: 'P1D',
        reason: 'Client on holiday',
      });
      expectStatus(res, 200);
      expect(res.body.items).toEqual([
        { processId: own[0], outcome: 'done' },
        {
          processId: viewOnly,
          outcome: 'refused',
          code: 'forbidden',
          message: 'You may not change this process.',
        },
        { processId: hidden, outcome: 'refused', code: 'not_found', message: 'Process not found.' },
        { processId: own[1], outcome: 'done' },
      ]);
      for (const id of own) {
        const c = await card(id);
        expect(c.status).toBe('paused');
        const entries = await protocol(id);
        expect(entries.at(-2)).toMatchObject({ action: 'process.paused', actor: { id: mona.id } });
        expect(entries.at(-1)).toMatchObject({
          action: 'reason.given',
          actor: { id: mona.id },
          details: { for: 'pause', reason: 'Client on holiday' },
        });
      }
      for (const id of [viewOnly, hidden]) expect((await card(id)).status).toBe('active');

      // By filter: everything Mona sees that is paused — her own two, not the view-only one.
      const resumed = await mona.post(URL, { filter: { status: 'paused' }, action: 'resume' });
      expectStatus(resumed, 200);
      expect(resumed.body.items.map((i: any) => i.processId).sort()).toEqual([...own].sort());
      expect(resumed.body.items.every((i: any) => i.outcome === 'done')).toBe(true);
      // Without a reason no reason entry is written.
      expect((await protocol(own[0]!)).at(-1)).toMatchObject({ action: 'process.resumed' });

      // A filter over all she sees reaches the view-only process too, and refuses it.
      const all = await mona.post(URL, { filter: { q: 'shown to Mona' }, action: 'pause', for: 'PT1H' });
      expectStatus(all, 200);
      expect(all.body.items).toEqual([
        {
          processId: viewOnly,
          outcome: 'refused',
          code: 'forbidden',
          message: 'You may not change this process.',
        },
      ]);

      // Cancelling is for administrators, item by item as on the single route.
      const cancel = await mona.post(URL, { ids: own, action: 'cancel', reason: 'No' });
      expect(cancel.body.items.map((i: any) => i.code)).toEqual(['forbidden', 'forbidden']);
      for (const id of own) expect((await card(id)).status).toBe('active');
    });

    it('reassigns 20 processes found by a filter, each in its own step', async () => {
      const other = await publishDefinition(t.admin, 'Twenty', chainBody(3));
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(await launch(t.admin, `twenty ${i}`, other));
      const res = await t.admin.post(URL, {
        filter: { definitionId: other },
        action: 'reassign',
        responsibleId: olga.id,
        reason: 'Olga takes the region',
      });
      expectStatus(res, 200);
      expect(res.body.items).toHaveLength(20);
      // Oldest start first; each done.
      expect(res.body.items.map((i: any) => i.processId)).toEqual(ids);
      expect(res.body.items.every((i: any) => i.outcome === 'done')).toBe(true);
      for (const id of ids) {
        const c = await card(id);
        expect(c.stage.responsible).toEqual({ id: olga.id, name: 'Olga' });
        const entries = await protocol(id);
        expect(entries.filter((e) => e.action === 'responsible.changed')).toHaveLength(1);
        expect(entries.at(-1)).toMatchObject({
          action: 'reason.given',
          details: { for: 'reassign', reason: 'Olga takes the region' },
        });
      }
      // Olga may now act on them: they show in her journal.
      const hers = await olga.get(`/api/processes?definitionId=${other}&limit=100`);
      expect(hers.body.items).toHaveLength(20);

      // Reassigning to the same person again changes nothing and records no reason.
      const again = await t.admin.post(URL, {
        ids: ids.slice(0, 2),
        action: 'reassign',
        responsibleId: olga.id,
        reason: 'again',
      });
      expect(again.body.items.map((i: any) => i.outcome)).toEqual(['done', 'done']);
      expect((await protocol(ids[0]!)).filter((e) => e.action === 'reason.given')).toHaveLength(1);
    });

    it('pauses, resumes and cancels with a reason; a finished process is refused', async () => {
      const ids = [await launch(mona), await launch(mona), await launch(mona)];
      const until = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
      const paused = await t.admin.post(URL, { ids, action: 'pause', until });
      expect(paused.body.items.map((i: any) => i.outcome)).toEqual(['done', 'done', 'done']);
      for (const id of ids) expect((await card(id)).pausedUntil).toBe(until);

      const resumed = await t.admin.post(URL, { ids: ids.slice(0, 1), action: 'resume', reason: 'Back' });
      expect(resumed.body.items).toEqual([{ processId: ids[0], outcome: 'done' }]);
      expect((await card(ids[0]!)).status).toBe('active');
      // Resuming an active process is refused, as on the single route.
      const twice = await t.admin.post(URL, { ids: ids.slice(0, 1), action: 'resume' });
      expect(twice.body.items[0]).toMatchObject({ outcome: 'refused', code: 'process_not_active' });

      const cancelled = await t.admin.post(URL, { ids, action: 'cancel', reason: 'Client gone' });
      expect(cancelled.body.items.map((i: any) => i.outcome)).toEqual(['done', 'done', 'done']);
      for (const id of ids) {
        expect((await card(id)).status).toBe('cancelled');
        const entries = await protocol(id);
        expect(entries.at(-2)).toMatchObject({ action: 'process.cancelled' });
        expect(entries.at(-1)).toMatchObject({
          action: 'reason.given',
          details: { for: 'cancel', reason: 'Client gone' },
        });
      }
      // Paused ones lost their resume timer with the cancel.
      const timers = await t.server.ctx.store.db
        .selectFrom('timers')
        .select('key')
        .where('process_id', 'in', ids)
        .execute();
      expect(timers).toEqual([]);
      const late = await t.admin.post(URL, { ids: [ids[0], 'no-such-process'], action: 'cancel' });
      expect(late.body.items).toEqual([
        {
          processId: ids[0],
          outcome: 'refused',
          code: 'process_not_active',
          message: 'The process is cancelled.',
        },
        {
          processId: 'no-such-process',
          outcome: 'refused',
          code: 'not_found',
          message: 'Process not found.',
        },
      ]);
    });

    it('migrates by bulk: each process to the version given, stages kept by key', async () => {
      const body = (keep: boolean) => ({
        stages: [
          { key: 's0', name: 'Start', kind: 'start' },
          ...(keep ? [{ key: 'mid', name: 'Middle', kind: 'normal' }] : []),
          { key: 'end', name: 'End', kind: 'end' },
        ],
        transitions: keep
          ? [
              { from: 's0', to: 'mid', result: 'go' },
              { from: 's0', to: 'end', result: 'skip' },
              { from: 'mid', to: 'end', result: 'go' },
            ]
          : [{ from: 's0', to: 'end', result: 'go' }],
      });
      const id = await publishDefinition(t.admin, 'Shrinking', body(true));
      const atStart = await launch(t.admin, '', id);
      const atMid = await launch(t.admin, '', id);
      expectStatus(await t.admin.post(`/api/processes/${atMid}/stage`, { state: 'done', result: 'go' }), 200);
      const monas = await launch(mona, '', id);
      expectStatus(await t.admin.put(`/api/definitions/${id}`, body(false)), 200);
      expectStatus(await t.admin.post(`/api/definitions/${id}/publish`), 200);
      const onV2 = await launch(t.admin, '', id);

      // A manager may not migrate, even her own process.
      const refused = await mona.post(URL, { ids: [monas], action: 'migrate', toVersion: 2 });
      expect(refused.body.items).toEqual([
        {
          processId: monas,
          outcome: 'refused',
          code: 'forbidden',
          message: 'Only administrators migrate processes.',
        },
      ]);

      const res = await t.admin.post(URL, {
        ids: [atStart, atMid, onV2],
        action: 'migrate',
        toVersion: 2,
        reason: 'Middle step dropped',
      });
      expectStatus(res, 200);
      expect(res.body.items).toEqual([
        { processId: atStart, outcome: 'done' },
        {
          processId: atMid,
          outcome: 'refused',
          code: 'stage_unmapped',
          message: 'Stage "mid" is not in version 2 and the stage map names no stage for it.',
        },
        {
          processId: onV2,
          outcome: 'refused',
          code: 'already_on_version',
          message: 'The process already runs on version 2.',
        },
      ]);
      expect((await card(atStart)).definition.version).toBe(2);
      expect((await protocol(atStart)).at(-1)).toMatchObject({
        action: 'process.migrated',
        details: { fromVersion: 1, toVersion: 2, from: 's0', to: 's0', reason: 'Middle step dropped' },
      });
      expect((await card(atMid)).definition.version).toBe(1);
      const noVersion = await t.admin.post(URL, { ids: [atMid], action: 'migrate', toVersion: 9 });
      expect(noVersion.body.items[0]).toMatchObject({ outcome: 'refused', code: 'not_found' });
    });

    it('refuses malformed and oversized requests as a whole', async () => {
      const id = await launch(mona);
      expectError(await mona.post(URL, { action: 'resume' }), 400, 'validation_failed');
      expectError(
        await mona.post(URL, { ids: [id], filter: {}, action: 'resume' }),
        400,
        'validation_failed',
      );
      expectError(await mona.post(URL, { ids: [id], action: 'reassign' }), 400, 'validation_failed');
      expectError(await mona.post(URL, { ids: [id], action: 'pause' }), 400, 'validation_failed');
      expectError(await mona.post(URL, { ids: [id], action: 'migrate' }), 400, 'validation_failed');
      expectError(
        await mona.post(URL, { ids: [id], action: 'resume', responsibleId: olga.id }),
        400,
        'validation_failed',
      );
      expectError(await mona.post(URL, { ids: [id], action: 'explode' }), 400, 'validation_failed');
      expectError(
        await mona.post(URL, { filter: { status: 'sleeping' }, action: 'resume' }),
        400,
        'validation_failed',
      );
      expectError(
        await mona.post(URL, { filter: { unknownFilter: '1' }, action: 'resume' }),
        400,
        'validation_failed',
      );
      expectError(await mona.post(URL, { ids: [id], action: 'pause', for: 'soon' }), 422, 'invalid_duration');
      expectError(
        await mona.post(URL, { ids: [id], action: 'pause', until: '2001-01-01T00:00:00Z' }),
        422,
        'invalid_time',
      );
      expectError(
        await mona.post(URL, { ids: [id], action: 'reassign', responsibleId: 'nobody' }),
        422,
        'reference_not_found',
      );
      const many = Array.from({ length: 5001 }, (_, i) => `p-${i}`);
      const tooMany = await mona.post(URL, { ids: many, action: 'resume' });
      expectError(tooMany, 413, 'too_large');
      expect(tooMany.body.error.details).toEqual({ max: 5000, count: 5001 });
      // Nothing happened to the process.
      expect((await card(id)).status).toBe('active');
    });
  });
}
