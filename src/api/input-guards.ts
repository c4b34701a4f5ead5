/**
 * Input the route schemas cannot see, refused the same way on both stores: bodies that are not
 * JSON, JSON that is not valid UTF-8, text holding U+0000 (PostgreSQL cannot store it), a body
 * sent to a route that takes none, multipart sent to a JSON route, and paths the router itself
 * rejects.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import { errorBody } from './http-errors.ts';

/** Deeper than any request schema; a value nested further fails its schema anyway. */
const MAX_DEPTH = 32;

/** Whether a string anywhere in a parsed value (object keys included) holds the NUL character. */
export function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return false;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000') || hasNul(item, depth + 1)) return true;
  }
  return false;
}

/** Whether a parsed body carries anything: absent, `null` and `{}` carry nothing. */
function carriesSomething(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  return !(typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
}

export function installInputGuards(app: FastifyInstance): void {
  // JSON in: without this, a text/plain body would reach the schemas as a string (400, not 415).
  app.removeContentTypeParser('text/plain');
  // Invalid UTF-8 would otherwise be decoded to U+FFFD and stored as if it had been sent.
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(new DomainError('malformed_json', 'The request body is not valid UTF-8.'), undefined);
      return;
    }
    parseJson(request, bytes.toString('utf8'), done);
  });
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema as { body?: unknown; consumes?: string[] } | undefined;
    const takesMultipart = schema?.consumes?.includes('multipart/form-data') ?? false;
    // @fastify/multipart accepts multipart on every route and leaves the body empty: a JSON route
    // with an optional body would then run as if it had been called without one.
    if (request.isMultipart?.() && !takesMultipart) {
      throw new DomainError('unsupported_media_type', 'This endpoint takes JSON, not multipart/form-data.');
    }
    // An unknown path answers 404 whatever its body (request.is404: the not-found handler).
    if (!request.is404 && !schema?.body && !takesMultipart && carriesSomething(request.body)) {
      throw new DomainError('validation_failed', 'This endpoint takes no request body.');
    }
    if (hasNul(request.body) || hasNul(request.query) || hasNul(request.params)) {
      throw new DomainError('validation_failed', 'Text may not contain the NUL character (U+0000).');
    }
  });
}

/** Fastify's `frameworkErrors`: an undecodable or overlong path parameter, in the API's error shape. */
export function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply.code(400).send(errorBody('validation_failed', error.message));
}
