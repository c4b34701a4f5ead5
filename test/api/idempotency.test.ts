/**
 * Idempotent writes: a POST that carries an Idempotency-Key has one effect however often it is
 * sent (in a row, side by side, or again after the client gave up waiting) and always gets the
 * first answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import type { Client } from '../support/server.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

function chain(length: number) {
  const stages = Array.from({ length }, (_, i) => ({
    key: `s${i}`,
    name: `Stage ${i}`,
    kind: i === 0 ? 'start' : i === length - 1 ? 'end' : 'normal',
  }));
  const transitions = stages.slice(1).map((s, i) => ({ from: `s${i}`, to: s.key, result: 'Next' }));
  return { stages, transitions };
}

function withKey(client: Client, key: string, path: string, body: unknown) {
  return client.request('POST', path, body, { 'idempotency-key': key });
}

for (const kind of STORES) {
  describe(`${kind}: Idempotency-Key`, () => {
    let server: TestServer;
    let definitionId: string;
    let anna: Client & { id: string };

    const countProcesses = async () =>
      Number(
        (
          await server.server.ctx.store.db
            .selectFrom('processes')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const finishes = async (id: string) =>
      (await server.admin.get(`/api/processes/${id}/protocol`)).body.items.filter(
        (e: { action: string }) => e.action === 'stage.finished',
      ).length;

    beforeAll(async () => {
      server = await startTestServer(kind);
      anna = await server.employee('anna');
      definitionId = await publishDefinition(server.admin, 'Chain', chain(6));
    });
    afterAll(async () => {
      await server?.close();
    });

    it('the same launch sent 10 times in a row creates one process and answers the same each time', async () => {
      const before = await countProcesses();
      const answers = [];
      for (let i = 0; i < 10; i++)
        answers.push(await withKey(server.admin, 'launch-1', '/api/processes', { definitionId }));
      expectStatus(answers[0]!, 201);
      expect(answers[0]!.headers.get('idempotent-replayed')).toBeNull();
      for (const a of answers.slice(1)) {
        expect(a.status).toBe(201);
        expect(a.body).toEqual(answers[0]!.body);
        expect(a.headers.get('idempotent-replayed')).toBe('true');
      }
      expect(await countProcesses()).toBe(before + 1);
    });

    it('10 copies sent side by side take effect once and all get the first answer', async () => {
      const launched = await server.admin.post('/api/processes', { definitionId });
      expectStatus(launched, 201);
      const id = launched.body.id as string;
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          withKey(server.admin, 'finish-parallel', `/api/processes/${id}/stage`, { state: 'done' }),
        ),
      );
      for (const a of answers) {
        expect(a.status, JSON.stringify(a.body)).toBe(200);
        expect(a.body.stage.key).toBe('s1');
        expect(a.body.version).toBe(answers[0]!.body.version);
      }
      expect(await finishes(id)).toBe(1);
      const card = await server.admin.get(`/api/processes/${id}`);
      expect(card.body.stage.key).toBe('s1');
    });

    it('a retry after the client gave up waiting has one effect', async () => {
      const launched = await server.admin.post('/api/processes', { definitionId });
      const id = launched.body.id as string;
      const controller = new AbortController();
      const first = fetch(`${server.url}/api/processes/${id}/stage`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.admin.token}`,
          'content-type': 'application/json',
          'idempotency-key': 'finish-timeout',
        },
        body: JSON.stringify({ state: 'done' }),
        signal: controller.signal,
      }).catch((error: unknown) => error);
      controller.abort();
      await first;
      const retry = await withKey(server.admin, 'finish-timeout', `/api/processes/${id}/stage`, {
        state: 'done',
      });
      expectStatus(retry, 200);
      const again = await withKey(server.admin, 'finish-timeout', `/api/processes/${id}/stage`, {
        state: 'done',
      });
      expect(again.body).toEqual(retry.body);
      expect(await finishes(id)).toBe(1);
      expect(retry.body.stage.key).toBe('s1');
    });

    it('a refused request is refused the same way again, and nothing happens', async () => {
      const launched = await server.admin.post('/api/processes', { definitionId });
      const id = launched.body.id as string;
      const body = { state: 'done', result: 'No such result' };
      const first = await withKey(server.admin, 'refused', `/api/processes/${id}/stage`, body);
      expectError(first, 422, 'unknown_result');
      const second = await withKey(server.admin, 'refused', `/api/processes/${id}/stage`, body);
      expectError(second, 422, 'unknown_result');
      expect(await finishes(id)).toBe(0);
    });

    it('the same key for another request is refused with idempotency_key_reused', async () => {
      const a = await withKey(server.admin, 'reuse', '/api/processes', { definitionId });
      expectStatus(a, 201);
      const b = await withKey(server.admin, 'reuse', '/api/processes', { definitionId, note: 'other' });
      expectError(b, 422, 'idempotency_key_reused');
      const c = await withKey(server.admin, 'reuse', `/api/processes/${a.body.id}/stage`, { state: 'done' });
      expectError(c, 422, 'idempotency_key_reused');
    });

    it("keys are each employee's own", async () => {
      const before = await countProcesses();
      expectStatus(await withKey(server.admin, 'shared-key', '/api/processes', { definitionId }), 201);
      const grant = await server.admin.get('/api/definitions');
      expectStatus(grant, 200);
      const theirs = await withKey(anna, 'shared-key', '/api/processes', { definitionId });
      expectStatus(theirs, 201);
      expect(theirs.headers.get('idempotent-replayed')).toBeNull();
      expect(await countProcesses()).toBe(before + 2);
    });

    it('keys are forgotten after 24 hours by the housekeeping sweep', async () => {
      expectStatus(await withKey(server.admin, 'old-key', '/api/processes', { definitionId }), 201);
      const db = server.server.ctx.store.db;
      await db
        .updateTable('idempotency_keys')
        .set({ created_at: Date.now() - 25 * 60 * 60 * 1000 })
        .where('key', '=', 'old-key')
        .execute();
      await server.server.sessionSweeper.sweep();
      const left = await db
        .selectFrom('idempotency_keys')
        .select('key')
        .where('key', '=', 'old-key')
        .execute();
      expect(left).toEqual([]);
      const kept = await db
        .selectFrom('idempotency_keys')
        .select('key')
        .where('key', '=', 'launch-1')
        .execute();
      expect(kept).toHaveLength(1);
    });

    it('a malformed key is a 400', async () => {
      const res = await withKey(server.admin, 'has space', '/api/processes', { definitionId });
      expectError(res, 400, 'validation_failed');
      const long = await withKey(server.admin, 'k'.repeat(256), '/api/processes', { definitionId });
      expectError(long, 400, 'validation_failed');
    });
  });
}
