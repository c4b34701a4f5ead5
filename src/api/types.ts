import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { EngineContext } from '../context.ts';
import type { TestClock } from '../scheduler/clock.ts';
import type { PresenceRegistry } from '../services/presence-registry.ts';
import type { LiveHub } from './live-hub.ts';

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
  /** Live notification streams and presence; absent in apps built without them. */
  /** Where attachments live and how large an upload may be. */
  readonly files?: { readonly dataDir: string; readonly maxUpload: number } | undefined;
  readonly live?: { readonly hub: LiveHub; readonly presence: PresenceRegistry } | undefined;
}
