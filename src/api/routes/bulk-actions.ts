import { z } from 'zod';
import { BULK_ACTIONS, BULK_MAX, runBulkAction } from '../../services/bulk-actions.ts';
import { actorOf } from '../auth.ts';
import { bulkAnswerSchema, errorResponses } from '../contract.ts';
import { id } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';
import { filterOf, journalQuery } from './processes.ts';

const tags = ['processes'];

/** The journal's filters, as GET /api/processes takes them in its query string. */
const journalFilter = z.strictObject(journalQuery.omit({ sort: true, limit: true, cursor: true }).shape);

/** Which fields each action takes; any other action-specific field is a mistake. */
const FIELDS = {
  reassign: ['responsibleId'],
  pause: ['for', 'until'],
  resume: [],
  cancel: [],
  migrate: ['toVersion'],
} as const satisfies Record<(typeof BULK_ACTIONS)[number], readonly string[]>;
const ACTION_FIELDS = ['responsibleId', 'for', 'until', 'toVersion'] as const;

const bulkBody = z
  .strictObject({
    ids: z
      .array(id)
      .min(1)
      .max(BULK_MAX * 10)
      .optional()
      .describe(`The processes; more than ${BULK_MAX} distinct ids is a 413`),
    filter: journalFilter
      .optional()
      .describe(`Every process the journal shows for these filters; more than ${BULK_MAX} is a 413`),
    action: z.enum(BULK_ACTIONS),
    responsibleId: id.optional().describe('reassign: the new responsible'),
    for: z.string().min(2).max(64).optional().describe('pause: an ISO 8601 duration, as the pause route'),
    until: z.iso.datetime({ offset: true }).optional().describe('pause: or an ISO 8601 end time'),
    reason: z.string().trim().max(2000).optional().describe('Recorded in each changed process’s protocol'),
    toVersion: z.number().int().min(1).max(1_000_000).optional().describe('migrate: the version to move to'),
  })
  .superRefine((body, issues) => {
    if ((body.ids === undefined) === (body.filter === undefined)) {
      issues.addIssue({ code: 'custom', message: 'Give either "ids" or "filter".', path: ['ids'] });
    }
    const allowed: readonly string[] = FIELDS[body.action];
    for (const field of ACTION_FIELDS) {
      if (body[field] !== undefined && !allowed.includes(field)) {
        issues.addIssue({ code: 'custom', message: `"${field}" is not for ${body.action}.`, path: [field] });
      }
    }
  });

export async function bulkActionRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  app.post(
    '/api/processes/bulk-actions',
    {
      schema: {
        tags,
        summary: 'Reassign, pause, resume, cancel or migrate many processes',
        description:
          'Each process is checked and changed on its own, in its own transaction, exactly as its ' +
          'single route would (PATCH responsibleId, pause, resume, cancel — administrators only — or a ' +
          'migration to `toVersion` of its definition with every stage kept by key — administrators ' +
          'only); one refusal never undoes another. Each item is `done` or `refused` with the error ' +
          '`code` and `message` (`not_found` for a process the caller may not see, `forbidden` for one ' +
          'they may only look at; for migrate also the migration refusals and `already_on_version`). ' +
          '`filter` takes the journal filters as GET /api/processes does (e.g. `status: "active,paused"`) ' +
          `and resolves to what the caller sees, oldest start first. At most ${BULK_MAX} processes: ` +
          'more is 413 `too_large`. A `reason` is recorded in the protocol of each process the ' +
          'action changed (`reason.given`; for migrate, in the `process.migrated` entry).',
        body: bulkBody,
        response: { 200: bulkAnswerSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { filter, ...rest } = request.body;
      return runBulkAction(ctx, actorOf(request), {
        ...rest,
        filter: filter === undefined ? undefined : filterOf(filter),
      });
    },
  );
}
