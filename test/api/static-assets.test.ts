/**
 * The built web app's files on both stores: hashed assets under /assets/ are cached for a year as
 * immutable and sent pre-compressed (brotli or gzip, whichever the browser accepts, else plain);
 * index.html, also as the SPA fallback for deep links, is revalidated on every load.
 * Needs the built web app (`npm run build:web`; `npm test` builds it first).
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET with exactly the given headers (fetch would add and undo its own Accept-Encoding). */
function get(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('the built web app is present', () => {
  it('has web/dist/index.html', () => {
    expect(existsSync(path.resolve('web/dist/index.html'))).toBe(true);
  });
});

for (const store of STORES) {
  describe(`${store}: static assets`, () => {
    let t: TestServer;
    let script: string;
    let style: string;
    beforeAll(async () => {
      t = await startTestServer(store);
      const index = await get(`${t.url}/`);
      const html = index.body.toString('utf8');
      script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
      style = /<link[^>]+href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1] ?? '';
    });
    afterAll(async () => {
      await t?.close();
    });

    it('index.html is revalidated on every load', async () => {
      const res = await get(`${t.url}/`, { 'accept-encoding': 'gzip, br' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      // A deep link gets the same page, also uncached.
      const deep = await get(`${t.url}/processes/some-id`, { 'accept-encoding': 'gzip, br' });
      expect(deep.status).toBe(200);
      expect(deep.headers['cache-control']).toBe('no-cache');
      expect(deep.body.toString('utf8')).toContain(script);
    });

    it('names its script and style by content hash', () => {
      expect(script).toMatch(/^\/assets\/index-[\w-]{6,}\.js$/);
      expect(style).toMatch(/^\/assets\/index-[\w-]{6,}\.css$/);
    });

    it('sends hashed assets compressed with a year-long immutable cache', async () => {
      for (const asset of [script, style]) {
        const plain = await get(`${t.url}${asset}`);
        expect(plain.status).toBe(200);
        expect(plain.headers['content-encoding']).toBeUndefined();
        expect(plain.headers['cache-control']).toBe(IMMUTABLE);
        expect(plain.body.length).toBeGreaterThan(1024);

        const br = await get(`${t.url}${asset}`, { 'accept-encoding': 'gzip, deflate, br' });
        expect(br.status).toBe(200);
        expect(br.headers['content-encoding']).toBe('br');
        expect(br.headers['cache-control']).toBe(IMMUTABLE);
        expect(br.headers.vary).toMatch(/accept-encoding/i);
        expect(br.headers['content-type']).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
        expect(br.body.length).toBeLessThan(plain.body.length / 2);
        expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);

        const gz = await get(`${t.url}${asset}`, { 'accept-encoding': 'gzip' });
        expect(gz.headers['content-encoding']).toBe('gzip');
        expect(gz.headers['cache-control']).toBe(IMMUTABLE);
        expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
      }
    });

    it('a missing asset is a 404 in the API error shape, not the page', async () => {
      const res = await get(`${t.url}/assets/index-missing0.js`, { 'accept-encoding': 'br' });
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body.toString('utf8')).error.code).toBe('not_found');
    });
  });
}
