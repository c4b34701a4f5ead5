/**
 * Bad input of every kind gets a 4xx with an error code, never a 500, and changes nothing: the
 * process, the journal, the protocol and the CRM records read the same before and after.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { monitoringBody } from '../fixtures/definitions.ts';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const JSON_TYPE = { 'content-type': 'application/json' };

for (const store of STORES) {
  describe(`${store}: malformed input`, () => {
    let t: TestServer;
    let manager: Client & { id: string };
    let definitionId: string;
    let clientId: string;
    let processId: string;
    let url: (suffix?: string) => string;
    let snapshot: string;

    /** Everything a bad request could have touched, as one comparable text. */
    async function state(): Promise<string> {
      const card = (await t.admin.get(`/api/processes/${processId}`)).body;
      const journal = (await t.admin.get('/api/processes?limit=500')).body.items.map((p: any) => [
        p.id,
        p.version,
      ]);
      const protocol = (await t.admin.get(`/api/processes/${processId}/protocol`)).body.items.length;
      const counterparties = (await t.admin.get('/api/counterparties?limit=500')).body.items;
      const orders = (await t.admin.get('/api/orders?limit=500')).body.items;
      const employees = (await t.admin.get('/api/employees')).body.items.map((e: any) => e.login);
      const tasks = (await t.admin.get('/api/tasks?limit=500')).body.items.length;
      return JSON.stringify({ card, journal, protocol, counterparties, orders, employees, tasks });
    }

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('mila', 'manager', 'Mila');
      definitionId = await publishDefinition(t.admin, 'Monitoring', monitoringBody());
      clientId = (await t.admin.post('/api/counterparties', { name: 'Romashka' })).body.id;
      await t.admin.post('/api/orders', { number: 'ORD-1', counterpartyId: clientId });
      const launched = await manager.post('/api/processes', {
        definitionId,
        counterpartyId: clientId,
        note: 'n',
      });
      expectStatus(launched, 201);
      processId = launched.body.id;
      url = (suffix = '') => `/api/processes/${processId}${suffix}`;
    });
    afterAll(async () => t?.close());
    beforeEach(async () => {
      snapshot = await state();
    });
    afterEach(async () => {
      expect(await state(), 'nothing changed').toBe(snapshot);
    });

    it('1. refuses a body that is not valid JSON', async () => {
      const res = await manager.request('POST', '/api/processes', '{"definitionId": ', JSON_TYPE);
      expectError(res, 400, 'malformed_json');
      expectError(await manager.request('PATCH', url(), "{note: 'x'}", JSON_TYPE), 400, 'malformed_json');
      expectError(
        await manager.request('POST', url('/stage'), '{"state":"done",}', JSON_TYPE),
        400,
        'malformed_json',
      );
    });

    it('2. refuses JSON that is not an object', async () => {
      expectError(await manager.request('POST', '/api/processes', '[]', JSON_TYPE), 400, 'validation_failed');
      expectError(
        await manager.request('POST', '/api/processes', `[{"definitionId":"${definitionId}"}]`, JSON_TYPE),
        400,
        'validation_failed',
      );
      expectError(await manager.request('PATCH', url(), '"note"', JSON_TYPE), 400, 'validation_failed');
      expectError(await manager.request('POST', url('/stage'), '42', JSON_TYPE), 400, 'validation_failed');
      expectError(
        await manager.request('POST', '/api/processes', 'null', JSON_TYPE),
        400,
        'validation_failed',
      );
    });

    it('3. refuses an empty body sent as JSON', async () => {
      expectError(
        await manager.request('POST', '/api/processes', undefined, JSON_TYPE),
        400,
        'validation_failed',
      );
      expectError(await manager.request('PATCH', url(), undefined, JSON_TYPE), 400, 'validation_failed');
      expectError(await manager.request('POST', '/api/processes', '', JSON_TYPE), 400, 'validation_failed');
    });

    it('4. refuses fields of the wrong type', async () => {
      expectError(await manager.post('/api/processes', { definitionId: 42 }), 400, 'validation_failed');
      expectError(
        await manager.post('/api/processes', { definitionId, note: 123 }),
        400,
        'validation_failed',
      );
      expectError(
        await manager.post('/api/processes', { definitionId, counterpartyId: true }),
        400,
        'validation_failed',
      );
      expectError(
        await manager.post('/api/processes', { definitionId, links: 'invoice' }),
        400,
        'validation_failed',
      );
      expectError(await manager.patch(url(), { note: ['a'] }), 400, 'validation_failed');
      expectError(await manager.post(url('/stage'), { state: 'done', result: 7 }), 400, 'validation_failed');
      expectError(
        await t.admin.post('/api/counterparties', { name: 'X', phone: 5 }),
        400,
        'validation_failed',
      );
      expectError(
        await t.admin.post('/api/orders', { number: 'N', amount: '100' }),
        400,
        'validation_failed',
      );
    });

    it('5. refuses unknown fields, such as a version or a status', async () => {
      expectError(
        await manager.post('/api/processes', { definitionId, version: 5 }),
        400,
        'validation_failed',
      );
      expectError(
        await manager.post('/api/processes', { definitionId, status: 'completed' }),
        400,
        'validation_failed',
      );
      expectError(await manager.patch(url(), { status: 'completed' }), 400, 'validation_failed');
      expectError(await manager.patch(url(), { note: 'x', version: 99 }), 400, 'validation_failed');
      expectError(
        await manager.post(url('/stage'), { state: 'done', result: 'Reached', stageKey: 'lost' }),
        400,
        'validation_failed',
      );
      expectError(
        await manager.post(url('/pause'), { for: 'P1D', reason: 'holiday' }),
        400,
        'validation_failed',
      );
      expectError(
        await t.admin.post('/api/counterparties', { name: 'X', id: 'chosen' }),
        400,
        'validation_failed',
      );
      const shape = await manager.post('/api/processes', { definitionId, status: 'completed' });
      expect(shape.body.error.details.issues.length).toBeGreaterThan(0);
    });

    it('6. refuses requests without their required fields', async () => {
      expectError(await manager.post('/api/processes', {}), 400, 'validation_failed');
      expectError(await manager.post('/api/processes', { note: 'no definition' }), 400, 'validation_failed');
      expectError(await manager.post(url('/stage'), {}), 400, 'validation_failed');
      expectError(await manager.post(url('/stage'), { result: 'Reached' }), 400, 'validation_failed');
      expectError(await manager.post('/api/processes/bulk', { definitionId }), 400, 'validation_failed');
      expectError(
        await manager.post('/api/processes/bulk', { definitionId, counterpartyIds: [] }),
        400,
        'validation_failed',
      );
      expectError(await t.admin.post('/api/counterparties', {}), 400, 'validation_failed');
      expectError(await t.admin.post('/api/orders', { amount: 5 }), 400, 'validation_failed');
      expectError(await manager.post(url('/pause'), {}), 400, 'validation_failed');
    });

    it('7. refuses an expectedVersion that is negative, fractional or a string', async () => {
      for (const expectedVersion of [-1, 1.5, '1', null, 1e20]) {
        expectError(
          await manager.post(url('/stage'), { state: 'in_progress', expectedVersion }),
          400,
          'validation_failed',
        );
        expectError(await manager.patch(url(), { note: 'x', expectedVersion }), 400, 'validation_failed');
      }
      // A well-formed but stale version is a conflict, not malformed.
      expectError(await manager.patch(url(), { note: 'x', expectedVersion: 0 }), 409, 'version_conflict');
    });

    it('8. refuses a stage state or an enum value it does not know', async () => {
      expectError(await manager.post(url('/stage'), { state: 'finished' }), 400, 'validation_failed');
      expectError(await manager.post(url('/stage'), { state: 'not_started' }), 400, 'validation_failed');
      expectError(await manager.post(url('/stage'), { state: 'DONE' }), 400, 'validation_failed');
      expectError(
        await manager.post('/api/processes', { definitionId, links: [{ type: 'receipt', id: 'x' }] }),
        400,
        'validation_failed',
      );
      expectError(
        await t.admin.post('/api/employees', {
          login: 'x1',
          name: 'X',
          password: 'long-enough',
          role: 'root',
        }),
        400,
        'validation_failed',
      );
    });

    it('9. refuses invalid dates and filters in the journal query', async () => {
      for (const query of [
        'startedFrom=yesterday',
        'startedFrom=2024-13-45T00:00:00Z',
        'startedTo=2024-01-01',
        'startedTo=1700000000000',
        'status=done',
        'sort=-name',
        'mine=1',
        'overdue=yes',
        'limit=1&limit=2',
        'status=active&status=paused',
        'stageKey=',
      ]) {
        expectError(await manager.get(`/api/processes?${query}`), 400, 'validation_failed');
      }
    });

    it('10. refuses a pause with an invalid duration or time', async () => {
      expectError(await manager.post(url('/pause'), { for: 'two days' }), 422, 'invalid_duration');
      expectError(await manager.post(url('/pause'), { for: 'PT' }), 422, 'invalid_duration');
      expectError(await manager.post(url('/pause'), { for: 'P-1D' }), 422, 'invalid_duration');
      expectError(await manager.post(url('/pause'), { for: 'P' }), 400, 'validation_failed');
      expectError(await manager.post(url('/pause'), { until: 'next monday' }), 400, 'validation_failed');
      expectError(
        await manager.post(url('/pause'), { for: 'P1D', until: '2999-01-01T00:00:00Z' }),
        400,
        'validation_failed',
      );
      expectError(await manager.post(url('/pause'), { until: '2000-01-01T00:00:00Z' }), 422, 'invalid_time');
      expectError(await manager.post(url('/pause'), { for: 'P50Y' }), 422, 'invalid_time');
      expectError(await t.admin.post('/api/test/clock', { advance: 'soon' }), 400, 'validation_failed');
    });

    it('11. refuses strings over their length limit', async () => {
      expectError(await manager.patch(url(), { note: 'x'.repeat(20_001) }), 400, 'validation_failed');
      expectError(
        await manager.post('/api/processes', { definitionId, note: 'x'.repeat(20_001) }),
        400,
        'validation_failed',
      );
      expectError(
        await t.admin.post('/api/counterparties', { name: 'x'.repeat(301) }),
        400,
        'validation_failed',
      );
      expectError(await manager.get(`/api/processes?q=${'x'.repeat(201)}`), 400, 'validation_failed');
      expectError(await manager.get(`/api/processes/${'x'.repeat(101)}`), 400, 'validation_failed');
      expectError(await manager.get(`/api/processes/${'x'.repeat(1000)}`), 400, 'validation_failed');
      expectError(await manager.get('/api/processes/%E0%A4%A'), 400, 'validation_failed');
      // Exactly at the limit is fine (and is a change, so it is undone right after).
      const ok = await manager.patch(url(), { note: 'y'.repeat(20_000) });
      expectStatus(ok, 200);
      expectStatus(await manager.patch(url(), { note: 'n' }), 200);
      snapshot = await state();
    });

    it('12. refuses a body that is not JSON with 415', async () => {
      const plain = { 'content-type': 'text/plain' };
      expectError(
        await manager.request('POST', '/api/processes', JSON.stringify({ definitionId }), plain),
        415,
        'unsupported_media_type',
      );
      expectError(
        await manager.request('PATCH', url(), 'note=x', {
          'content-type': 'application/x-www-form-urlencoded',
        }),
        415,
        'unsupported_media_type',
      );
      expectError(
        await manager.request('POST', url('/stage'), '<state>done</state>', {
          'content-type': 'application/xml',
        }),
        415,
        'unsupported_media_type',
      );
    });

    it('13. refuses a body over the size limit with 413', async () => {
      const huge = await manager.post('/api/processes', { definitionId, note: 'x'.repeat(3 * 1024 * 1024) });
      expectError(huge, 413, 'too_large');
      const bigPatch = await manager.patch(url(), { note: 'é'.repeat(1024 * 1024 + 100) });
      expectError(bigPatch, 413, 'too_large');
    });

    it('14. answers 404 for ids that do not exist', async () => {
      expectError(await manager.get('/api/processes/no-such-process'), 404, 'not_found');
      expectError(
        await manager.post('/api/processes/no-such-process/stage', { state: 'done' }),
        404,
        'not_found',
      );
      expectError(await manager.patch('/api/processes/no-such-process', { note: 'x' }), 404, 'not_found');
      expectError(await manager.get('/api/processes/no-such-process/protocol'), 404, 'not_found');
      expectError(
        await manager.post('/api/processes/no-such-process/pause', { for: 'P1D' }),
        404,
        'not_found',
      );
      expectError(await t.admin.post('/api/processes/no-such-process/cancel'), 404, 'not_found');
      expectError(await manager.get('/api/counterparties/no-such-record'), 404, 'not_found');
      expectError(await manager.patch('/api/orders/no-such-record', { number: 'N-2' }), 404, 'not_found');
      expectError(await manager.get('/api/employees/no-such-employee'), 404, 'not_found');
      expectError(await manager.post('/api/tasks/no-such-task/complete'), 404, 'not_found');
      expectError(await manager.get('/api/no-such-route'), 404, 'not_found');
    });

    it('15. answers 422 for a counterparty or a linked record that does not exist', async () => {
      const res = await manager.post('/api/processes', {
        definitionId,
        counterpartyId: 'no-such-counterparty',
      });
      expectError(res, 422, 'reference_not_found');
      expect(res.body.error.details).toMatchObject({ field: 'counterpartyId', id: 'no-such-counterparty' });
      expectError(
        await manager.post('/api/processes', {
          definitionId,
          links: [{ type: 'invoice', id: 'no-such-invoice' }],
        }),
        422,
        'reference_not_found',
      );
      // Bulk launch is all or nothing: one unknown counterparty launches none.
      expectError(
        await manager.post('/api/processes/bulk', {
          definitionId,
          counterpartyIds: [clientId, 'no-such-counterparty'],
        }),
        422,
        'reference_not_found',
      );
      expectError(
        await t.admin.post('/api/orders', { number: 'ORD-2', counterpartyId: 'no-such-counterparty' }),
        422,
        'reference_not_found',
      );
    });

    it('16. answers 422 for a next or new responsible who does not exist', async () => {
      const res = await manager.post(url('/stage'), {
        state: 'done',
        result: 'Reached',
        nextResponsibleId: 'no-such-employee',
      });
      expectError(res, 422, 'reference_not_found');
      expect(res.body.error.details).toMatchObject({ field: 'nextResponsibleId' });
      expectError(
        await manager.patch(url(), { responsibleId: 'no-such-employee' }),
        422,
        'reference_not_found',
      );
      // A PATCH that fails on its second field keeps its first unchanged too.
      expectError(
        await manager.patch(url(), { note: 'half done', responsibleId: 'no-such-employee' }),
        422,
        'reference_not_found',
      );
      expect((await manager.get(url())).body.stage).toMatchObject({ key: 'call', state: 'not_started' });
    });

    it('17. refuses text with a NUL character, on every store alike', async () => {
      expectError(await manager.patch(url(), { note: 'a\u0000b' }), 400, 'validation_failed');
      expectError(
        await manager.post('/api/processes', { definitionId, note: '\u0000' }),
        400,
        'validation_failed',
      );
      expectError(
        await t.admin.post('/api/counterparties', { name: 'Null\u0000Corp' }),
        400,
        'validation_failed',
      );
      expectError(
        await manager.get(`/api/processes?q=${encodeURIComponent('a\u0000')}`),
        400,
        'validation_failed',
      );
      expectError(
        await manager.get(`/api/counterparties?q=${encodeURIComponent('\u0000')}`),
        400,
        'validation_failed',
      );
    });

    it('18. refuses JSON that tries to set a prototype', async () => {
      const res = await manager.request(
        'POST',
        '/api/processes',
        `{"definitionId":"${definitionId}","__proto__":{"role":"admin"}}`,
        JSON_TYPE,
      );
      expect(res.status).toBe(400);
      expect(['malformed_json', 'validation_failed']).toContain(res.body.error.code);
    });
  });
}
