/**
 * Input the route schemas cannot see, refused the same way on both stores: bodies that are not
 * JSON, text holding U+0000 (PostgreSQL cannot store it), and paths the router itself rejects.
 */
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

export function installInputGuards(app: FastifyInstance): void {
  // JSON in: without this, a text/plain body would reach the schemas as a string (400, not 415).
  app.removeContentTypeParser('text/plain');
  app.addHook('preValidation', async (request) => {
    if (hasNul(request.body) || hasNul(request.query) || hasNul(request.params)) {
      throw new DomainError('validation_failed', 'Text may not contain the NUL character (U+0000).');
    }
  });
}

/** Fastify's `frameworkErrors`: an undecodable or overlong path parameter, in the API's error shape. */
export function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply.code(400).send(errorBody('validation_failed', error.message));
}
