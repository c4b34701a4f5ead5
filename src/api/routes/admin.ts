/** Operations for administrators: parked timers and the timer reconciler. */

import { z } from 'zod';
import { isoTime } from '../../domain/clock.ts';
import { reconcileTimers } from '../../engine/reconcile.ts';
import { parkedTimers, retryParkedTimer } from '../../services/parked-timers.ts';
import { requireAdmin } from '../auth.ts';
import {
  errorResponses,
  parkedTimerPageSchema,
  parkedTimerSchema,
  reconcileReportSchema,
} from '../contract.ts';
import { listQuery } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

const tags = ['admin'];

export async function adminRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  app.get(
    '/api/admin/timers/parked',
    {
      schema: {
        tags,
        querystring: z.object(listQuery),
        response: { 200: parkedTimerPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAdmin(request);
      return parkedTimers(ctx, { limit: request.query.limit, cursor: request.query.cursor });
    },
  );

  app.post(
    '/api/admin/timers/:key/retry',
    {
      schema: {
        tags,
        params: z.strictObject({ key: z.string().min(1).max(300) }),
        response: { 200: parkedTimerSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAdmin(request);
      return retryParkedTimer(ctx, request.params.key);
    },
  );

  app.post(
    '/api/admin/reconcile',
    {
      schema: {
        tags,
        response: { 200: reconcileReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAdmin(request);
      const report = await reconcileTimers(ctx);
      const view = (t: (typeof report.missingTimers)[number]) => ({
        ...t,
        dueAt: isoTime(t.dueAt),
      });
      return {
        missingTimers: report.missingTimers.map(view),
        orphanTimers: report.orphanTimers.map(view),
        repaired: report.repaired,
      };
    },
  );
}
