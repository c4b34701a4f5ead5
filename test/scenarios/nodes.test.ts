/**
 * Two app nodes on one PostgreSQL: presence and live notifications cross nodes, and a node that
 * stops heartbeating stops counting within a minute.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESENCE_TTL_MS } from '../../src/services/presence-registry.ts';
import { openStore } from '../../src/store/store.ts';
import { type Client, login, startTestServer, type TestServer } from '../support/server.ts';
import { openStream } from '../support/sse.ts';
import { STORES } from '../support/stores.ts';

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, tries = 100): Promise<T> {
  let last = await probe();
  for (let i = 0; i < tries && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

// Several nodes share one database only on PostgreSQL (SQLite is single-node by design).
describe.runIf(STORES.includes('postgres'))(
  'postgres: two app nodes share presence and notifications',
  () => {
    let a: TestServer;
    let b: TestServer;
    let annaOnB: Client;
    let annaId: string;

    beforeAll(async () => {
      a = await startTestServer('postgres');
      b = await startTestServer('postgres', {}, a.database);
      const anna = await a.employee('anna', 'manager', 'Anna');
      annaId = anna.id;
      annaOnB = await login(b.url, 'anna', 'anna-password');
    });
    afterAll(async () => {
      await b?.stop();
      await a?.close();
    });

    async function onlineOn(node: TestServer, id: string): Promise<boolean> {
      const list = await node.admin.get('/api/employees');
      return list.body.items.find((e: any) => e.id === id).online;
    }

    it('routes to an employee online on the other node and delivers the notification there', async () => {
      const def = await b.admin.post('/api/definitions', {
        name: 'Cross-node',
        stages: [
          { key: 'a', name: 'A', kind: 'start', responsibles: [annaId] },
          { key: 'b', name: 'B', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Done' }],
      });
      await b.admin.post(`/api/definitions/${def.body.id}/publish`);

      const stream = await openStream(a.url, (await login(a.url, 'anna', 'anna-password')).token);
      await a.server.presence.flushed();
      expect(
        await until(
          () => onlineOn(b, annaId),
          (v) => v,
        ),
      ).toBe(true);

      const launched = await b.admin.post('/api/processes', { definitionId: def.body.id });
      expect(launched.body.stage.responsible.id).toBe(annaId);
      const live = await stream.waitFor(
        (e) => e.event === 'notification' && e.data.processId === launched.body.id,
      );
      expect(live.data.kind).toBe('process.launched');
      expect(
        (await annaOnB.get('/api/notifications')).body.items.some((n: any) => n.id === live.data.id),
      ).toBe(true);

      stream.close();
      expect(
        await until(
          () => onlineOn(b, annaId),
          (v) => !v,
        ),
      ).toBe(false);
    });

    it('listens again after the database drops the listening connection', async () => {
      const def = await b.admin.post('/api/definitions', {
        name: 'After a drop',
        stages: [
          { key: 'a', name: 'A', kind: 'start', responsibles: [annaId] },
          { key: 'b', name: 'B', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Done' }],
      });
      await b.admin.post(`/api/definitions/${def.body.id}/publish`);
      const store = await openStore({ databaseUrl: a.database.databaseUrl });
      const dropped = await sql<{ pid: number }>`
        select pg_terminate_backend(pid) as pid from pg_stat_activity
        where datname = current_database() and query like 'listen %'`.execute(store.db);
      await store.close();
      expect(dropped.rows.length).toBeGreaterThanOrEqual(2);

      const stream = await openStream(a.url, (await login(a.url, 'anna', 'anna-password')).token);
      await a.server.presence.flushed();
      // Launch until a notification gets through: the nodes re-listen about a second after the drop.
      let arrived = false;
      for (let i = 0; i < 20 && !arrived; i++) {
        const launched = await b.admin.post('/api/processes', { definitionId: def.body.id });
        arrived = await stream
          .waitFor((e) => e.event === 'notification' && e.data.processId === launched.body.id, 500)
          .then(() => true)
          .catch(() => false);
      }
      expect(arrived).toBe(true);
      stream.close();
    });

    it('stops counting a node that no longer heartbeats within a minute', async () => {
      const stream = await openStream(a.url, (await login(a.url, 'anna', 'anna-password')).token);
      await a.server.presence.flushed();
      expect(await onlineOn(b, annaId)).toBe(true);
      // The node falls silent: its last heartbeat ages past the limit, as if it had died.
      const store = await openStore({ databaseUrl: a.database.databaseUrl });
      await store.db
        .updateTable('presence')
        .set({ heartbeat_at: Date.now() - PRESENCE_TTL_MS - 1000 })
        .where('node_id', '=', a.server.presence.nodeId)
        .execute();
      await store.close();
      expect(PRESENCE_TTL_MS).toBeLessThan(60_000);
      expect(await onlineOn(b, annaId)).toBe(false);
      // Its own node still knows the stream is open.
      expect(await onlineOn(a, annaId)).toBe(true);
      stream.close();
    });
  },
);
