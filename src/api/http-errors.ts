/** Every failure leaves the API in one shape: {"error": {code, message, details}}. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, ERROR_CATALOGUE, type ErrorCode } from '../domain/errors.ts';
import { IdempotencyKeyTaken } from '../store/idempotency-keys.ts';
import type { Store } from '../store/store.ts';
import { isBusy, isPoolExhausted, isUnavailable, isUniqueViolation } from '../store/store.ts';
import { answerTakenKey } from './idempotency.ts';

export function errorBody(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
  return { error: { code, message: message ?? ERROR_CATALOGUE[code].text, ...(details ? { details } : {}) } };
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
};

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'duplicate',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

export function installErrorHandling(app: FastifyInstance, store?: Store): void {
  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    if (store && err instanceof IdempotencyKeyTaken) {
      const answered = await answerTakenKey(err, store, reply).catch((e: unknown) => e);
      if (answered === reply) return reply;
      if (answered instanceof DomainError) err = answered as unknown as FastifyError;
    }
    if (err instanceof DomainError) {
      const level = err.status >= 500 ? 'error' : 'info';
      request.log[level]({ code: err.code }, err.message);
      return reply
        .code(err.status)
        .send(errorBody(err.code, err.message, err.details as Record<string, unknown>));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({
        path: `${err.validationContext ?? ''}${v.instancePath}`,
        message: v.message ?? 'invalid',
      }));
      return reply
        .code(400)
        .send(errorBody('validation_failed', 'The request does not match the schema.', { issues }));
    }
    if (isUniqueViolation(err)) return reply.code(409).send(errorBody('duplicate'));
    if (isBusy(err)) return reply.code(503).header('retry-after', '1').send(errorBody('database_busy'));
    if (isPoolExhausted(err))
      return reply.code(503).header('retry-after', '1').send(errorBody('pool_exhausted'));
    if (isUnavailable(err))
      return reply.code(503).header('retry-after', '5').send(errorBody('database_unavailable'));
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
    const status = err.statusCode ?? 500;
    if (mapped || (status >= 400 && status < 500)) {
      const code = mapped ?? BY_STATUS[status] ?? 'validation_failed';
      const body = errorBody(
        code,
        err instanceof SyntaxError ? 'The request body is not valid JSON.' : err.message,
      );
      return reply.code(ERROR_CATALOGUE[code].status).send(body);
    }
    request.log.error({ err }, 'unexpected error');
    return reply.code(500).send(errorBody('internal'));
  });
}

/**
 * Unknown routes answer a JSON 404; with the web app built (`spa`), a page address that is not an
 * API path or a file gets the app's page, which routes on the client.
 */
export function installNotFound(app: FastifyInstance, spa: boolean): void {
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    const page =
      spa && request.method === 'GET' && !pathname.startsWith('/api/') && !/\.[a-z0-9]+$/i.test(pathname);
    if (page) return reply.type('text/html').sendFile('index.html');
    return reply.code(404).send(errorBody('not_found', `No route ${request.method} ${pathname}.`));
  });
}
