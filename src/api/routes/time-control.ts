/** The business calendar and employees' absences with their deputies. */
import { z } from 'zod';
import { createAbsence, listAbsences, listAllAbsences, removeAbsence } from '../../services/absences.ts';
import { getCalendar, putCalendar } from '../../services/calendar.ts';
import { actorOf } from '../auth.ts';
import { absenceSchema, calendarSchema, errorResponses, noContentSchema } from '../contract.ts';
import { id } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

const instant = z.iso.datetime({ offset: true }).transform((v) => Date.parse(v));
const employeeParams = z.strictObject({ id });

export async function timeControlRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  app.get(
    '/api/calendar',
    { schema: { tags: ['calendar'], response: { 200: calendarSchema, ...errorResponses } } },
    async () => getCalendar(ctx) as Promise<z.input<typeof calendarSchema>>,
  );

  app.put(
    '/api/calendar',
    {
      schema: {
        tags: ['calendar'],
        description: 'Administrators only. Stages entered or resumed from now on count working time on it.',
        body: calendarSchema,
        response: { 200: calendarSchema, ...errorResponses },
      },
    },
    async (request) =>
      putCalendar(ctx, actorOf(request), request.body) as Promise<z.input<typeof calendarSchema>>,
  );

  app.post(
    '/api/employees/:id/absences',
    {
      schema: {
        tags: ['employees'],
        description:
          'The employee or an administrator. While it lasts, routing, tasks and escalations go to the deputy; ' +
          'with moveOpenWork the stages the employee holds move to the deputy when it starts. When it ends, ' +
          'stages the deputy held for the employee go back.',
        params: employeeParams,
        body: z.strictObject({
          from: instant,
          to: instant,
          deputyId: id,
          moveOpenWork: z.boolean().optional(),
        }),
        response: { 201: absenceSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await createAbsence(ctx, actorOf(request), request.params.id, request.body);
      reply.code(201);
      return created;
    },
  );

  app.get(
    '/api/absences',
    {
      schema: {
        tags: ['employees'],
        description: "Everyone's absences that have not ended yet, soonest first (at most 500).",
        response: { 200: z.strictObject({ items: z.array(absenceSchema) }), ...errorResponses },
      },
    },
    async () => listAllAbsences(ctx),
  );

  app.get(
    '/api/employees/:id/absences',
    {
      schema: {
        tags: ['employees'],
        description: 'Absences that have not ended yet, soonest first.',
        params: employeeParams,
        response: { 200: z.strictObject({ items: z.array(absenceSchema) }), ...errorResponses },
      },
    },
    async (request) => listAbsences(ctx, request.params.id),
  );

  app.delete(
    '/api/employees/:id/absences/:absenceId',
    {
      schema: {
        tags: ['employees'],
        description: 'One not begun is removed; one under way ends now and the deputy gives the stages back.',
        params: z.strictObject({ id, absenceId: id }),
        response: { 204: noContentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      await removeAbsence(ctx, actorOf(request), request.params.id, request.params.absenceId);
      reply.code(204);
      return null;
    },
  );
}
