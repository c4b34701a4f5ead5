import fastifyHelmet from '@fastify/helmet';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { helmetHeaders, installSecurityHeaders } from '../../src/api/security-headers.ts';

const OPTIONS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      workerSrc: ["'self'", 'blob:'],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: false,
  strictTransportSecurity: false,
};

/** The headers of one answer (ok, 404 or thrown error) of an app set up by `install`. */
async function answerHeaders(
  install: (app: ReturnType<typeof Fastify>) => Promise<void> | void,
  url: string,
) {
  const app = Fastify();
  await install(app);
  app.get('/ok', async () => ({ ok: true }));
  app.get('/fails', async () => {
    throw new Error('boom');
  });
  const res = await app.inject({ method: 'GET', url });
  await app.close();
  const own = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
  return Object.fromEntries(Object.entries(res.headers).filter(([name]) => !own.has(name)));
}

describe('security headers worked out once', () => {
  it('sets exactly the headers helmet sets, on answers, 404s and errors', async () => {
    for (const url of ['/ok', '/missing', '/fails']) {
      const plugin = await answerHeaders((app) => app.register(fastifyHelmet, OPTIONS), url);
      const once = await answerHeaders((app) => installSecurityHeaders(app, OPTIONS), url);
      expect(once, url).toEqual(plugin);
      expect(once['content-security-policy'], url).toContain("worker-src 'self' blob:");
      expect(once['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it('follows the options given', () => {
    const framed = helmetHeaders({ ...OPTIONS, frameguard: { action: 'deny' } });
    expect(framed['x-frame-options']).toBe('DENY');
    expect(helmetHeaders(OPTIONS)['x-frame-options']).toBe('SAMEORIGIN');
    expect(helmetHeaders(OPTIONS)['strict-transport-security']).toBeUndefined();
  });
});
