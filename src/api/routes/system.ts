import { z } from 'zod';
import { isoTime } from '../../domain/clock.ts';
import { addDuration, parseDuration } from '../../domain/duration.ts';
import { DomainError } from '../../domain/errors.ts';
import { moveClockAndFire } from '../../engine/fire-due.ts';
import { checkDatabase, saveTestClockOffset } from '../../services/settings.ts';
import { requireAdmin } from '../auth.ts';
import { errorResponses, healthSchema, testClockAnswerSchema, unhealthySchema } from '../contract.ts';
import type { App, RouteDeps } from '../types.ts';

/** Public: health. */
export async function healthRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  const schema = {
    tags: ['system'],
    response: { 200: healthSchema, 503: unhealthySchema, ...errorResponses },
  };
  app.get('/api/health', { schema }, async (_request, reply) => {
    try {
      await checkDatabase(ctx);
      return { status: 'ok' as const, store: ctx.store.caps.name, time: isoTime(ctx.clock.now()) };
    } catch {
      reply.code(503);
      return { status: 'unavailable' as const, store: ctx.store.caps.name };
    }
  });
}

/** With STAGEFLOW_TEST_CLOCK=1 only: move time forward and fire what fell due. */
export async function testClockRoutes(app: App, { ctx, testClock }: RouteDeps): Promise<void> {
  if (!testClock) return;
  app.post(
    '/api/test/clock',
    {
      schema: {
        tags: ['system'],
        body: z.strictObject({ advance: z.string().min(2).max(64) }),
        response: { 200: testClockAnswerSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAdmin(request);
      const parsed = parseDuration(request.body.advance);
      // Malformed input is a 400 (the contract); a well-formed duration too long to add stays a 422.
      if (!parsed)
        throw new DomainError('validation_failed', `"${request.body.advance}" is not an ISO 8601 duration.`, {
          field: 'advance',
        });
      const now = ctx.clock.now();
      const target = addDuration(now, parsed, ctx.zone);
      // Luxon's dates end in the year 275760; past that the result is NaN.
      if (!Number.isFinite(target)) {
        throw new DomainError(
          'invalid_duration',
          `"${request.body.advance}" goes past any representable time.`,
        );
      }
      const fired = await moveClockAndFire(ctx, now, target, async () => {
        testClock.advance(target - now);
        await saveTestClockOffset(ctx, testClock.offset);
      });
      return { now: isoTime(ctx.clock.now()), fired };
    },
  );
}
