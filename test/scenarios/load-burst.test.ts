/**
 * Load never freezes a node. Before the fix, routing read presence through a second pooled
 * connection inside the command's transaction: with every pooled connection held by such a
 * transaction, the pool waited on itself and the PostgreSQL node froze (no answer, not even
 * /api/health, and SIGTERM did nothing). These tests drive that very load and the faults around it,
 * and demand answers: 200, 409 or a 503 with a code, never a hang and never a 500.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolInTransactionError } from '../../src/store/pool-guard.ts';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

/** Every request of these tests gives up after this long: a hang fails the test, it does not stall it. */
const REQUEST_TIMEOUT_MS = 20_000;

/** A chain of `length` stages, each with the given responsibles, so every move routes. */
function chainBody(length: number, responsibles: string[]) {
  const stages = Array.from({ length }, (_, i) => ({
    key: `s${i}`,
    name: `Stage ${i}`,
    kind: i === 0 ? 'start' : i === length - 1 ? 'end' : 'normal',
    responsibles,
  }));
  const transitions = stages.slice(1).map((s, i) => ({ from: `s${i}`, to: s.key, result: 'Next' }));
  return { stages, transitions };
}

async function timed(client: Client, method: string, path: string, body?: unknown) {
  return client.request(method, path, body, {}).catch((error: unknown) => {
    throw new Error(`${method} ${path} did not answer: ${String(error)}`);
  });
}

/** Posts with its own deadline, so a frozen server fails the test instead of hanging it. */
async function post(server: TestServer, token: string, path: string, body: unknown) {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

for (const kind of STORES) {
  describe(`${kind}: load never freezes a node`, () => {
    let server: TestServer;
    let definitionId: string;
    let responsibles: string[];

    beforeAll(async () => {
      // A small pool makes the self-wait certain under this load if it ever comes back.
      server = await startTestServer(kind, { DATABASE_POOL_SIZE: '4' });
      const anna = await server.employee('anna');
      const boris = await server.employee('boris');
      responsibles = [anna.id, boris.id];
      definitionId = await publishDefinition(server.admin, 'Chain', chainBody(8, responsibles));
    });
    afterAll(async () => {
      await server?.close();
    });

    it('inside a transaction, the pool is refused at once instead of waited on', async () => {
      const { store } = server.server.ctx;
      await expect(
        store.transaction(async () => {
          // biome-ignore lint/plugin: the very mistake the guard must refuse.
          await store.db.selectFrom('settings').select('key').execute();
        }),
      ).rejects.toBeInstanceOf(PoolInTransactionError);
      // The transaction's own connection works, and the pool is fine afterwards.
      const inside = await store.transaction((tx) => tx.selectFrom('settings').select('key').execute());
      expect(Array.isArray(inside)).toBe(true);
      const after = await store.db.selectFrom('settings').select('key').execute();
      expect(Array.isArray(after)).toBe(true);
    });

    it('16 clients moving stages on different processes and 12 on one process all get answers', async () => {
      const token = server.admin.token;
      const launched = await Promise.all(
        Array.from({ length: 32 }, () => post(server, token, '/api/processes', { definitionId })),
      );
      for (const res of launched) expect(res.status, JSON.stringify(res.body)).toBe(201);
      const ids = launched.map((r) => r.body.id as string);

      // 16 workers, each finishing stages on its own processes, while 12 more hammer one process.
      const statuses: number[] = [];
      const errors: string[] = [];
      const record = (res: { status: number; body: any }) => {
        statuses.push(res.status);
        if (res.status >= 500 && res.body?.error?.code !== 'pool_exhausted')
          errors.push(JSON.stringify(res.body));
      };
      const workers = Array.from({ length: 16 }, async (_, w) => {
        for (let round = 0; round < 3; round++) {
          for (const id of ids.slice(w * 2 + 1, w * 2 + 2)) {
            record(
              await post(server, token, `/api/processes/${id}/stage`, { state: 'done', result: 'Next' }),
            );
          }
        }
      });
      const hot = ids[0] as string;
      const hammer = Array.from({ length: 12 }, () =>
        post(server, token, `/api/processes/${hot}/stage`, { state: 'done', result: 'Next' }).then(record),
      );
      await Promise.all([...workers, ...hammer]);

      expect(errors).toEqual([]);
      expect(statuses.every((s) => s === 200 || s === 409 || s === 422 || s === 503)).toBe(true);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      // The node still answers.
      const health = await timed(server.admin, 'GET', '/api/health');
      expectStatus(health, 200);
      // Each accepted finish on the hot process is one transition in its protocol, in order.
      const protocol = await server.admin.get(`/api/processes/${hot}/protocol`);
      const moves = (protocol.body.items as { action: string }[]).filter(
        (e) => e.action === 'stage.finished',
      );
      const card = await server.admin.get(`/api/processes/${hot}`);
      expect(moves.length).toBe(Number(String(card.body.stage.key).slice(1)));
      const tally: Record<string, number> = {};
      for (const s of statuses) tally[s] = (tally[s] ?? 0) + 1;
      mkdirSync('test-results', { recursive: true });
      writeFileSync(
        `test-results/load-burst-${kind}.json`,
        `${JSON.stringify({ store: kind, pool: 4, requests: statuses.length + launched.length, answers: tally }, null, 2)}\n`,
      );
    });

    if (kind === 'postgres') {
      it('a full pool answers 503 pool_exhausted instead of hanging', async () => {
        const limited = await startTestServer(kind, {
          DATABASE_POOL_SIZE: '2',
          DATABASE_ACQUIRE_TIMEOUT_MS: '300',
        });
        try {
          const { store } = limited.server.ctx;
          let release = () => {};
          const held = new Promise<void>((resolve) => {
            release = resolve;
          });
          // Occupy every pooled connection.
          const holders = [0, 1].map(() => store.db.connection().execute(() => held));
          await new Promise((resolve) => setTimeout(resolve, 50));
          const res = await limited.admin.get('/api/processes');
          expectError(res, 503, 'pool_exhausted');
          expect(res.headers.get('retry-after')).toBe('1');
          release();
          await Promise.all(holders);
          expectStatus(await limited.admin.get('/api/processes'), 200);
        } finally {
          await limited.close();
        }
      });

      it('a process row locked elsewhere answers 503 database_busy after the lock timeout', async () => {
        const locked = await startTestServer(kind, { DATABASE_LOCK_TIMEOUT_MS: '200' });
        const other = new pg.Client({ connectionString: locked.database.databaseUrl });
        await other.connect();
        try {
          const def = await publishDefinition(locked.admin, 'Chain', chainBody(3, []));
          const launched = await locked.admin.post('/api/processes', { definitionId: def });
          expectStatus(launched, 201);
          const id = launched.body.id as string;
          await other.query('begin');
          await other.query('select id from processes where id = $1 for update', [id]);
          const res = await locked.admin.post(`/api/processes/${id}/stage`, { state: 'done' });
          expectError(res, 503, 'database_busy');
          await other.query('rollback');
          const card = await locked.admin.get(`/api/processes/${id}`);
          expect(card.body.stage.key).toBe('s0');
          expectStatus(await locked.admin.post(`/api/processes/${id}/stage`, { state: 'done' }), 200);
        } finally {
          await other.end();
          await locked.close();
        }
      });
    }
  });
}
