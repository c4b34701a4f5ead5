import { z } from 'zod';
import { isoTime } from '../../domain/clock.ts';
import { addDuration, parseDuration } from '../../domain/duration.ts';
import { DomainError } from '../../domain/errors.ts';
import { fireAllDue } from '../../engine/fire-due.ts';
import { requireAdmin } from '../auth.ts';
import type { App, RouteDeps } from '../types.ts';

/** Public: health. */
export async function healthRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  app.get('/api/health', { schema: { tags: ['system'] } }, async (_request, reply) => {
    try {
      await ctx.store.db.selectFrom('settings').select('key').limit(1).execute();
      return { status: 'ok', store: ctx.store.caps.name, time: isoTime(ctx.clock.now()) };
    } catch {
      reply.code(503);
      return { status: 'unavailable', store: ctx.store.caps.name };
    }
  });
}

/** With STAGEFLOW_TEST_CLOCK=1 only: move time forward and fire what fell due. */
export async function testClockRoutes(app: App, { ctx, testClock }: RouteDeps): Promise<void> {
  if (!testClock) return;
  app.post(
    '/api/test/clock',
    { schema: { tags: ['system'], body: z.strictObject({ advance: z.string().min(2).max(64) }) } },
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
      testClock.advance(target - now);
      await ctx.store.transaction((tx) =>
        tx
          .insertInto('settings')
          .values({ key: 'test_clock_offset', value: String(testClock.offset) })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(testClock.offset) }))
          .execute(),
      );
      // The worker may be firing some of them right now: wait for it rather than answer early.
      const fired = await fireAllDue(ctx, 200, { waitForLocked: true });
      return { now: isoTime(ctx.clock.now()), fired };
    },
  );
}
