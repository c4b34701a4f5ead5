/**
 * Attachments over HTTP: multipart uploads, byte-exact downloads, hostile file names, where the bytes
 * land on disk, content types taken from the bytes (never from the client), the size limit, and
 * removal — on both stores.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
import { STORES } from '../support/stores.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const answer = readAnswer;

/** Uploads through the global FormData, as a browser would. */
async function upload(
  url: string,
  token: string,
  processId: string,
  bytes: Uint8Array,
  name: string,
  options: { type?: string; field?: string } = {},
): Promise<Response> {
  const form = new FormData();
  form.append(options.field ?? 'file', new Blob([bytes], { type: options.type ?? '' }), name);
  const res = await fetch(`${url}/api/processes/${processId}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return answer(res);
}

/** Uploads a hand-written multipart body, so the part header carries exactly these bytes. */
async function uploadRaw(
  url: string,
  token: string,
  processId: string,
  disposition: string,
  bytes: Uint8Array,
): Promise<Response> {
  const boundary = `----stageflow${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: text/plain\r\n\r\n`,
      'utf8',
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await fetch(`${url}/api/processes/${processId}/attachments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    body,
  });
  return answer(res);
}

async function download(
  url: string,
  token: string,
  processId: string,
  attachmentId: string,
): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(`${url}/api/processes/${processId}/attachments/${attachmentId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** A minimal PNG: the 8-byte signature and an IHDR chunk of a 1×1 greyscale image, with its CRC. */
function minimalPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes: Buffer): number => {
    let c = 0xffffffff;
    for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr.writeUInt8(8, 8); // bit depth
  const typeAndData = Buffer.concat([Buffer.from('IHDR', 'ascii'), ihdr]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(ihdr.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    length,
    typeAndData,
    crc,
  ]);
}

for (const store of STORES) {
  describe(`${store}: attachments`, () => {
    let t: TestServer;
    let manager: Client & { id: string };
    let definitionId: string;

    async function launch(): Promise<string> {
      const res = await manager.post('/api/processes', { definitionId });
      expectStatus(res, 201);
      return res.body.id as string;
    }

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('uma', 'manager', 'Uma Uploader');
      definitionId = await publishDefinition(t.admin, 'Documents', twoStageBody());
    });
    afterAll(async () => t?.close());

    it('stores an upload and serves it back byte for byte, as a download', async () => {
      const processId = await launch();
      const bytes = randomBytes(200 * 1024);
      const res = await upload(t.url, manager.token, processId, bytes, 'report.bin', {
        type: 'application/x-custom',
      });
      expectStatus(res, 201);
      expect(res.body).toMatchObject({
        name: 'report.bin',
        size: bytes.length,
        contentType: 'application/octet-stream',
      });
      expect(res.body.id).toMatch(UUID);

      const card = (await manager.get(`/api/processes/${processId}`)).body;
      expect(card.attachments).toEqual([
        expect.objectContaining({
          id: res.body.id,
          name: 'report.bin',
          size: bytes.length,
          contentType: 'application/octet-stream',
        }),
      ]);

      const got = await download(t.url, manager.token, processId, res.body.id);
      expect(got.status).toBe(200);
      expect(got.bytes.length).toBe(bytes.length);
      expect(sha256(got.bytes)).toBe(sha256(bytes));
      expect(got.headers.get('content-length')).toBe(String(bytes.length));
      expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(got.headers.get('content-disposition')).toContain('filename="report.bin"');
      expect(got.headers.get('x-content-type-options')).toBe('nosniff');
      expect(got.headers.get('content-type')).toBe('application/octet-stream');
    });

    it('keeps the bytes under DATA_DIR/attachments/<id> and nowhere else', async () => {
      const processId = await launch();
      const bytes = randomBytes(4096);
      const res = await upload(t.url, manager.token, processId, bytes, '../../etc/passwd');
      expectStatus(res, 201);
      expect(res.body.name).toBe('passwd');
      const id = res.body.id as string;

      const dataDir = t.database.dataDir;
      const stored = path.join(dataDir, 'attachments', id);
      expect(existsSync(stored), `expected the bytes at ${stored}`).toBe(true);
      expect(sha256(readFileSync(stored))).toBe(sha256(bytes));

      // Under the data directory: the database files and attachments named by generated ids only —
      // no client-chosen name, no left-over temporary upload.
      const all = await t.admin.get('/api/processes?limit=500');
      const known = new Set<string>();
      for (const p of all.body.items) {
        const card = (await t.admin.get(`/api/processes/${p.id}`)).body;
        for (const a of card.attachments) known.add(a.id);
      }
      for (const file of filesUnder(dataDir)) {
        if (file.startsWith(`attachments${path.sep}`)) {
          const name = file.slice('attachments'.length + 1);
          expect(name, file).toMatch(UUID);
          expect(known.has(name), `${file} is not an attachment of any process`).toBe(true);
        } else {
          expect(file, `unexpected file ${file} in DATA_DIR`).toMatch(/^stageflow\.db(-wal|-shm|-journal)?$/);
        }
      }
      // Nothing escaped the directory, whatever the name said; nothing went to the working directory.
      expect(existsSync(path.resolve(dataDir, 'attachments', '../../etc/passwd'))).toBe(false);
      expect(existsSync(path.resolve(dataDir, 'etc', 'passwd'))).toBe(false);
      expect(existsSync(path.resolve('data', 'attachments', id))).toBe(false);
    });

    it('strips path parts, control characters and direction overrides from names', async () => {
      const processId = await launch();
      const cases: [string, string][] = [
        ['../../etc/passwd', 'passwd'],
        ['a\\b\\..\\c.txt', 'c.txt'],
        ['evil\u0000.txt', 'evil.txt'],
        ['bell\u0007and\u001btab\t.txt', 'bellandtab.txt'],
        ['invoice\u202etxt.exe', 'invoicetxt.exe'],
        ['\u2066quiet\u2069.pdf', 'quiet.pdf'],
        ['Счёт №7.pdf', 'Счёт №7.pdf'],
        ['..', 'file'],
      ];
      for (const [raw, shown] of cases) {
        const res = await upload(t.url, manager.token, processId, Buffer.from('x'), raw);
        expectStatus(res, 201);
        expect(res.body.name, JSON.stringify(raw)).toBe(shown);
        const got = await download(t.url, manager.token, processId, res.body.id);
        expect(got.status).toBe(200);
        // The header is plain ASCII whatever the name; the exact name travels RFC 5987-encoded.
        const disposition = got.headers.get('content-disposition') ?? '';
        expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''/);
        expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent(shown)}`);
      }
      const card = (await manager.get(`/api/processes/${processId}`)).body;
      expect(card.attachments.map((a: any) => a.name)).toEqual(cases.map(([, shown]) => shown));
    });

    it('names a file "file" when its name is empty or nothing of it is left', async () => {
      const processId = await launch();
      const dispositions = [
        'form-data; name="file"; filename=""',
        'form-data; name="file"; filename="\u0000\u202e"',
        'form-data; name="file"; filename="evil\u0000.txt"',
      ];
      const names: string[] = [];
      for (const disposition of dispositions) {
        const res = await uploadRaw(t.url, manager.token, processId, disposition, Buffer.from('bytes'));
        expectStatus(res, 201);
        names.push(res.body.name);
      }
      expect(names).toEqual(['file', 'file', 'evil.txt']);
    });

    it('takes the content type from the bytes: HTML claimed as a PNG is not served as HTML', async () => {
      const processId = await launch();
      const html = Buffer.from(
        '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>',
      );
      const res = await upload(t.url, manager.token, processId, html, 'x.png', { type: 'image/png' });
      expectStatus(res, 201);
      expect(res.body.contentType).toBe('application/octet-stream');
      const got = await download(t.url, manager.token, processId, res.body.id);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('application/octet-stream');
      expect(got.headers.get('content-type')).not.toContain('html');
      expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(got.headers.get('x-content-type-options')).toBe('nosniff');
      expect(got.bytes.equals(html)).toBe(true);

      const png = minimalPng();
      const real = await upload(t.url, manager.token, processId, png, 'pixel.dat', { type: 'text/html' });
      expectStatus(real, 201);
      expect(real.body.contentType).toBe('image/png');
      const gotPng = await download(t.url, manager.token, processId, real.body.id);
      expect(gotPng.headers.get('content-type')).toBe('image/png');
      expect(gotPng.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(gotPng.bytes.equals(png)).toBe(true);
    });

    it('answers a request that is not multipart with an error code, and stores nothing', async () => {
      const processId = await launch();
      const asJson = await manager.post(`/api/processes/${processId}/attachments`, { file: 'aGVsbG8=' });
      expectError(asJson, 415, 'unsupported_media_type');
      const asOctets = await manager.request('POST', `/api/processes/${processId}/attachments`, 'raw bytes', {
        'content-type': 'application/octet-stream',
      });
      expectError(asOctets, 415, 'unsupported_media_type');
      const noBody = await manager.request('POST', `/api/processes/${processId}/attachments`);
      expect(noBody.status).toBeGreaterThanOrEqual(400);
      expect(noBody.status).toBeLessThan(500);
      expect(typeof noBody.body?.error?.code).toBe('string');
      expect((await manager.get(`/api/processes/${processId}`)).body.attachments).toEqual([]);
    });

    it('refuses a file sent under another field name, or no file at all, with 400', async () => {
      const processId = await launch();
      const wrongField = await upload(t.url, manager.token, processId, Buffer.from('x'), 'a.txt', {
        field: 'upload',
      });
      expectError(wrongField, 400, 'validation_failed');
      const form = new FormData();
      form.append('file', 'just a text field');
      const textOnly = await answer(
        await fetch(`${t.url}/api/processes/${processId}/attachments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${manager.token}` },
          body: form,
        }),
      );
      expectError(textOnly, 400, 'validation_failed');
      expect((await manager.get(`/api/processes/${processId}`)).body.attachments).toEqual([]);
    });

    it('deletes an attachment: 204, then 404 to download or delete again, and protocols both', async () => {
      const processId = await launch();
      const res = await upload(t.url, manager.token, processId, Buffer.from('to be removed'), 'old.txt');
      expectStatus(res, 201);
      const id = res.body.id as string;
      const removed = await manager.delete(`/api/processes/${processId}/attachments/${id}`);
      expect(removed.status).toBe(204);
      expectError(await manager.get(`/api/processes/${processId}/attachments/${id}`), 404, 'not_found');
      expectError(await manager.delete(`/api/processes/${processId}/attachments/${id}`), 404, 'not_found');
      expect(existsSync(path.join(t.database.dataDir, 'attachments', id))).toBe(false);
      expect((await manager.get(`/api/processes/${processId}`)).body.attachments).toEqual([]);

      const protocol = (await manager.get(`/api/processes/${processId}/protocol`)).body.items;
      const added = protocol.find((i: any) => i.action === 'attachment.added');
      const gone = protocol.find((i: any) => i.action === 'attachment.removed');
      expect(added).toMatchObject({
        actor: { id: manager.id, name: 'Uma Uploader' },
        details: { attachmentId: id, name: 'old.txt', size: 13 },
      });
      expect(gone).toMatchObject({
        actor: { id: manager.id, name: 'Uma Uploader' },
        details: { attachmentId: id, name: 'old.txt' },
      });
      expect(protocol.indexOf(added)).toBeLessThan(protocol.indexOf(gone));
    });

    it('serves an attachment only through its own process', async () => {
      const first = await launch();
      const second = await launch();
      const res = await upload(t.url, manager.token, first, Buffer.from('mine'), 'a.txt');
      expectStatus(res, 201);
      const crossed = await download(t.url, manager.token, second, res.body.id);
      expect(crossed.status).toBe(404);
      expectError(
        await manager.delete(`/api/processes/${second}/attachments/${res.body.id}`),
        404,
        'not_found',
      );
      expect((await download(t.url, manager.token, first, res.body.id)).status).toBe(200);
    });
  });

  describe(`${store}: the upload size limit`, () => {
    const LIMIT = 1000;
    let t: TestServer;
    let manager: Client & { id: string };
    let processId: string;

    beforeAll(async () => {
      t = await startTestServer(store, { STAGEFLOW_MAX_UPLOAD: String(LIMIT) });
      manager = await t.employee('lena', 'manager', 'Lena');
      const definitionId = await publishDefinition(t.admin, 'Small files', twoStageBody());
      processId = (await manager.post('/api/processes', { definitionId })).body.id;
    });
    afterAll(async () => t?.close());

    it('takes a file of exactly the limit', async () => {
      const res = await upload(t.url, manager.token, processId, randomBytes(LIMIT), 'exact.bin');
      expectStatus(res, 201);
      expect(res.body.size).toBe(LIMIT);
    });

    it('answers 413 too_large over the limit and keeps neither a row nor a file', async () => {
      const before = (await manager.get(`/api/processes/${processId}`)).body;
      const protocolBefore = (await manager.get(`/api/processes/${processId}/protocol`)).body.items;
      const filesBefore = filesUnder(path.join(t.database.dataDir, 'attachments'));

      for (const size of [LIMIT + 1, 5000]) {
        const res = await upload(t.url, manager.token, processId, randomBytes(size), `big-${size}.bin`);
        expectError(res, 413, 'too_large');
      }

      const after = (await manager.get(`/api/processes/${processId}`)).body;
      expect(after.attachments).toEqual(before.attachments);
      expect(after.version).toBe(before.version);
      expect((await manager.get(`/api/processes/${processId}/protocol`)).body.items).toEqual(protocolBefore);
      expect(filesUnder(path.join(t.database.dataDir, 'attachments'))).toEqual(filesBefore);
    });
  });
}
