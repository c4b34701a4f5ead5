/** Starts Stageflow: opens the store, migrates, bootstraps, listens, and runs the timer worker. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from './api/app.ts';
import { LiveHub } from './api/live-hub.ts';
import type { App } from './api/types.ts';
import type { Config } from './config.ts';
import { createEngineContext, type EngineContext } from './context.ts';
import { seedDemo } from './demo/seed-demo.ts';
import { reconcileTimers } from './engine/reconcile.ts';
import { systemClock, TestClock } from './scheduler/clock.ts';
import { SessionSweeper } from './scheduler/session-sweeper.ts';
import { lanesForPool, TimerWorker } from './scheduler/timer-worker.ts';
import { removeStaleUploads } from './services/attachments.ts';
import { bootstrapAdmin } from './services/employees.ts';
import { PresenceRegistry } from './services/presence-registry.ts';
import { withIdempotencyClaims } from './store/idempotency-keys.ts';
import { getSetting } from './store/settings.ts';
import { openStore, type Store } from './store/store.ts';

/** How long close() lets requests in flight and open streams finish before cutting them. */
const CLOSE_GRACE_MS = 3_000;

export interface RunningServer {
  readonly app: App;
  readonly ctx: EngineContext;
  readonly url: string;
  readonly worker: TimerWorker;
  /** Deletes expired sessions every ten minutes and once at start. */
  readonly sessionSweeper: SessionSweeper;
  /** Present with STAGEFLOW_TEST_CLOCK=1. */
  readonly testClock: TestClock | undefined;
  /** Lines worth showing the person who started the server (generated passwords, demo logins). */
  readonly notices: readonly string[];
  readonly presence: PresenceRegistry;
  close(): Promise<void>;
}

export async function openConfiguredStore(config: Config): Promise<Store> {
  if (!config.databaseUrl) mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    sqliteFile: path.join(config.dataDir, 'stageflow.db'),
    poolSize: config.database.poolSize,
    limits: config.database,
  });
  // Requests that carry an Idempotency-Key claim it in their first write transaction.
  return withIdempotencyClaims(store);
}

export async function startServer(
  config: Config,
  options: { logger?: boolean; workerIntervalMs?: number } = {},
): Promise<RunningServer> {
  const log = pino({ level: options.logger === false ? 'silent' : config.logLevel });
  const store = await openConfiguredStore(config);
  // Uploads cut off by a crash or a kill left their temporary files; none is in flight yet.
  await removeStaleUploads(config.dataDir);
  let testClock: TestClock | undefined;
  if (config.testClock) {
    const saved = await getSetting(store.db, 'test_clock_offset');
    testClock = new TestClock(saved !== undefined ? Number(saved) : 0);
  }
  const presence = new PresenceRegistry(store);
  const hub = new LiveHub(store);
  await hub.start();
  await presence.start();
  const ctx = createEngineContext({
    store,
    clock: testClock ?? systemClock,
    zone: config.timezone,
    log,
    presence,
    onNotifications: (rows) => hub.publish(rows),
    routingWaitMs: config.routingWaitMs,
    limits: {
      spawn: { perStage: config.maxSpawnPerStage, perLaunch: config.maxSpawnPerLaunch },
      timerMaxAttempts: config.timerMaxAttempts,
    },
  });
  const notices: string[] = [];
  const generated = await bootstrapAdmin(ctx, config.adminPassword, config.language);
  if (generated)
    notices.push(
      `Administrator login: admin / ${generated}  (shown once; set STAGEFLOW_ADMIN_PASSWORD to choose it)`,
    );
  if (config.demo) notices.push(...(await seedDemo(ctx, config.language)));
  // Every sleeping process must have its timer and every timer its process: repair before firing.
  await reconcileTimers(ctx).catch((err: unknown) => log.error({ err }, 'reconciler failed at start-up'));

  const app = await buildApp({
    ctx,
    testClock,
    live: { hub, presence },
    // Attachments live under DATA_DIR (not the working directory) and obey STAGEFLOW_MAX_UPLOAD.
    files: { dataDir: config.dataDir, maxUpload: config.maxUpload },
    logger: options.logger === false ? false : { level: config.logLevel },
    trustProxy: config.trustProxy,
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const worker = new TimerWorker(ctx, {
    intervalMs: options.workerIntervalMs ?? 1000,
    concurrency: config.databaseUrl ? lanesForPool(config.database.poolSize) : undefined,
  });
  worker.start();
  const sessionSweeper = new SessionSweeper(store, {
    onError: (err) => log.warn({ err }, 'expired sessions not swept'),
  });
  sessionSweeper.start();
  return {
    app,
    ctx,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    worker,
    sessionSweeper,
    testClock,
    notices,
    presence,
    async close() {
      await worker.stop();
      await sessionSweeper.stop();
      // Fastify closes idle keep-alive connections once, as closing starts; one whose response was
      // still finishing then (a streamed download) would hold close() until keepAliveTimeout (72 s).
      // Keep closing those that fall idle; requests in flight still finish.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      // Open notification streams and requests that outlive the grace period are cut, so closing
      // ends in bounded time whatever the clients do.
      const cut = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
        clearTimeout(cut);
      }
      await presence.stop();
      await store.close();
    },
  };
}
