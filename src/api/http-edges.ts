/**
 * The edges of HTTP that routes never see: requests Node's parser refuses before Fastify has a
 * request (headers too large, garbage, too slow), answered in the API's error shape; which proxies
 * to believe about the client's address and scheme; and Strict-Transport-Security, sent only on
 * answers served over https.
 */
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ERROR_CATALOGUE, type ErrorCode } from '../domain/errors.ts';
import { errorBody } from './http-errors.ts';

/** Browsers keep to https for a year, subdomains included (helmet's default value). */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

/** The error code for an error of Node's HTTP parser or request timer. */
export function clientErrorCode(error: { code?: string }): ErrorCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  return 'malformed_request';
}

/**
 * Fastify's `clientErrorHandler` (Node's 'clientError' event): answers in the API's error shape and
 * closes the connection. Nothing is written on a reset connection or after a response has begun.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const pending = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    const code = clientErrorCode(error);
    const status = ERROR_CATALOGUE[code].status;
    const body = JSON.stringify(errorBody(code));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  this.log.debug({ err: error }, 'client error');
  socket.destroy(error);
}

/**
 * TRUST_PROXY in the form Fastify takes. A hop count becomes a function trusting that many hops
 * nearest the server (Fastify itself treats a bare number as "trust nobody").
 */
export function fastifyTrustProxy(
  value: boolean | number | readonly string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === 'number') return (_address, hop) => hop < value;
  return typeof value === 'boolean' ? value : [...value];
}

/** Sends Strict-Transport-Security on every answer to a request that came over https. */
export function installStrictTransportSecurity(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', STRICT_TRANSPORT_SECURITY);
  });
}
