/**
 * Graceful shutdown ends in bounded time: `npm start`'s process, with a live notification stream
 * open (a connection that never falls idle), exits cleanly on SIGTERM instead of waiting for the
 * client to go away; a second signal exits at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, STORES } from '../support/stores.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'shutdown-password-1';
const children = new Set<ChildProcess>();

async function start(databaseUrl: string | undefined, dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      STAGEFLOW_DEMO: '0',
      STAGEFLOW_ROUTING_WAIT: '0',
      STAGEFLOW_ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /is running at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
  return { child, exited, url };
}

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

for (const kind of STORES) {
  describe(`${kind}: shutdown`, () => {
    it('SIGTERM with a notification stream open ends the process cleanly', async () => {
      const db = await createTestDatabase(kind);
      try {
        const server = await start(db.databaseUrl, db.dataDir);
        const login = await fetch(`${server.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ login: 'admin', password: PASSWORD }),
        });
        const { token } = (await login.json()) as { token: string };
        const stream = await fetch(`${server.url}/api/notifications/stream`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(stream.status).toBe(200);
        const reader = stream.body?.getReader();
        await reader?.read(); // the `ready` event: the stream is open and held by the client
        server.child.kill('SIGTERM');
        const exit = await server.exited;
        expect(exit).toEqual({ code: 0, signal: null });
        await reader?.cancel().catch(() => undefined);
      } finally {
        await db.drop();
      }
    });
  });
}
