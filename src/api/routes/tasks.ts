import { z } from 'zod';
import { completeTask } from '../../engine/complete-task.ts';
import { processCard } from '../../queries/process-card.ts';
import { listEvents, listTasks, taskViewOf } from '../../queries/tasks.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, eventPageSchema, taskCompletionSchema, taskPageSchema } from '../contract.ts';
import { id, idParams, listQuery } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

export async function taskRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  app.get(
    '/api/tasks',
    {
      schema: {
        tags: ['tasks'],
        querystring: z.object({
          assigneeId: id.optional(),
          processId: id.optional(),
          status: z.enum(['pending', 'open', 'done']).optional(),
          ...listQuery,
        }),
        response: { 200: taskPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return listTasks(ctx, actorOf(request), {
        assigneeId: q.assigneeId,
        processId: q.processId,
        status: q.status,
        limit: q.limit,
        after: q.cursor,
      });
    },
  );

  // Answers with the task and the card of its process, so whoever completes a task is taken there.
  const completion = {
    tags: ['tasks'],
    params: idParams,
    response: { 200: taskCompletionSchema, ...errorResponses },
  };
  app.post('/api/tasks/:id/complete', { schema: completion }, async (request) => {
    const actor = actorOf(request);
    const done = await completeTask(ctx, actor, request.params.id);
    const process = done.process_id
      ? await processCard(ctx, { ...actor }, done.process_id).catch(() => null)
      : null;
    return { task: await taskViewOf(ctx, done), process };
  });

  app.get(
    '/api/events',
    {
      schema: {
        tags: ['events'],
        querystring: z.object({ processId: id.optional(), ...listQuery }),
        response: { 200: eventPageSchema, ...errorResponses },
      },
    },
    async (request) =>
      listEvents(ctx, actorOf(request), request.query.processId, request.query.limit, request.query.cursor),
  );
}
