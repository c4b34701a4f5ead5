/** What hangs off a process card: attachments, links and access grants. */
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { setAccess } from '../../engine/access.ts';
import { addAttachment, deleteAttachment, findAttachment } from '../../engine/attachments.ts';
import { addLink, removeLink } from '../../engine/links.ts';
import { processCard } from '../../engine/process-card.ts';
import { LINK_TYPES } from '../../engine/references.ts';
import { actorOf } from '../auth.ts';
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

export async function processPartRoutes(app: App, { ctx, files }: RouteDeps): Promise<void> {
  const dataDir = files?.dataDir ?? './data';
  const attachmentParams = z.strictObject({ id, attachmentId: id });

  app.post(
    '/api/processes/:id/attachments',
    { schema: { tags, params: idParams, consumes: ['multipart/form-data'] } },
    async (request, reply) => {
      const actor = actorOf(request);
      if (!request.isMultipart())
        throw new DomainError(
          'unsupported_media_type',
          'Send the file as multipart/form-data, field "file".',
        );
      const part = await request.file();
      if (part?.fieldname !== 'file') {
        part?.file.resume();
        throw new DomainError('validation_failed', 'Send the file in the multipart field "file".');
      }
      const saved = await addAttachment(ctx, actor, request.params.id, dataDir, {
        filename: part.filename,
        stream: part.file,
      });
      reply.code(201);
      return saved;
    },
  );

  app.get(
    '/api/processes/:id/attachments/:attachmentId',
    { schema: { tags, params: attachmentParams } },
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
    { schema: { tags, params: attachmentParams } },
    async (request, reply) => {
      await deleteAttachment(ctx, actorOf(request), request.params.id, request.params.attachmentId, dataDir);
      reply.code(204);
    },
  );

  app.post(
    '/api/processes/:id/links',
    { schema: { tags, params: idParams, body: linkSchema } },
    async (request, reply) => {
      const actor = actorOf(request);
      const row = await addLink(ctx, actor, request.params.id, request.body.type, request.body.id);
      reply.code(201);
      return processCard(ctx, actor, row.id, row);
    },
  );

  app.delete(
    '/api/processes/:id/links/:type/:linkedId',
    { schema: { tags, params: z.strictObject({ id, type: z.enum(LINK_TYPES), linkedId: id }) } },
    async (request) => {
      const actor = actorOf(request);
      const row = await removeLink(
        ctx,
        actor,
        request.params.id,
        request.params.type,
        request.params.linkedId,
      );
      return processCard(ctx, actor, row.id, row);
    },
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
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const row = await setAccess(ctx, actor, request.params.id, request.body.entries);
      return processCard(ctx, actor, row.id, row);
    },
  );
}
