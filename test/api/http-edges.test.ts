/**
 * HTTP edges on both stores: requests Node's parser refuses still answer in the API's error shape;
 * a logout ends the session's notification streams at once; the housekeeping sweep deletes expired
 * sessions and only those.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionSweeper } from '../../src/scheduler/session-sweeper.ts';
import { deleteExpiredSessions } from '../../src/store/sessions.ts';
import { expectStatus } from '../support/api-helpers.ts';
import { client, startTestServer, type TestServer } from '../support/server.ts';
import { openStream } from '../support/sse.ts';
import { STORES } from '../support/stores.ts';

/** Sends raw bytes and reads the reply until the server closes the connection. */
function rawExchange(url: string, request: string): Promise<{ status: number; headers: string; body: any }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => socket.end(request));
    socket.on('data', (chunk) => chunks.push(chunk));
    // The server may reset the connection while unread request bytes remain; the reply came first.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const cut = text.indexOf('\r\n\r\n');
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      if (!match || cut < 0) return reject(new Error(`no HTTP reply: ${JSON.stringify(text.slice(0, 200))}`));
      resolve({
        status: Number(match[1]),
        headers: text.slice(0, cut),
        body: JSON.parse(text.slice(cut + 4)),
      });
    });
  });
}

/** Resolves when `promise` does, or rejects after `ms` — far below anything that could stand in for it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

for (const store of STORES) {
  describe(`${store}: HTTP edges`, () => {
    let t: TestServer;

    beforeAll(async () => {
      t = await startTestServer(store);
    });
    afterAll(async () => t?.close());

    it('answers headers of 100 KB with 431 headers_too_large in the error shape', async () => {
      const reply = await rawExchange(
        t.url,
        `GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(100 * 1024)}\r\n\r\n`,
      );
      expect(reply.status).toBe(431);
      expect(reply.headers).toMatch(/\r\ncontent-type: application\/json/i);
      expect(reply.body).toEqual({
        error: { code: 'headers_too_large', message: expect.any(String) },
      });
    });

    it('answers a request the HTTP parser cannot read with 400 malformed_request in the error shape', async () => {
      const reply = await rawExchange(
        t.url,
        'GET /api/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: nope\r\n\r\n',
      );
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ error: { code: 'malformed_request', message: expect.any(String) } });
      const garbage = await rawExchange(t.url, 'NOT HTTP AT ALL\r\n\r\n');
      expect(garbage.status).toBe(400);
      expect(garbage.body.error.code).toBe('malformed_request');
      // The server is unharmed.
      expectStatus(await t.admin.get('/api/health'), 200);
    });

    it('ends the notification stream at logout, not at the next keepalive (20 s away)', async () => {
      const sveta = await t.employee('sveta', 'manager', 'Sveta');
      const other = await t.login('sveta', 'sveta-password');
      const stream = await openStream(t.url, sveta.token);
      const otherStream = await openStream(t.url, other.token);
      let otherEnded = false;
      void otherStream.ended.then(() => {
        otherEnded = true;
      });
      try {
        expectStatus(await sveta.post('/api/auth/logout'), 200);
        await within(stream.ended, 5_000, 'the end of the stream');
        // Her other session and its stream live on.
        expectStatus(await other.get('/api/me'), 200);
        expect(otherEnded).toBe(false);
        expectStatus(await sveta.get('/api/me'), 401);
      } finally {
        stream.close();
        otherStream.close();
      }
    });

    it('sweeps expired sessions, of employees who never log in again too, and leaves live ones', async () => {
      const { db } = t.server.ctx.store;
      const gleb = await t.employee('gleb', 'manager', 'Gleb');
      const created = await t.admin.post('/api/employees', {
        login: 'nadia',
        name: 'Nadia',
        password: 'nadia-password',
        role: 'manager',
      });
      expectStatus(created, 201);
      // Let the sweep that ran at start finish, so it cannot take the rows planted below.
      await t.server.sessionSweeper.sweep();
      const now = Date.now();
      const plant = (employeeId: string, expiresAt: number) =>
        db
          .insertInto('sessions')
          .values({
            token_hash: randomBytes(32).toString('hex'),
            employee_id: employeeId,
            created_at: expiresAt - 30 * 24 * 3600 * 1000,
            expires_at: expiresAt,
          })
          .execute();
      for (let i = 0; i < 5; i++) await plant(created.body.id, now - 1000 - i);
      await plant(gleb.id, now - 5000);
      const live = await db
        .selectFrom('sessions')
        .select('token_hash')
        .where('expires_at', '>', now)
        .execute();
      expect(live.length).toBeGreaterThanOrEqual(2);

      // One batch deletes no more than its bound.
      expect(await deleteExpiredSessions(t.server.ctx.store, now, 2)).toBe(2);
      const expiredLeft = () =>
        db.selectFrom('sessions').select('token_hash').where('expires_at', '<=', now).execute();
      expect(await expiredLeft()).toHaveLength(4);

      // A sweep takes the rest, batch by batch (3, then 1); then the server's own sweeper.
      expect(await new SessionSweeper(t.server.ctx.store, { batchSize: 3 }).sweep(now)).toBe(4);
      expect(await expiredLeft()).toHaveLength(0);
      await plant(created.body.id, now - 1);
      expect(await t.server.sessionSweeper.sweep()).toBe(1);
      expect(await expiredLeft()).toHaveLength(0);

      const after = await db.selectFrom('sessions').select('token_hash').execute();
      expect(after.map((r) => r.token_hash).sort()).toEqual(live.map((r) => r.token_hash).sort());
      expectStatus(await gleb.get('/api/me'), 200);
    });
  });
}

if (STORES.includes('postgres')) {
  describe('postgres: a logout on one node ends the stream on another', () => {
    let a: TestServer;
    let b: TestServer;

    beforeAll(async () => {
      a = await startTestServer('postgres');
      b = await startTestServer('postgres', {}, a.database);
    });
    afterAll(async () => {
      await b?.stop();
      await a?.close();
    });

    it('ends the stream on node A when its session logs out on node B', async () => {
      const vera = await a.employee('vera', 'manager', 'Vera');
      const stream = await openStream(a.url, vera.token);
      try {
        const onB = client(b.url, vera.token);
        expectStatus(await onB.post('/api/auth/logout'), 200);
        await within(stream.ended, 5_000, 'the end of the stream on the other node');
      } finally {
        stream.close();
      }
    });
  });
}
