/**
 * Uploads that go wrong: broken multipart bodies answer a 4xx with a code and leave nothing behind
 * (no row, no file, no temporary file); an upload refused before its body is read still gets its
 * answer instead of hanging until the keep-alive timeout; temporary files a crash left are removed
 * at start-up — on both stores.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition, twoStageBody } from '../support/api-helpers.ts';
import {
  type Client,
  type Response,
  readAnswer,
  startTestServer,
  type TestServer,
} from '../support/server.ts';
import { createTestDatabase, STORES } from '../support/stores.ts';

/** The test's own bound on one request: far below the 72 s keep-alive timeout a hung upload waits. */
const SETTLES_WITHIN_MS = 10_000;

const answer = readAnswer;

/** POSTs exactly these bytes with this content type to the upload route. */
async function post(
  url: string,
  token: string,
  processId: string,
  contentType: string,
  body: Uint8Array | FormData,
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (contentType) headers['content-type'] = contentType;
  const res = await fetch(`${url}/api/processes/${processId}/attachments`, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(SETTLES_WITHIN_MS),
  });
  return answer(res);
}

/** A multipart body from parts given as [part headers, content]; `end: false` leaves off the closing boundary. */
function multipart(
  boundary: string,
  parts: readonly (readonly [string, Uint8Array | string])[],
  end = true,
): Buffer {
  const chunks: Buffer[] = [];
  for (const [headers, content] of parts) {
    chunks.push(
      Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`),
      Buffer.from(content),
      Buffer.from('\r\n'),
    );
  }
  if (end) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const fileHeaders = (field: string, name: string) =>
  `Content-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: application/octet-stream`;

/** Every file under `dir` (temporary ones included), as names; none when it does not exist. */
function filesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

for (const store of STORES) {
  describe(`${store}: malformed uploads`, () => {
    let t: TestServer;
    let manager: Client & { id: string };
    let definitionId: string;
    const boundary = 'stageflow-test-boundary';
    const type = `multipart/form-data; boundary=${boundary}`;

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('mia', 'manager', 'Mia Malformed');
      definitionId = await publishDefinition(t.admin, 'Malformed uploads', twoStageBody());
    });
    afterAll(async () => t?.close());

    /** Runs `send` on a fresh process and checks it answered 4xx with a code and changed nothing. */
    async function refusedLeavingNothing(
      send: (processId: string) => Promise<Response>,
      status: number,
      code: string,
    ): Promise<void> {
      const launched = await manager.post('/api/processes', { definitionId });
      expectStatus(launched, 201);
      const processId = launched.body.id as string;
      const dir = path.join(t.database.dataDir, 'attachments');
      const filesBefore = filesIn(dir);
      const protocolBefore = (await manager.get(`/api/processes/${processId}/protocol`)).body.items;

      expectError(await send(processId), status, code);

      const card = (await manager.get(`/api/processes/${processId}`)).body;
      expect(card.attachments).toEqual([]);
      expect(card.version).toBe(launched.body.version);
      expect((await manager.get(`/api/processes/${processId}/protocol`)).body.items).toEqual(protocolBefore);
      expect(filesIn(dir)).toEqual(filesBefore);
      expect(filesIn(dir).filter((f) => f.startsWith('.upload-'))).toEqual([]);
    }

    it('answers an empty body with a multipart content type with 400', async () => {
      await refusedLeavingNothing(
        (id) => post(t.url, manager.token, id, type, new Uint8Array()),
        400,
        'validation_failed',
      );
    });

    it('answers a multipart content type without a boundary with 400', async () => {
      const body = multipart(boundary, [[fileHeaders('file', 'a.txt'), 'hello']]);
      await refusedLeavingNothing(
        (id) => post(t.url, manager.token, id, 'multipart/form-data', body),
        400,
        'validation_failed',
      );
    });

    it('answers a body that ends in the middle of the file part with 400', async () => {
      const body = multipart(boundary, [[fileHeaders('file', 'cut.bin'), randomBytes(50_000)]], false);
      await refusedLeavingNothing(
        (id) => post(t.url, manager.token, id, type, body),
        400,
        'validation_failed',
      );
    });

    it('answers a body that ends inside the part headers with 400', async () => {
      const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filena`);
      await refusedLeavingNothing(
        (id) => post(t.url, manager.token, id, type, body),
        400,
        'validation_failed',
      );
    });

    it('answers a form without the "file" field with 400', async () => {
      const onlyFields = multipart(boundary, [
        ['Content-Disposition: form-data; name="note"', 'no file here'],
      ]);
      await refusedLeavingNothing(
        (id) => post(t.url, manager.token, id, type, onlyFields),
        400,
        'validation_failed',
      );
      const otherField = multipart(boundary, [[fileHeaders('attachment', 'a.txt'), 'hello']]);
      await refusedLeavingNothing(
        (id) => post(t.url, manager.token, id, type, otherField),
        400,
        'validation_failed',
      );
    });

    it('answers two files with 400 and keeps neither', async () => {
      const body = multipart(boundary, [
        [fileHeaders('file', 'one.txt'), randomBytes(20_000)],
        [fileHeaders('file', 'two.txt'), randomBytes(20_000)],
      ]);
      await refusedLeavingNothing(
        (id) => post(t.url, manager.token, id, type, body),
        400,
        'validation_failed',
      );
      const form = new FormData();
      form.append('file', new Blob([randomBytes(100)]), 'one.bin');
      form.append('extra', new Blob([randomBytes(100)]), 'two.bin');
      await refusedLeavingNothing((id) => post(t.url, manager.token, id, '', form), 400, 'validation_failed');
    });

    it('still takes one well-formed file after all of that, with a plain field beside it', async () => {
      const launched = await manager.post('/api/processes', { definitionId });
      const body = multipart(boundary, [
        ['Content-Disposition: form-data; name="comment"', 'ignored'],
        [fileHeaders('file', 'fine.txt'), 'fine'],
      ]);
      const res = await post(t.url, manager.token, launched.body.id, type, body);
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ name: 'fine.txt', size: 4 });
    });
  });

  describe(`${store}: an upload refused before its body is read`, () => {
    const LIMIT = 3 * 1024 * 1024;
    const boundary = 'stageflow-refusal-boundary';
    let t: TestServer;
    let owner: Client & { id: string };
    let outsider: Client & { id: string };
    let viewer: Client & { id: string };
    let definitionId: string;
    let processId: string;
    /** One keep-alive connection at a time, so a request after a refusal goes down the same socket. */
    let agent: http.Agent;

    /** A multipart body holding `size` random bytes in the field `field`. */
    const form = (size: number, field = 'file') =>
      multipart(boundary, [[fileHeaders(field, 'big.bin'), randomBytes(size)]]);

    /** A request over `agent` that settles within the test's bound, or fails. */
    function send(
      method: string,
      pathname: string,
      token: string,
      body?: Buffer,
    ): Promise<Response & { reusedSocket: boolean }> {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        if (body) headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
        let answered = false;
        const req = http.request(`${t.url}${pathname}`, { method, headers, agent }, (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            clearTimeout(bound);
            const text = Buffer.concat(chunks).toString('utf8');
            const headersOut = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headersOut.set(k, v);
            resolve({
              status: res.statusCode ?? 0,
              body: text === '' ? null : JSON.parse(text),
              headers: headersOut,
              reusedSocket: req.reusedSocket,
            });
          });
        });
        const bound = setTimeout(() => {
          reject(new Error(`${method} ${pathname} did not settle`));
          req.destroy();
        }, SETTLES_WITHIN_MS);
        // The server may answer and close before all of a too-large body is written; the answer counts.
        req.on('error', (error) => {
          if (answered) return;
          clearTimeout(bound);
          reject(error);
        });
        req.end(body);
      });
    }

    /** The refusal answered, and the same connection then serves the next request. */
    async function refusedAndStillServing(
      token: string,
      pathname: string,
      body: Buffer,
      status: number,
      code: string,
    ) {
      const refused = await send('POST', pathname, token, body);
      expectError(refused, status, code);
      const next = await send('GET', '/api/me', token);
      expectStatus(next, 200);
      expect(next.reusedSocket).toBe(true);
    }

    beforeAll(async () => {
      t = await startTestServer(store, { STAGEFLOW_MAX_UPLOAD: String(LIMIT) });
      agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      owner = await t.employee('olga', 'manager', 'Olga Owner');
      outsider = await t.employee('oscar', 'manager', 'Oscar Outsider');
      viewer = await t.employee('vera', 'manager', 'Vera Viewer');
      definitionId = await publishDefinition(t.admin, 'Refusals', twoStageBody());
      processId = (await owner.post('/api/processes', { definitionId })).body.id;
      expectStatus(
        await owner.put(`/api/processes/${processId}/access`, {
          entries: [{ employeeId: viewer.id, level: 'view' }],
        }),
        200,
      );
    });
    afterAll(async () => {
      agent?.destroy();
      await t?.close();
    });

    const upload = () => `/api/processes/${processId}/attachments`;

    it('answers 404 to 2 MB sent to a process the caller may not see, and the request ends', async () => {
      await refusedAndStillServing(outsider.token, upload(), form(2 * 1024 * 1024), 404, 'not_found');
      // And through fetch, as a browser would send it.
      const viaFetch = new FormData();
      viaFetch.append('file', new Blob([randomBytes(2 * 1024 * 1024)]), 'big.bin');
      expectError(await post(t.url, outsider.token, processId, '', viaFetch), 404, 'not_found');
    });

    it('answers 403 to 2 MB sent by someone who may only look, and the request ends', async () => {
      await refusedAndStillServing(viewer.token, upload(), form(2 * 1024 * 1024), 403, 'forbidden');
    });

    it('answers 422 to 2 MB sent to a completed process, and the request ends', async () => {
      const done = (await owner.post('/api/processes', { definitionId })).body.id;
      expectStatus(await owner.post(`/api/processes/${done}/stage`, { state: 'done' }), 200);
      await refusedAndStillServing(
        owner.token,
        `/api/processes/${done}/attachments`,
        form(2 * 1024 * 1024),
        422,
        'process_not_active',
      );
    });

    it('answers 400 to 2 MB under a wrong field name, and the request ends', async () => {
      await refusedAndStillServing(
        owner.token,
        upload(),
        form(2 * 1024 * 1024, 'upload'),
        400,
        'validation_failed',
      );
    });

    it('answers 413 to a file over the limit, and the request ends', async () => {
      await refusedAndStillServing(owner.token, upload(), form(LIMIT + 1024 * 1024), 413, 'too_large');
    });

    it('answers a body far over the limit and closes the connection', async () => {
      const refused = await send('POST', upload(), outsider.token, form(4 * LIMIT));
      expectError(refused, 404, 'not_found');
      expect(refused.headers.get('connection')).toBe('close');
      const next = await send('GET', '/api/me', outsider.token);
      expectStatus(next, 200);
      expect(next.reusedSocket).toBe(false);
    });

    it('left no attachment and no file behind', async () => {
      const card = (await owner.get(`/api/processes/${processId}`)).body;
      expect(card.attachments).toEqual([]);
      expect(filesIn(path.join(t.database.dataDir, 'attachments'))).toEqual([]);
    });
  });

  describe(`${store}: temporary upload files at start-up`, () => {
    it('removes the .upload-* files a crash left and keeps real attachments', async () => {
      const database = await createTestDatabase(store);
      let t = await startTestServer(store, {}, database);
      try {
        const manager = await t.employee('kim', 'manager', 'Kim');
        const definitionId = await publishDefinition(t.admin, 'Crash', twoStageBody());
        const processId = (await manager.post('/api/processes', { definitionId })).body.id;
        const form = new FormData();
        form.append('file', new Blob([Buffer.from('kept bytes')]), 'kept.txt');
        const saved = await post(t.url, manager.token, processId, '', form);
        expectStatus(saved, 201);
        await t.stop();

        const dir = path.join(database.dataDir, 'attachments');
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, '.upload-xyz'), 'half an upload');
        writeFileSync(path.join(dir, '.upload-0190a0b0-0000-7000-8000-000000000000'), randomBytes(1000));
        expect(filesIn(dir)).toHaveLength(3);

        t = await startTestServer(store, {}, database);
        expect(filesIn(dir)).toEqual([saved.body.id]);
        const again = await t.login('kim', 'kim-password');
        const download = await fetch(`${t.url}/api/processes/${processId}/attachments/${saved.body.id}`, {
          headers: { authorization: `Bearer ${again.token}` },
        });
        expect(download.status).toBe(200);
        expect(await download.text()).toBe('kept bytes');
      } finally {
        await t.close();
      }
    });
  });
}
