/** What hangs off a process card: attachments, links and access grants. */
import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { LINK_TYPES } from '../../domain/records.ts';
import { setAccess } from '../../services/access.ts';
import {
  addAttachment,
  deleteAttachment,
  findAttachment,
  requireAttachable,
} from '../../services/attachments.ts';
import { addLink, removeLink } from '../../services/links.ts';
import { actorOf } from '../auth.ts';
import { cardAfter } from '../card-after.ts';
import {
  attachmentSchema,
  errorResponses,
  fileBytesSchema,
  noContentSchema,
  processCardSchema,
} from '../contract.ts';
import { id, idParams, linkSchema } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

const tags = ['processes'];

/** `filename*=` form (RFC 5987) next to an ASCII fallback, so any name survives the header. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  // encodeURIComponent leaves ' ( ) * as they are; RFC 5987 allows none of them in the value.
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Multipart and busboy failures that mean the client sent a broken form (not our disk failing). */
const FORM_ERRORS: Readonly<Record<string, string>> = {
  FST_FILES_LIMIT: 'Send exactly one file, in the multipart field "file".',
  FST_MP_PREMATURE_CLOSE: 'The request ended before the multipart body was complete.',
  FST_PROTO_VIOLATION: 'A multipart field has a reserved name.',
};

/** The error a broken multipart body answers: 400 `validation_failed`, or the error itself. */
function formError(error: unknown): unknown {
  if (error instanceof DomainError || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const known = typeof code === 'string' ? FORM_ERRORS[code] : undefined;
  if (known) return new DomainError('validation_failed', known);
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return error;
  // busboy's own: "Unexpected end of form", "Malformed part header", "Boundary not found", …
  return new DomainError('validation_failed', `The multipart body is malformed: ${error.message}`);
}

/** Multipart overhead (boundaries, part headers, small fields) allowed beyond the file limit. */
const FORM_SLACK = 64 * 1024;

/**
 * After an upload was refused before its body was read to the end: reads and drops what the client
 * still sends, so it finishes sending and sees the answer (a client that is not read from would
 * wait until the keep-alive timeout). A body larger than the upload limit is not read: the answer
 * says `Connection: close` and the connection is closed once the answer is out.
 */
function releaseBody(request: FastifyRequest, reply: FastifyReply, maxUpload: number): void {
  const raw = request.raw;
  if (raw.readableEnded) return;
  const cap = maxUpload + FORM_SLACK;
  const close = () => {
    if (!reply.sent) reply.header('connection', 'close');
    if (reply.raw.writableFinished) raw.socket?.destroy();
    else reply.raw.once('finish', () => raw.socket?.destroy());
  };
  if (Number(raw.headers['content-length']) > cap) {
    close();
    return;
  }
  raw.unpipe();
  raw.removeAllListeners('data');
  let dropped = 0;
  raw.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > cap) {
      raw.pause();
      close();
    }
  });
  raw.resume();
}

export async function processPartRoutes(app: App, { ctx, files }: RouteDeps): Promise<void> {
  const dataDir = files?.dataDir ?? './data';
  const maxUpload = files?.maxUpload ?? 25 * 1024 * 1024;
  const attachmentParams = z.strictObject({ id, attachmentId: id });

  app.post(
    '/api/processes/:id/attachments',
    {
      schema: {
        tags,
        params: idParams,
        consumes: ['multipart/form-data'],
        response: { 201: attachmentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      try {
        if (!request.isMultipart())
          throw new DomainError(
            'unsupported_media_type',
            'Send the file as multipart/form-data, field "file".',
          );
        // Refused before a byte of the body is read: 404, 403, 422 process_not_active.
        await requireAttachable(ctx, actor, request.params.id);
        const parts = request.parts()[Symbol.asyncIterator]();
        const next = async () => {
          try {
            return await parts.next();
          } catch (error) {
            throw formError(error);
          }
        };
        let first = await next();
        // Plain fields before the file are allowed and ignored.
        while (!first.done && first.value.type !== 'file') first = await next();
        const part = first.done ? undefined : first.value;
        if (part?.type !== 'file' || part.fieldname !== 'file')
          throw new DomainError('validation_failed', 'Send the file in the multipart field "file".');
        let streamError: unknown;
        part.file.once('error', (error) => {
          streamError = error;
        });
        const rest = async () => {
          for (let item = await next(); !item.done; item = await next()) {
            if (item.value.type === 'file')
              throw new DomainError(
                'validation_failed',
                'Send exactly one file, in the multipart field "file".',
              );
          }
        };
        try {
          const saved = await addAttachment(ctx, actor, request.params.id, dataDir, {
            filename: part.filename,
            stream: part.file,
            rest,
          });
          reply.code(201);
          return saved;
        } catch (error) {
          throw error === streamError ? formError(error) : error;
        }
      } catch (error) {
        releaseBody(request, reply, maxUpload);
        throw error;
      }
    },
  );

  app.get(
    '/api/processes/:id/attachments/:attachmentId',
    {
      schema: {
        tags,
        params: attachmentParams,
        response: {
          200: {
            description: 'The file, with the content type found in its bytes.',
            content: { '*/*': { schema: fileBytesSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const row = await findAttachment(
        ctx,
        actorOf(request),
        request.params.id,
        request.params.attachmentId,
        dataDir,
      );
      reply
        .header('content-type', row.content_type)
        .header('content-length', String(row.size))
        .header('content-disposition', contentDisposition(row.name))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .header('content-security-policy', "default-src 'none'; sandbox");
      return reply.send(createReadStream(row.file));
    },
  );

  app.delete(
    '/api/processes/:id/attachments/:attachmentId',
    { schema: { tags, params: attachmentParams, response: { 204: noContentSchema, ...errorResponses } } },
    async (request, reply) => {
      await deleteAttachment(ctx, actorOf(request), request.params.id, request.params.attachmentId, dataDir);
      reply.code(204);
    },
  );

  app.post(
    '/api/processes/:id/links',
    {
      schema: {
        tags,
        params: idParams,
        body: linkSchema,
        response: { 201: processCardSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const card = await cardAfter(ctx, request, (actor) =>
        addLink(ctx, actor, request.params.id, request.body.type, request.body.id),
      );
      reply.code(201);
      return card;
    },
  );

  app.delete(
    '/api/processes/:id/links/:type/:linkedId',
    {
      schema: {
        tags,
        params: z.strictObject({ id, type: z.enum(LINK_TYPES), linkedId: id }),
        response: { 200: processCardSchema, ...errorResponses },
      },
    },
    async (request) =>
      cardAfter(ctx, request, (actor) =>
        removeLink(ctx, actor, request.params.id, request.params.type, request.params.linkedId),
      ),
  );

  app.put(
    '/api/processes/:id/access',
    {
      schema: {
        tags,
        params: idParams,
        body: z.strictObject({
          entries: z.array(z.strictObject({ employeeId: id, level: z.enum(['view', 'edit']) })).max(500),
        }),
        response: { 200: processCardSchema, ...errorResponses },
      },
    },
    async (request) =>
      cardAfter(ctx, request, (actor) => setAccess(ctx, actor, request.params.id, request.body.entries)),
  );
}
