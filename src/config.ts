/** Configuration from the environment (the README's configuration table). */
import { isIP } from 'node:net';
import path from 'node:path';
import { isValidZone, parseDuration } from './domain/duration.ts';

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
  /**
   * TRUST_PROXY: whose X-Forwarded-For/-Proto to believe, in Fastify's `trustProxy` terms: false
   * (nobody, the default), true (every hop), a hop count, or proxy addresses and CIDR ranges.
   */
  readonly trustProxy: boolean | number | readonly string[];
  /** Most spawn entries of one stage (STAGEFLOW_MAX_SPAWN_PER_STAGE). */
  readonly maxSpawnPerStage: number;
  /** Most processes one launch or command creates, nested children included (STAGEFLOW_MAX_SPAWN_PER_LAUNCH). */
  readonly maxSpawnPerLaunch: number;
  /** Failed firings after which a timer is parked for an administrator (STAGEFLOW_TIMER_MAX_ATTEMPTS). */
  readonly timerMaxAttempts: number;
  /**
   * How long a stage whose listed responsibles are all offline waits for one of them to come online
   * before it goes to the first listed (STAGEFLOW_ROUTING_WAIT, ISO duration; `0` goes at once).
   */
  readonly routingWaitMs: number;
  /** PostgreSQL pool size and per-connection bounds (milliseconds). */
  readonly database: {
    readonly poolSize: number;
    readonly acquireTimeoutMs: number;
    readonly lockTimeoutMs: number;
    readonly statementTimeoutMs: number;
    readonly idleInTransactionTimeoutMs: number;
  };
}

/** A positive whole number from the environment, or the default when unset. */
function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

/** Named ranges proxy-addr understands besides addresses and CIDRs. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Parses TRUST_PROXY: unset/0/false/off, true, a hop count, or a comma list of addresses/CIDRs. */
export function parseTrustProxy(raw: string | undefined): boolean | number | readonly string[] {
  const value = (raw ?? '').trim();
  if (['', '0', 'false', 'off', 'no'].includes(value.toLowerCase())) return false;
  if (value.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const validPrefix =
      prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    const ok = PROXY_RANGE_NAMES.has(entry) || (family !== 0 && validPrefix && extra === undefined);
    if (!ok)
      throw new Error(
        `TRUST_PROXY must be true, a hop count, or addresses/CIDRs separated by commas (e.g. 127.0.0.1,10.0.0.0/8); "${entry}" is none of these`,
      );
  }
  return entries;
}

/** The routing wait in milliseconds: `0`, or an ISO duration of hours and minutes up to a day. */
function routingWait(text: string): number {
  if (text === '0') return 0;
  const parsed = parseDuration(text);
  const ms = parsed ? parsed.duration.as('milliseconds') : Number.NaN;
  if (!(ms >= 0 && ms <= 86_400_000)) {
    throw new Error(`STAGEFLOW_ROUTING_WAIT must be 0 or an ISO duration up to PT24H, got "${text}"`);
  }
  return ms;
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
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    maxSpawnPerStage: positiveInt(env, 'STAGEFLOW_MAX_SPAWN_PER_STAGE', 20),
    maxSpawnPerLaunch: positiveInt(env, 'STAGEFLOW_MAX_SPAWN_PER_LAUNCH', 100),
    timerMaxAttempts: positiveInt(env, 'STAGEFLOW_TIMER_MAX_ATTEMPTS', 5),
    routingWaitMs: routingWait(env.STAGEFLOW_ROUTING_WAIT ?? 'PT15M'),
    database: {
      poolSize: positiveInt(env, 'DATABASE_POOL_SIZE', 10),
      acquireTimeoutMs: positiveInt(env, 'DATABASE_ACQUIRE_TIMEOUT_MS', 5_000),
      lockTimeoutMs: positiveInt(env, 'DATABASE_LOCK_TIMEOUT_MS', 5_000),
      statementTimeoutMs: positiveInt(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 30_000),
      idleInTransactionTimeoutMs: positiveInt(env, 'DATABASE_IDLE_TX_TIMEOUT_MS', 15_000),
    },
  };
}
