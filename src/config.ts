/** Configuration from the environment (API.md, "Running"). */
import path from 'node:path';
import { isValidZone } from './domain/duration.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly adminPassword: string | undefined;
  readonly demo: boolean;
  /** Language of the demo content. */
  readonly language: 'en' | 'ru';
  readonly testClock: boolean;
  readonly timezone: string;
  readonly maxUpload: number;
  readonly logLevel: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const timezone = env.STAGEFLOW_TIMEZONE ?? 'UTC';
  if (!isValidZone(timezone)) throw new Error(`STAGEFLOW_TIMEZONE "${timezone}" is not an IANA time zone`);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dataDir: path.resolve(env.DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    adminPassword: env.STAGEFLOW_ADMIN_PASSWORD || undefined,
    demo: (env.STAGEFLOW_DEMO ?? '1') === '1',
    language: env.STAGEFLOW_LANGUAGE === 'ru' ? 'ru' : 'en',
    testClock: env.STAGEFLOW_TEST_CLOCK === '1',
    timezone,
    maxUpload: Number(env.STAGEFLOW_MAX_UPLOAD ?? 25 * 1024 * 1024),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
