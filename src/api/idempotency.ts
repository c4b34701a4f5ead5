/**
 * `Idempotency-Key` on every authenticated POST: the same request sent again (a retry after a
 * time-out, a double click, a proxy that resends) has one effect and gets the first answer again,
 * marked `Idempotent-Replayed: true`. Keys are the caller's own (two employees may use the same
 * key), live for 24 hours, and bind to the request: the same key with another method, path or body
 * answers 422 `idempotency_key_reused`. Answers of 5xx are not kept, so a retry runs again.
 *
 * The claim on a key commits in the same transaction as the change it guards (see
 * store/idempotency-keys.ts). A copy that arrives while the first is still running waits for its
 * answer. Should a node die between committing and answering, a retry learns that the first
 * request took effect (409 `idempotency_answer_lost`) rather than repeating it.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import {
  findAnswer,
  type IdempotencyClaim,
  IdempotencyKeyTaken,
  requestScope,
  runInRequestScope,
  type StoredAnswer,
  saveAnswer,
} from '../store/idempotency-keys.ts';
import type { Store } from '../store/store.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** How long a copy waits for the first request's answer. */
const WAIT_FOR_ANSWER_MS = 15_000;
const POLL_MS = 25;

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

function hashOf(request: FastifyRequest): string {
  const hash = createHash('sha256').update(`${request.method} ${request.url}\n`);
  // Multipart bodies are streamed to the handler; their length stands for them.
  if (request.isMultipart()) hash.update(`multipart ${request.headers['content-length'] ?? ''}`);
  else hash.update(JSON.stringify(request.body ?? null));
  return hash.digest('hex');
}

function replay(reply: FastifyReply, answer: StoredAnswer): FastifyReply {
  return reply
    .code(answer.status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('idempotent-replayed', 'true')
    .send(answer.body);
}

/** Waits until the request holding the key has answered; undefined if it never does in time. */
async function awaitAnswer(store: Store, claim: IdempotencyClaim): Promise<StoredAnswer | undefined> {
  const deadline = Date.now() + WAIT_FOR_ANSWER_MS;
  for (;;) {
    const answer = await findAnswer(store.db, claim.employeeId, claim.key);
    if (answer && answer.status !== 0) return answer;
    if (Date.now() >= deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Answers a request whose key is already claimed, from the first request's answer. */
async function answerFromClaim(store: Store, claim: IdempotencyClaim, reply: FastifyReply) {
  const answer = await awaitAnswer(store, claim);
  if (answer && answer.requestHash !== claim.requestHash) throw reused();
  if (answer && answer.status !== 0) return replay(reply, answer);
  throw new DomainError('idempotency_answer_lost', undefined, { key: claim.key });
}

function reused(): DomainError {
  return new DomainError('idempotency_key_reused');
}

/** Puts every request in its own scope; must be registered on the root instance. */
export function installRequestScope(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, _reply, done) => runInRequestScope(done));
}

/** The idempotency hooks for authenticated routes (after requireAuth). */
export function installIdempotency(app: FastifyInstance, store: Store, now: () => number): void {
  app.addHook('preHandler', async (request, reply) => {
    const raw = request.headers[IDEMPOTENCY_HEADER];
    if (request.method !== 'POST' || raw === undefined || !request.actor) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (key === undefined || !KEY_PATTERN.test(key)) {
      throw new DomainError('validation_failed', 'Idempotency-Key must be 1–255 visible ASCII characters.');
    }
    const claim: IdempotencyClaim = {
      employeeId: request.actor.id,
      key,
      method: request.method,
      path: request.url,
      requestHash: hashOf(request),
      now: now(),
      committed: false,
    };
    const existing = await findAnswer(store.db, claim.employeeId, key);
    if (existing) {
      if (existing.requestHash !== claim.requestHash) throw reused();
      return answerFromClaim(store, claim, reply);
    }
    const scope = requestScope();
    if (scope) scope.claim = claim;
    return undefined;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = requestScope()?.claim;
    if (!claim?.committed || reply.getHeader('idempotent-replayed')) return payload;
    if (reply.statusCode >= 500) return payload;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : '';
    await saveAnswer(store, claim, reply.statusCode, body).catch((err: unknown) =>
      request.log.error({ err }, 'could not keep the answer of an idempotent request'),
    );
    return payload;
  });
}

/** The error handler's part: a copy that lost the race to claim its key is answered from the winner. */
export async function answerTakenKey(
  error: unknown,
  store: Store,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  if (!(error instanceof IdempotencyKeyTaken)) return undefined;
  const claim = requestScope()?.claim;
  if (!claim) return undefined;
  return answerFromClaim(store, claim, reply);
}
