import { z } from 'zod';
import { JOURNAL_SORTS } from '../../domain/journal.ts';
import { LINK_TYPES } from '../../domain/records.ts';
import { cancelProcess } from '../../engine/cancel-process.ts';
import { bulkLaunch, launchProcess } from '../../engine/launch.ts';
import { moveStage } from '../../engine/move-stage.ts';
import { pauseProcess, resumeProcess } from '../../engine/pause-process.ts';
import { updateProcess } from '../../engine/update-process.ts';
import type { JournalFilter } from '../../queries/process-card.ts';
import { journal, journalCounts, processCard, protocolOf } from '../../queries/process-card.ts';
import { actorOf } from '../auth.ts';
import { cardAfter } from '../card-after.ts';
import {
  errorResponses,
  processCardListSchema,
  processCardSchema,
  processCountsSchema,
  processPageSchema,
  protocolPageSchema,
} from '../contract.ts';
import { expectedVersion, id, idParams, linkSchema, listQuery } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

const tags = ['processes'];
const STATUSES = ['active', 'paused', 'completed', 'cancelled'] as const;
const note = z.string().max(20000);
const time = z.iso.datetime({ offset: true });
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const journalQuery = z.object({
  status: z
    .string()
    .max(100)
    .transform((v) => v.split(',').filter((s) => s !== ''))
    .pipe(z.array(z.enum(STATUSES)))
    .optional(),
  definitionId: id.optional(),
  stageKey: z.string().min(1).max(100).optional(),
  responsibleId: id.optional(),
  counterpartyId: id.optional(),
  initiatorId: id.optional(),
  parentId: id.optional(),
  startedFrom: time.optional(),
  startedTo: time.optional(),
  mine: flag.optional(),
  overdue: flag.optional().describe('Its current stage past its deadline, or an unfinished task past due'),
  dueBefore: time.optional().describe('Its current stage falls due at or before this time'),
  q: z.string().max(200).optional(),
  linkType: z.enum(LINK_TYPES).optional(),
  linkedId: id.optional(),
  sort: z
    .enum(JOURNAL_SORTS)
    .default('-updatedAt')
    .describe('dueAt lists the processes whose current stage has a deadline'),
  ...listQuery,
});

export function filterOf(q: Omit<z.infer<typeof journalQuery>, 'sort' | 'limit' | 'cursor'>): JournalFilter {
  return {
    status: q.status,
    definitionId: q.definitionId,
    stageKey: q.stageKey,
    responsibleId: q.responsibleId,
    counterpartyId: q.counterpartyId,
    initiatorId: q.initiatorId,
    parentId: q.parentId,
    startedFrom: q.startedFrom ? Date.parse(q.startedFrom) : undefined,
    startedTo: q.startedTo ? Date.parse(q.startedTo) : undefined,
    mine: q.mine,
    overdue: q.overdue,
    dueBefore: q.dueBefore ? Date.parse(q.dueBefore) : undefined,
    q: q.q,
    link: q.linkType && q.linkedId ? { type: q.linkType, id: q.linkedId } : undefined,
  };
}

export async function processRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  app.post(
    '/api/processes',
    {
      schema: {
        tags,
        body: z.strictObject({
          definitionId: id,
          counterpartyId: id.nullable().optional(),
          note: note.optional(),
          links: z.array(linkSchema).max(100).optional(),
        }),
        response: { 201: processCardSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const row = await launchProcess(ctx, actor, {
        ...request.body,
        counterpartyId: request.body.counterpartyId ?? undefined,
      });
      reply.code(201);
      return processCard(ctx, actor, row.id);
    },
  );

  app.post(
    '/api/processes/bulk',
    {
      schema: {
        tags,
        body: z.strictObject({
          definitionId: id,
          counterpartyIds: z.array(id).min(1).max(1000),
          note: note.optional(),
        }),
        response: { 201: processCardListSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const rows = await bulkLaunch(ctx, actor, request.body);
      const items = [];
      for (const row of rows) items.push(await processCard(ctx, actor, row.id));
      reply.code(201);
      return { items };
    },
  );

  const cardAnswer = { 200: processCardSchema, ...errorResponses };
  app.get(
    '/api/processes',
    { schema: { tags, querystring: journalQuery, response: { 200: processPageSchema, ...errorResponses } } },
    async (request) => {
      const q = request.query;
      return journal(ctx, actorOf(request), {
        filter: filterOf(q),
        sort: q.sort,
        limit: q.limit,
        cursor: q.cursor,
      });
    },
  );

  // The filters only: counts come in one answer, not in pages.
  const countsQuery = journalQuery.omit({ sort: true, limit: true, cursor: true }).extend({
    exact: flag
      .optional()
      .describe(
        'Count every match of a one- or two-character search too (slow over many processes); ' +
          'without it such counts may stop early and answer atLeast: true',
      ),
  });
  app.get(
    '/api/processes/counts',
    { schema: { tags, querystring: countsQuery, response: { 200: processCountsSchema, ...errorResponses } } },
    async (request) =>
      journalCounts(ctx, actorOf(request), filterOf(request.query), request.query.exact === true),
  );

  app.get(
    '/api/processes/:id',
    { schema: { tags, params: idParams, response: cardAnswer } },
    async (request) => processCard(ctx, actorOf(request), request.params.id),
  );

  app.post(
    '/api/processes/:id/stage',
    {
      schema: {
        tags,
        params: idParams,
        body: z.strictObject({
          state: z.enum(['in_progress', 'done']),
          result: z.string().max(200).optional(),
          nextResponsibleId: id.optional(),
          expectedVersion,
        }),
        response: cardAnswer,
      },
    },
    async (request) =>
      cardAfter(ctx, request, (actor) => moveStage(ctx, actor, request.params.id, request.body)),
  );

  app.patch(
    '/api/processes/:id',
    {
      schema: {
        tags,
        params: idParams,
        body: z.strictObject({ note: note.optional(), responsibleId: id.optional(), expectedVersion }),
        response: cardAnswer,
      },
    },
    async (request) =>
      cardAfter(ctx, request, (actor) => updateProcess(ctx, actor, request.params.id, request.body)),
  );

  app.post(
    '/api/processes/:id/pause',
    {
      schema: {
        tags,
        params: idParams,
        body: z.strictObject({
          until: time.optional(),
          for: z.string().min(2).max(64).optional(),
          expectedVersion,
        }),
        response: cardAnswer,
      },
    },
    async (request) =>
      cardAfter(ctx, request, (actor) => pauseProcess(ctx, actor, request.params.id, request.body)),
  );

  const versionOnly = z.strictObject({ expectedVersion }).nullish();
  for (const [action, command] of [
    ['resume', resumeProcess],
    ['cancel', cancelProcess],
  ] as const) {
    app.post(
      `/api/processes/:id/${action}`,
      { schema: { tags, params: idParams, body: versionOnly, response: cardAnswer } },
      async (request) =>
        cardAfter(ctx, request, (actor) =>
          command(ctx, actor, request.params.id, request.body?.expectedVersion),
        ),
    );
  }

  app.get(
    '/api/processes/:id/protocol',
    {
      schema: {
        tags,
        params: idParams,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(5000).default(1000),
          cursor: z.string().max(30).optional(),
        }),
        response: { 200: protocolPageSchema, ...errorResponses },
      },
    },
    async (request) =>
      protocolOf(ctx, actorOf(request), request.params.id, request.query.limit, request.query.cursor),
  );
}
