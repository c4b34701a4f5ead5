import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { EngineContext } from '../engine/context.ts';
import type { TestClock } from '../scheduler/clock.ts';

/** The Fastify instance with zod schemas as the type provider. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What routes are given. */
export interface RouteDeps {
  readonly ctx: EngineContext;
  /** Present when STAGEFLOW_TEST_CLOCK=1. */
  readonly testClock?: TestClock | undefined;
}
