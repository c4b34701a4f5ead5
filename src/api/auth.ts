/**
 * Who is calling: a Bearer token or the HttpOnly session cookie, both checked the same way.
 * Cookie-authenticated writes must come from our own pages (Fetch Metadata), which stops CSRF.
 */
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, type EngineContext, requireAdmin as requireAdminActor } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { authenticate } from '../services/employees.ts';

export const SESSION_COOKIE = 'sf_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: (Actor & { login: string }) | null;
    sessionToken: string | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

export function requireAuth(ctx: EngineContext) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const fromHeader = bearer(request);
    const token = fromHeader ?? request.cookies?.[SESSION_COOKIE] ?? null;
    if (!token) throw new DomainError('unauthorized');
    const actor = await authenticate(ctx, token);
    if (!actor) throw new DomainError('unauthorized', 'The session has expired; log in again.');
    if (!fromHeader && !SAFE_METHODS.has(request.method)) {
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        throw new DomainError('forbidden', 'Cross-site requests may not change anything.');
      }
    }
    request.actor = actor;
    request.sessionToken = token;
  };
}

/** The authenticated actor; routes behind requireAuth always have one. */
export function actorOf(request: FastifyRequest): Actor & { login: string } {
  if (!request.actor) throw new DomainError('unauthorized');
  return request.actor;
}

export function requireAdmin(request: FastifyRequest): Actor {
  return requireAdminActor(actorOf(request));
}
