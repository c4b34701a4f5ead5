/**
 * The security headers of every answer (helmet's, with the policy below), worked out once at start:
 * helmet's middleware runs a single time against a response that only records the headers it sets,
 * and one onRequest hook then sets that same table on every answer, errors and 404s included.
 * Building helmet's middleware for each request, as its Fastify plugin does, costs more than the
 * headers themselves.
 */
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

type HelmetOptions = Record<string, unknown>;
type Middleware = (req: unknown, res: unknown, next: (error?: unknown) => void) => void;

/** helmet itself, as the Fastify plugin of the dependencies loads it. */
const helmet = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'))('helmet') as (
  options: HelmetOptions,
) => Middleware;

/** The headers helmet's middleware sets with `options` (names lower-cased, in helmet's order). */
export function helmetHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  let failed: unknown;
  const res = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({}, res, (error) => {
    failed = error;
  });
  if (failed) throw failed;
  return Object.freeze(headers);
}

/** Sets the security headers (computed once, here) on every answer of `app`. */
export function installSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const headers = helmetHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
