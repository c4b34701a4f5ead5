import { z } from 'zod';
import {
  createDefinition,
  getDefinition,
  getDefinitionVersion,
  listDefinitions,
  publishDefinition,
  updateDefinition,
  validateDraft,
} from '../../services/definitions.ts';
import { actorOf, requireAdmin } from '../auth.ts';
import {
  definitionPageSchema,
  definitionSchema,
  definitionVersionSchema,
  errorResponses,
  validationResultSchema,
} from '../contract.ts';
import { definitionBodySchema, id, idParams, listQuery } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

const tags = ['definitions'];
const name = z.string().trim().min(1).max(300);
const description = z.string().max(5000);

export async function definitionRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  app.post(
    '/api/definitions/validate',
    {
      schema: {
        tags,
        body: z.strictObject({ id: id.optional(), ...definitionBodySchema }),
        response: { 200: validationResultSchema, ...errorResponses },
      },
    },
    async (request) => validateDraft(ctx, request.body, request.body.id),
  );

  app.post(
    '/api/definitions',
    {
      schema: {
        tags,
        body: z.strictObject({ name, description: description.optional(), ...definitionBodySchema }),
        response: { 201: definitionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireAdmin(request);
      const created = await createDefinition(ctx, actor, request.body);
      reply.code(201);
      return created;
    },
  );

  app.put(
    '/api/definitions/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: z.strictObject({
          name: name.optional(),
          description: description.optional(),
          ...definitionBodySchema,
        }),
        response: { 200: definitionSchema, ...errorResponses },
      },
    },
    async (request) => updateDefinition(ctx, requireAdmin(request), request.params.id, request.body),
  );

  const one = { tags, params: idParams, response: { 200: definitionSchema, ...errorResponses } };
  app.post('/api/definitions/:id/publish', { schema: one }, async (request) =>
    publishDefinition(ctx, requireAdmin(request), request.params.id),
  );

  app.get(
    '/api/definitions',
    {
      schema: {
        tags,
        querystring: z.object({
          status: z.enum(['draft', 'published']).optional(),
          q: z.string().max(200).optional(),
          ...listQuery,
        }),
        response: { 200: definitionPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      actorOf(request);
      return listDefinitions(ctx, {
        status: request.query.status,
        q: request.query.q,
        limit: request.query.limit,
        after: request.query.cursor,
      });
    },
  );

  app.get('/api/definitions/:id', { schema: one }, async (request) => getDefinition(ctx, request.params.id));

  app.get(
    '/api/definitions/:id/versions/:version',
    {
      schema: {
        tags,
        params: z.strictObject({ id, version: z.coerce.number().int().min(1).max(1_000_000) }),
        response: { 200: definitionVersionSchema, ...errorResponses },
      },
    },
    async (request) => getDefinitionVersion(ctx, request.params.id, request.params.version),
  );
}
