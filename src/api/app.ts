/** Builds the HTTP application (without listening), so tests and the server share one setup. */

import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { requireAuth } from './auth.ts';
import { type OpenApiDocument, openApiDocumentSchema } from './contract.ts';
import { clientErrorHandler, fastifyTrustProxy, installStrictTransportSecurity } from './http-edges.ts';
import { installErrorHandling, installNotFound } from './http-errors.ts';
import { installIdempotency, installRequestScope } from './idempotency.ts';
import { frameworkError, installInputGuards } from './input-guards.ts';
import { adminRoutes } from './routes/admin.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { authRoutes, publicAuthRoutes, sessionRoute } from './routes/auth.ts';
import { bulkActionRoutes } from './routes/bulk-actions.ts';
import { definitionRoutes } from './routes/definitions.ts';
import { migrationRoutes } from './routes/migrations.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { processPartRoutes } from './routes/process-parts.ts';
import { processRoutes } from './routes/processes.ts';
import { recordRoutes } from './routes/records.ts';
import { healthRoutes, testClockRoutes } from './routes/system.ts';
import { taskRoutes } from './routes/tasks.ts';
import { timeControlRoutes } from './routes/time-control.ts';
import { installSecurityHeaders } from './security-headers.ts';
import type { App, RouteDeps } from './types.ts';

export interface BuildOptions extends RouteDeps {
  readonly logger?: FastifyServerOptions['logger'];
  /** Largest JSON body in bytes. */
  readonly bodyLimit?: number;
  /** The built web app (web/dist); served at / when it exists. */
  readonly webRoot?: string;
  /** Proxies whose X-Forwarded-For/-Proto are believed (TRUST_PROXY); default none. */
  readonly trustProxy?: boolean | number | readonly string[];
}

const DEFAULT_WEB_ROOT = path.resolve(import.meta.dirname, '../../web/dist');

export async function buildApp(options: BuildOptions): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
    clientErrorHandler,
    ajv: undefined,
    frameworkErrors: frameworkError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', null);
  installErrorHandling(app, options.ctx.store);
  installRequestScope(app);
  installInputGuards(app);

  installSecurityHeaders(app, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    // Sent only over https, by installStrictTransportSecurity.
    strictTransportSecurity: false,
  });
  installStrictTransportSecurity(app);
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, {
    limits: {
      fileSize: options.files?.maxUpload ?? 25 * 1024 * 1024,
      files: 1,
      fields: 10,
      parts: 20,
      headerPairs: 100,
    },
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Stageflow API', version: '1.0.0', description: 'Business processes of the CRM.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get(
    '/api/openapi.json',
    { schema: { hide: true, response: { 200: openApiDocumentSchema } } },
    async () => app.swagger() as OpenApiDocument,
  );

  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  const spa = existsSync(path.join(webRoot, 'index.html'));
  if (spa)
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      index: ['index.html'],
      // The build writes .br/.gz beside each file (web/vite.config.ts); sent when accepted.
      preCompressed: true,
      cacheControl: false,
      setHeaders: (reply, filePath) => {
        // Hashed names under assets/ never change content; everything else (index.html) is
        // revalidated so a new build is picked up at once.
        const hashed = path.relative(webRoot, filePath).split(path.sep)[0] === 'assets';
        reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  installNotFound(app, spa);

  const deps: RouteDeps = {
    ctx: options.ctx,
    testClock: options.testClock,
    live: options.live,
    files: options.files,
  };
  for (const routes of PUBLIC_ROUTES) await routes(app, deps);
  await app.register(async (secured) => {
    const api = secured.withTypeProvider<ZodTypeProvider>();
    api.addHook('onRequest', requireAuth(options.ctx));
    installIdempotency(api, options.ctx.store, () => Date.now());
    for (const routes of SIGNED_IN_ROUTES) await routes(api, deps);
  });
  return app;
}

type Routes = (app: App, deps: RouteDeps) => Promise<void>;

/** The routes open to anyone, registered in this order. */
const PUBLIC_ROUTES: readonly Routes[] = [healthRoutes, publicAuthRoutes, sessionRoute];

/** The routes for signed-in employees only (idempotent POSTs), registered in this order. */
const SIGNED_IN_ROUTES: readonly Routes[] = [
  authRoutes,
  recordRoutes,
  definitionRoutes,
  analyticsRoutes,
  processRoutes,
  bulkActionRoutes,
  migrationRoutes,
  processPartRoutes,
  taskRoutes,
  timeControlRoutes,
  notificationRoutes,
  testClockRoutes,
  adminRoutes,
];
