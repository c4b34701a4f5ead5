/**
 * Crash anywhere: the real server runs as a child process with STAGEFLOW_FAULTS set to one fault
 * point, takes load (launches that spawn children, moves, pauses, tasks, waits falling due on the
 * test clock) until the fault kills it with SIGKILL (or the test does, at a random moment), and is
 * started again without faults. The database must satisfy every invariant of
 * test/support/invariants.ts right after the crash and again after the restart, and every answer
 * the server gave before it died must be reflected.
 *
 * `npm test` runs 6 seeded runs per store (seeds 1..6, the four points in turn); SOAK=1 runs 200
 * (`SOAK_RUNS=n` for another count), and CRASH_SEED=n moves the first seed, to replay a failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultPointName, mulberry32 } from '../../src/engine/fault-points.ts';
import { type Db, openStore } from '../../src/store/store.ts';
import { publishDefinition } from '../support/api-helpers.ts';
import { AckLog, checkInvariants } from '../support/invariants.ts';
import { ADMIN_PASSWORD, type Client, login, type Response, startTestServer } from '../support/server.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const SOAK = process.env.SOAK === '1';
const RUNS = SOAK ? Number(process.env.SOAK_RUNS ?? 200) : 6;
const FIRST_SEED = Number(process.env.CRASH_SEED ?? 1);
const POINTS: readonly FaultPointName[] = ['before-commit', 'after-commit', 'mid-timer-batch', 'mid-spawn'];
/** Chance per pass: points passed on every transaction get less than those passed now and then. */
const ODDS: Record<FaultPointName, number> = {
  'before-commit': 0.01,
  'after-commit': 0.01,
  'mid-timer-batch': 0.15,
  'mid-spawn': 0.25,
};
/** Operations after which the test kills the server itself when the fault has not. */
const MAX_OPS = 160;
const LANES = 4;
const ROOT = path.resolve(import.meta.dirname, '../..');

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface ServerChild {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  /** The URL once it listens; undefined when it died first. */
  readonly url: string | undefined;
  readonly output: () => string;
  killedByTest: boolean;
}

const children = new Set<ChildProcess>();

async function startChild(db: TestDatabase, faults?: string): Promise<ServerChild> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('STAGEFLOW_') && k !== 'DATABASE_URL' && k !== 'PORT') env[k] = v;
  Object.assign(env, {
    DATA_DIR: db.dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    STAGEFLOW_TEST_CLOCK: '1',
    STAGEFLOW_DEMO: '0',
    STAGEFLOW_ROUTING_WAIT: '0',
    STAGEFLOW_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    ...(faults ? { STAGEFLOW_FAULTS: faults } : {}),
  });
  // node --import tsx rather than the tsx wrapper: one process, so a SIGKILL leaves no orphan.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
      const match = /is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  return { child, exited, url, output: () => output, killedByTest: false };
}

/** A request that yields undefined when the server is gone (killed in flight). */
async function attempt(fn: () => Promise<Response>): Promise<Response | undefined> {
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

const CHILD_BODY = {
  stages: [
    { key: 'c0', name: 'Child waits', kind: 'start', wait: 'PT30M' },
    {
      key: 'c1',
      name: 'Child works',
      kind: 'normal',
      task: { title: 'Child task', assignee: 'responsible', startDelay: 'PT20M' },
    },
    { key: 'c2', name: 'Child done', kind: 'end' },
  ],
  transitions: [
    { from: 'c0', to: 'c1', result: 'Next' },
    { from: 'c1', to: 'c2', result: 'Next' },
  ],
};

function mainBody(childId: string) {
  return {
    stages: [
      { key: 'm0', name: 'Intro', kind: 'start', task: { title: 'Intro task', assignee: 'responsible' } },
      { key: 'm1', name: 'Spawn', kind: 'normal', spawn: [childId] },
      { key: 'm2', name: 'Sleep', kind: 'normal', wait: 'PT1H' },
      { key: 'm3', name: 'Spawn again', kind: 'normal', spawn: [childId] },
      { key: 'm4', name: 'Decide', kind: 'normal' },
      { key: 'm5', name: 'Done', kind: 'end' },
    ],
    transitions: [
      { from: 'm0', to: 'm1', result: 'Next' },
      { from: 'm1', to: 'm2', result: 'Next' },
      { from: 'm2', to: 'm3', result: 'Next' },
      { from: 'm3', to: 'm4', result: 'Next' },
      { from: 'm4', to: 'm1', result: 'Again' },
      { from: 'm4', to: 'm5', result: 'Done' },
    ],
  };
}

interface RunReport {
  readonly seed: number;
  readonly point: FaultPointName;
  readonly killedBy: 'fault' | 'test' | 'fault at start-up';
  readonly ops: number;
  readonly acked: number;
}

const reports: RunReport[] = [];

for (const kind of STORES) {
  describe(`${kind}: crash anywhere, restart, invariants hold`, () => {
    let db: TestDatabase;
    let mainId: string;
    /** Processes the load knows of, with the last card it saw. */
    const known = new Map<string, any>();

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      const setup = await startTestServer(kind, {}, db);
      const childId = await publishDefinition(setup.admin, 'Crash child', CHILD_BODY);
      mainId = await publishDefinition(setup.admin, 'Crash main', mainBody(childId));
      await setup.stop();
    }, 90_000);
    afterAll(async () => {
      for (const child of children) child.kill('SIGKILL');
      await db?.drop();
      if (reports.length > 0) console.log(`${kind} crash runs: ${JSON.stringify(reports)}`);
      reports.length = 0;
    });

    async function check(acks: AckLog, when: string): Promise<void> {
      const store = await openStore({
        databaseUrl: db.databaseUrl,
        sqliteFile: path.join(db.dataDir, 'stageflow.db'),
      });
      try {
        expect(await checkInvariants(store.db, acks), when).toEqual([]);
      } finally {
        await store.close();
      }
    }

    /** Runs random load until the server dies or the test kills it; returns what was acknowledged. */
    async function drive(server: ServerChild, admin: Client, random: () => number) {
      const acks = new AckLog();
      const serverErrors: string[] = [];
      let lastClock = 0;
      let ops = 0;
      const killAt = 10 + Math.floor(random() * (MAX_OPS - 10));
      let dead = false;
      void server.exited.then(() => {
        dead = true;
      });
      const pick = () => {
        const ids = [...known.keys()];
        return ids[Math.floor(random() * ids.length)];
      };
      const take = (res: Response | undefined, card?: any) => {
        if (!res) return;
        if (res.status >= 500) serverErrors.push(`${res.status} ${JSON.stringify(res.body)}`);
        const c = card ?? res.body;
        if (res.status < 300 && c?.id && c?.stage) {
          acks.card(c);
          known.set(c.id, c);
          for (const child of c.children ?? []) if (!known.has(child.id)) known.set(child.id, undefined);
        }
      };
      const lane = async () => {
        while (!dead) {
          if (ops >= killAt && !server.killedByTest) {
            server.killedByTest = true;
            server.child.kill('SIGKILL');
          }
          if (server.killedByTest) return;
          ops++;
          const r = random();
          const id = pick();
          const card = id ? known.get(id) : undefined;
          if (r < 0.2 || !id) {
            take(await attempt(() => admin.post('/api/processes', { definitionId: mainId })));
          } else if (r < 0.6) {
            const body: Record<string, unknown> = { state: 'done' };
            if (card?.stage?.key === 'm4') body.result = random() < 0.5 ? 'Again' : 'Done';
            if (card && random() < 0.5) body.expectedVersion = card.version;
            take(await attempt(() => admin.post(`/api/processes/${id}/stage`, body)));
          } else if (r < 0.75) {
            const advance = ['PT10M', 'PT30M', 'PT1H'][Math.floor(random() * 3)];
            const res = await attempt(() => admin.post('/api/test/clock', { advance }));
            if (res && res.status >= 500) serverErrors.push(`${res.status} ${JSON.stringify(res.body)}`);
            if (res?.status === 200) lastClock = Math.max(lastClock, Date.parse(res.body.now));
          } else if (r < 0.82) {
            take(await attempt(() => admin.post(`/api/processes/${id}/pause`, { for: 'PT45M' })));
          } else if (r < 0.88) {
            take(await attempt(() => admin.post(`/api/processes/${id}/resume`, {})));
          } else if (r < 0.9) {
            take(await attempt(() => admin.post(`/api/processes/${id}/cancel`, {})));
          } else {
            const open = await attempt(() => admin.get('/api/tasks?status=open&limit=5'));
            const task = open?.body?.items?.[Math.floor(random() * (open.body.items.length || 1))];
            if (task) {
              const res = await attempt(() => admin.post(`/api/tasks/${task.id}/complete`));
              take(res, res?.body?.process);
            }
          }
        }
      };
      await Promise.all(Array.from({ length: LANES }, lane));
      await server.exited;
      return { acks, serverErrors, lastClock, ops };
    }

    it('the checker finds a broken database', async () => {
      const t = await startTestServer(kind, {}, db);
      const launched = (await t.admin.post('/api/processes', { definitionId: mainId })).body;
      const moved = (await t.admin.post(`/api/processes/${launched.id}/stage`, { state: 'done' })).body;
      await t.stop();
      const acks = new AckLog();
      acks.card(moved);
      const store = await openStore({
        databaseUrl: db.databaseUrl,
        sqliteFile: path.join(db.dataDir, 'stageflow.db'),
      });
      const rollback = new Error('rollback');
      /** The violations found after `mutate`, which is then rolled back. */
      const after = async (mutate: (tx: Db) => Promise<unknown>): Promise<string[]> => {
        let found: string[] = [];
        await store
          .transaction(async (tx) => {
            await mutate(tx);
            found = await checkInvariants(tx, acks);
            throw rollback;
          })
          .catch((error: unknown) => {
            if (error !== rollback) throw error;
          });
        return found;
      };
      try {
        expect(await checkInvariants(store.db, acks)).toEqual([]);
        const childId = moved.children[0].id as string;
        const p = (tx: Db) => tx.updateTable('processes').where('id', '=', launched.id);
        const cases: [string, (tx: Db) => Promise<unknown>][] = [
          ['without its timer', (tx) => tx.deleteFrom('timers').where('process_id', '=', childId).execute()],
          ['acknowledged version', (tx) => p(tx).set({ version: 1 }).execute()],
          ['status active at a stage of kind end', (tx) => p(tx).set({ stage_key: 'm5' }).execute()],
          [
            'its parent',
            (tx) =>
              tx.updateTable('processes').set({ parent_id: 'gone' }).where('id', '=', childId).execute(),
          ],
          [
            'after a transition',
            (tx) =>
              tx
                .deleteFrom('protocol')
                .where('process_id', '=', launched.id)
                .where('action', '=', 'transition')
                .execute(),
          ],
          [
            'elapsed 2 times',
            (tx) =>
              tx
                .insertInto('protocol')
                .values(
                  [0, 1].map(() => ({
                    process_id: childId,
                    at: 0,
                    actor_id: null,
                    action: 'wait.elapsed',
                    details: '{}',
                  })),
                )
                .execute(),
          ],
        ];
        for (const [expected, mutate] of cases)
          expect((await after(mutate)).join('\n'), expected).toContain(expected);
      } finally {
        await store.close();
      }
    });

    for (let run = 0; run < RUNS; run++) {
      const seed = FIRST_SEED + run;
      const point = POINTS[run % POINTS.length] as FaultPointName;
      it(`seed ${seed}: killed at ${point}, restarted, consistent`, async () => {
        // The load's choices, drawn apart from the server's fault decisions (which use `seed` itself).
        const random = mulberry32(seed + 0x5bd1e995);
        const faulty = await startChild(db, `${point}:${ODDS[point]},seed=${seed}`);
        let result = { acks: new AckLog(), serverErrors: [] as string[], lastClock: 0, ops: 0 };
        // It may die before it answers at all: the worker's first batch passes the fault points too.
        const admin = faulty.url
          ? await login(faulty.url, 'admin', ADMIN_PASSWORD).catch(() => undefined)
          : undefined;
        if (admin) result = await drive(faulty, admin, random);
        else {
          // Killed while logging in: it is gone, or going. Anything else is a failure, not a hang.
          const gone = await Promise.race([
            faulty.exited.then(() => true),
            new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
          ]);
          if (!gone) faulty.child.kill('SIGKILL');
          expect(gone, `the server neither answered the login nor died:\n${faulty.output()}`).toBe(true);
        }
        const exit = await faulty.exited;
        expect(exit.signal, faulty.output()).toBe('SIGKILL');
        expect(result.serverErrors).toEqual([]);
        reports.push({
          seed,
          point,
          killedBy: faulty.killedByTest ? 'test' : result.ops === 0 ? 'fault at start-up' : 'fault',
          ops: result.ops,
          acked: result.acks.count,
        });

        // The state the crash left, before anything recovers it.
        await check(result.acks, 'right after the crash');

        // Started again without faults: the same start-up (migrate, fire what is overdue, serve) in
        // this process, which spares a second tsx start per run.
        const clean = await startTestServer(kind, {}, db);
        try {
          const admin = clean.admin;
          // The test clock never goes back past an acknowledged advance.
          const health = await admin.get('/api/health');
          expect(Date.parse(health.body.time)).toBeGreaterThanOrEqual(result.lastClock);
          // Everything due fires once on the restarted server, and it takes commands again.
          for (const advance of ['PT1H', 'PT1H']) {
            const res = await admin.post('/api/test/clock', { advance });
            expect(res.status, JSON.stringify(res.body)).toBe(200);
          }
          const launched = await admin.post('/api/processes', { definitionId: mainId });
          expect(launched.status).toBe(201);
          result.acks.card(launched.body);
          const moved = await admin.post(`/api/processes/${launched.body.id}/stage`, { state: 'done' });
          expect(moved.status, JSON.stringify(moved.body)).toBe(200);
          result.acks.card(moved.body);
        } finally {
          await clean.stop();
        }
        await check(result.acks, 'after the restart');
      }, 120_000);
    }
  });
}
