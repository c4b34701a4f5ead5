/** The six CRM record types share one set of routes. */
import { z } from 'zod';
import {
  createRecord,
  getRecord,
  listRecords,
  RECORD_KINDS,
  type RecordKind,
  updateRecord,
} from '../../services/records.ts';
import { id, idParams, listQuery } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

const optionalText = (max: number) => z.string().max(max).nullable().optional();
const date = z.iso.date().nullable().optional();

function bodies(kind: RecordKind) {
  if (kind === 'counterparties') {
    const create = z.strictObject({
      name: z.string().trim().min(1).max(300),
      phone: optionalText(100),
      email: optionalText(300),
      group: optionalText(100),
    });
    return { create, patch: create.partial() };
  }
  if (kind === 'projects') {
    const create = z.strictObject({
      name: z.string().trim().min(1).max(300),
      counterpartyId: id.nullable().optional(),
    });
    return { create, patch: create.partial() };
  }
  const create = z.strictObject({
    number: z.string().trim().min(1).max(100),
    counterpartyId: id.nullable().optional(),
    amount: z.number().finite().nullable().optional(),
    date,
  });
  return { create, patch: create.partial() };
}

export async function recordRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  for (const kind of RECORD_KINDS) {
    const { create, patch } = bodies(kind);
    const base = `/api/${kind}`;
    const tags = ['crm'];
    app.get(
      base,
      {
        schema: {
          tags,
          querystring: z.object({
            q: z.string().max(200).optional(),
            counterpartyId: id.optional(),
            group: z.string().max(100).optional(),
            ids: z
              .string()
              .max(20_000)
              .transform((v) => v.split(',').filter((s) => s !== ''))
              .pipe(z.array(id).max(500))
              .optional(),
            ...listQuery,
          }),
        },
      },
      async (request) =>
        listRecords(ctx, kind, {
          q: request.query.q,
          limit: request.query.limit,
          after: request.query.cursor,
          counterpartyId: request.query.counterpartyId,
          group: request.query.group,
          ids: request.query.ids,
        }),
    );
    app.post(base, { schema: { tags, body: create } }, async (request, reply) => {
      reply.code(201);
      return createRecord(ctx, kind, request.body);
    });
    app.get(`${base}/:id`, { schema: { tags, params: idParams } }, async (request) =>
      getRecord(ctx, kind, request.params.id),
    );
    app.patch(`${base}/:id`, { schema: { tags, params: idParams, body: patch } }, async (request) =>
      updateRecord(ctx, kind, request.params.id, request.body),
    );
  }
}
