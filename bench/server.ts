/**
 * Servers the HTTP figures load: Stageflow started the way a user starts it (`tsx src/cli.ts
 * start` as a child process, its own DATA_DIR, a free port, real login), and a do-nothing Node
 * `http` server, also a child process, that answers every request 200 `{}`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cpuSecondsOf } from './cpu.ts';
import { log } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
export const BENCH_ADMIN_PASSWORD = 'bench-admin-password';

export interface ChildServer {
  readonly url: string;
  /** The pid of the process that serves (tsx's node child, not the tsx launcher). */
  readonly servingPid: number;
  /** Resident set size of the serving process now, MiB (from /proc). */
  rssMiB(): number;
  /** Peak resident set size of the serving process over its life so far, MiB. */
  peakRssMiB(): number;
  /** CPU time the serving process (all its threads) has used so far, user + system, seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Waits until `child` prints a line matching `pattern` on stdout; answers the match. Its output is
 * read to the end either way (a full pipe would stall the server's writes); after the match it goes
 * to BENCH_SERVER_LOG when that names a file, else it is dropped.
 */
function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs: number) {
  const sink = process.env.BENCH_SERVER_LOG
    ? createWriteStream(process.env.BENCH_SERVER_LOG, { flags: 'a' })
    : undefined;
  return new Promise<RegExpExecArray>((resolve, reject) => {
    let seen = '';
    let stderr = '';
    let ready = false;
    const timer = setTimeout(() => {
      reject(new Error(`${what} did not start within ${timeoutMs} ms; stdout: ${seen} stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      sink?.write(chunk);
      if (ready) return;
      seen = (seen + chunk.toString()).slice(-8000);
      const match = pattern.exec(seen);
      if (match) {
        ready = true;
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      sink?.write(chunk);
      if (!ready) stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      sink?.end();
      if (!ready) reject(new Error(`${what} exited with ${code} before it was ready; stderr: ${stderr}`));
    });
  });
}

/** The pids of `pid`'s children, from /proc. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A field of /proc/<pid>/status in MiB (VmRSS, VmHWM), 0 when the process is gone. */
function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Stops a child started in its own process group: SIGTERM to the group, SIGKILL after 15 s. */
function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const kill = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
    }, 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      clearTimeout(kill);
      resolve();
    }
  });
}

export interface StartOptions {
  /** postgres://… for PostgreSQL; unset for SQLite in DATA_DIR. */
  readonly databaseUrl?: string;
  /** An existing DATA_DIR to serve (the caller keeps and removes it); a fresh one otherwise. */
  readonly dataDir?: string;
  /** Startup may take long when the database already holds a million processes. */
  readonly startTimeoutMs?: number;
  /** Writes V8 CPU profiles (`--cpu-prof`) of the server's processes into this directory on exit. */
  readonly cpuProfileDir?: string;
}

/** `tsx src/cli.ts start`, demo content off, the admin password known, on a free port. */
export async function startStageflow(options: StartOptions = {}): Promise<ChildServer> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'stageflow-bench-http-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    STAGEFLOW_DEMO: '0',
    STAGEFLOW_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  else delete env.DATABASE_URL;
  // Profiled, node runs the server itself with tsx as its loader (`--cpu-prof` may not go in NODE_OPTIONS).
  const [command, args] = options.cpuProfileDir
    ? [
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, '--import', 'tsx', 'src/cli.ts', 'start'],
      ]
    : [TSX, ['src/cli.ts', 'start']];
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const match = await waitForLine(
      child,
      /running at (http:\/\/\S+)/,
      'stageflow',
      options.startTimeoutMs ?? 120_000,
    );
    const url = match[1]!.replace(/\/$/, '');
    const launcher = child.pid!;
    const servingPid = childPids(launcher)[0] ?? launcher;
    log(`stageflow started at ${url} (pid ${servingPid}, data ${dataDir})`);
    return {
      url,
      servingPid,
      rssMiB: () => statusMiB(servingPid, 'VmRSS'),
      peakRssMiB: () => statusMiB(servingPid, 'VmHWM'),
      cpuSeconds: () => cpuSecondsOf(servingPid) ?? 0,
      async stop() {
        await stopGroup(child);
        if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopGroup(child);
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    if (options.cpuProfileDir) rmSync(options.cpuProfileDir, { recursive: true, force: true });
    throw error;
  }
}

/** The do-nothing server: reads the request, answers 200 `{}`, keeps the connection alive. */
const DO_NOTHING = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': 2 });
    res.end('{}');
  });
});
server.keepAliveTimeout = 72000;
server.listen(0, '127.0.0.1', () => console.log('listening on ' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export async function startDoNothing(): Promise<ChildServer> {
  const child = spawn(process.execPath, ['-e', DO_NOTHING], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const match = await waitForLine(child, /listening on (\d+)/, 'do-nothing server', 10_000);
    const pid = child.pid!;
    return {
      url: `http://127.0.0.1:${match[1]}`,
      servingPid: pid,
      rssMiB: () => statusMiB(pid, 'VmRSS'),
      peakRssMiB: () => statusMiB(pid, 'VmHWM'),
      cpuSeconds: () => cpuSecondsOf(pid) ?? 0,
      stop: () => stopGroup(child),
    };
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
}

/** A logged-in HTTP client: the session cookie the login set, sent with every call. */
export interface Session {
  readonly cookie: string;
  readonly employee: { readonly id: string; readonly role: string };
  call<T = any>(method: string, path: string, body?: unknown): Promise<T>;
}

export async function login(url: string, loginName: string, password: string): Promise<Session> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: loginName, password }),
  });
  if (res.status !== 200) throw new Error(`login ${loginName}: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('sf_session='));
  if (!setCookie) throw new Error(`login ${loginName}: no session cookie`);
  const cookie = setCookie.split(';')[0]!;
  const { employee } = (await res.json()) as { employee: { id: string; role: string } };
  return {
    cookie,
    employee,
    async call(method, p, body) {
      const answer = await fetch(url + p, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await answer.text();
      if (answer.status >= 300) throw new Error(`${method} ${p}: ${answer.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
  };
}

/** Runs `work` over `items` with at most `parallel` in flight; answers the results in order. */
export async function inParallel<T, R>(
  items: readonly T[],
  parallel: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, i);
      }
    }),
  );
  return results;
}
