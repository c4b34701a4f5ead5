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
import {
  counterpartySchema,
  documentRecordSchema,
  errorResponses,
  type Page,
  pageSchema,
  projectSchema,
} from '../contract.ts';
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

/** The answer shape of one record of the kind. */
function answerOf(kind: RecordKind) {
  if (kind === 'counterparties') return counterpartySchema;
  if (kind === 'projects') return projectSchema;
  return documentRecordSchema;
}

export async function recordRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  for (const kind of RECORD_KINDS) {
    const { create, patch } = bodies(kind);
    const record = answerOf(kind);
    const one = { 200: record, ...errorResponses };
    // One code path serves six tables, so the services type a record's fields loosely; the
    // response schema checks every answer as it is sent.
    type Answer = z.input<typeof record>;
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
          response: { 200: pageSchema(record), ...errorResponses },
        },
      },
      async (request) =>
        (await listRecords(ctx, kind, {
          q: request.query.q,
          limit: request.query.limit,
          after: request.query.cursor,
          counterpartyId: request.query.counterpartyId,
          group: request.query.group,
          ids: request.query.ids,
        })) as Page<Answer>,
    );
    const created = { 201: record, ...errorResponses };
    app.post(base, { schema: { tags, body: create, response: created } }, async (request, reply) => {
      reply.code(201);
      return (await createRecord(ctx, kind, request.body)) as Answer;
    });
    app.get(
      `${base}/:id`,
      { schema: { tags, params: idParams, response: one } },
      async (request) => (await getRecord(ctx, kind, request.params.id)) as Answer,
    );
    app.patch(
      `${base}/:id`,
      { schema: { tags, params: idParams, body: patch, response: one } },
      async (request) => (await updateRecord(ctx, kind, request.params.id, request.body)) as Answer,
    );
  }
}
