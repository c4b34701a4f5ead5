import { z } from 'zod';
import { migrateProcesses } from '../../services/migrations.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, migrationAnswerSchema } from '../contract.ts';
import { id, idParams } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

const tags = ['definitions'];
const version = z.number().int().min(1).max(1_000_000);
const stageKey = z.string().min(1).max(100);
/** Most stages one map may name: as many as a definition may have. */
const STAGE_MAP_MAX = 2000;

const migrationBody = z
  .strictObject({
    fromVersion: version,
    toVersion: version,
    stageMap: z
      .record(stageKey, stageKey)
      .refine((m) => Object.keys(m).length <= STAGE_MAP_MAX, `At most ${STAGE_MAP_MAX} stages.`)
      .default({})
      .describe('Old stage key → new stage key; a key in both versions maps to itself unless named'),
    dryRun: z.boolean().default(false).describe('Only answer what would happen; change nothing'),
    after: id.optional().describe('Continue after this process id (the previous answer’s `next`)'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(5000)
      .optional()
      .describe('Answer at most this many processes; all of them when absent'),
  })
  .refine((b) => b.fromVersion !== b.toVersion, {
    message: 'toVersion must differ from fromVersion.',
    path: ['toVersion'],
  });

export async function migrationRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  app.post(
    '/api/definitions/:id/migrations',
    {
      schema: {
        tags,
        summary: 'Migrate running processes to another version',
        description:
          'Administrators only. Moves every running (active or paused) process of `fromVersion` to ' +
          '`toVersion`, each in its own transaction, in process id order, and answers for each: ' +
          '`moved` (or `would_move` in a dry run, which changes nothing and answers exactly what ' +
          'applying would) or `refused` with a `reason`: `stage_unmapped` (its stage is not in the new ' +
          'version and the map names none), `stage_is_end` (the new stage is an end), `waiting_timer` ' +
          '(it is waiting on a timer of its stage), `blocking_task_open`. A moved process keeps its ' +
          'visit, responsible, note and pause, gets a `process.migrated` protocol entry, and its ' +
          'unfinished tasks of the stage move to the new stage; no on-enter action runs, except that a ' +
          'new stage that waits starts its wait. Completed and cancelled processes keep their version ' +
          'and are not listed. 404 for an unknown definition or version; 422 `reference_not_found` ' +
          'when the map names a stage a version does not have.',
        params: idParams,
        body: migrationBody,
        response: { 200: migrationAnswerSchema, ...errorResponses },
      },
    },
    async (request) => migrateProcesses(ctx, actorOf(request), request.params.id, request.body),
  );
}
