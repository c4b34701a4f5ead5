/**
 * Competing commands on one process. A hundred people finishing the same stage at once, over three
 * app nodes on PostgreSQL (one node on SQLite): with `expectedVersion` one wins and the rest get
 * 409; without it they queue, each moving the process one stage on, and the protocol reads like a
 * serial run. Then every pair of commands is forced to overlap — the first held open just before
 * its commit until the second has been sent — and the outcome must be that of one of the two serial
 * orders, replayed on fresh processes.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setFaultHook } from '../../src/engine/fault-points.ts';
import { expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, type Response, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const RACERS = 100;

/** A straight chain s0 → s1 → … → s(n-1), long enough that every racer can move it one stage. */
function chainBody(n: number) {
  return {
    stages: Array.from({ length: n }, (_, i) => ({
      key: `s${i}`,
      name: `Stage ${i}`,
      kind: i === 0 ? 'start' : i === n - 1 ? 'end' : 'normal',
    })),
    transitions: Array.from({ length: n - 1 }, (_, i) => ({
      from: `s${i}`,
      to: `s${i + 1}`,
      result: 'Next',
    })),
  };
}

function transitionsOf(items: { action: string; details: Record<string, unknown> }[]) {
  return items.filter((e) => e.action === 'transition').map((e) => e.details as { from: string; to: string });
}

for (const kind of STORES) {
  const nodeCount = kind === 'postgres' ? 3 : 1;

  describe(`${kind}: ${RACERS} racers finishing one stage on ${nodeCount} node(s)`, () => {
    const nodes: TestServer[] = [];
    let definitionId: string;

    // 100 commands queue on one row: each waits its turn, however long the queue on a loaded machine.
    // The bounds that turn a stuck queue into a 503 are tested in load-burst.test.ts.
    const patient = { DATABASE_ACQUIRE_TIMEOUT_MS: '60000', DATABASE_LOCK_TIMEOUT_MS: '60000' };

    beforeAll(async () => {
      const first = await startTestServer(kind, patient);
      nodes.push(first);
      for (let i = 1; i < nodeCount; i++) nodes.push(await startTestServer(kind, patient, first.database));
      definitionId = await publishDefinition(first.admin, 'Long chain', chainBody(RACERS + 10));
    });
    afterAll(async () => {
      for (const node of nodes.slice(1)) await node.stop();
      await nodes[0]?.close();
    });

    const race = (processId: string, body: object) =>
      Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          (nodes[i % nodes.length] as TestServer).admin.post(`/api/processes/${processId}/stage`, {
            state: 'done',
            ...body,
          }),
        ),
      );

    it('with expectedVersion: exactly one wins, every other one gets 409 version_conflict', async () => {
      const launched = await nodes[0]!.admin.post('/api/processes', { definitionId });
      expectStatus(launched, 201);
      const answers = await race(launched.body.id, { expectedVersion: launched.body.version });
      const won = answers.filter((r) => r.status === 200);
      const lost = answers.filter((r) => r.status !== 200);
      expect(won).toHaveLength(1);
      expect(lost.map((r) => `${r.status} ${r.body?.error?.code}`)).toEqual(
        Array(RACERS - 1).fill('409 version_conflict'),
      );
      expect(won[0]!.body.stage.key).toBe('s1');
      const protocol = (await nodes[0]!.admin.get(`/api/processes/${launched.body.id}/protocol?limit=500`))
        .body;
      expect(transitionsOf(protocol.items)).toEqual([{ from: 's0', to: 's1', result: 'Next' }]);
    });

    it('without expectedVersion: they queue, each moves it one stage, and the protocol is a serial run', async () => {
      const launched = await nodes[0]!.admin.post('/api/processes', { definitionId });
      expectStatus(launched, 201);
      const answers = await race(launched.body.id, {});
      expect(answers.filter((r) => r.status >= 500)).toEqual([]);
      const won = answers.filter((r) => r.status === 200);
      // Nobody names a version, and commands on one process queue: nobody is refused.
      expect(answers.map((r) => r.status)).toEqual(Array(RACERS).fill(200));
      // Each answer shows its own step: version v is the process at stage s(v-1), no two alike.
      const versions = won.map((r) => r.body.version as number).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: won.length }, (_, i) => i + 2));
      for (const r of won) expect(r.body.stage.key).toBe(`s${r.body.version - 1}`);

      const protocol = (await nodes[0]!.admin.get(`/api/processes/${launched.body.id}/protocol?limit=500`))
        .body;
      const moves = transitionsOf(protocol.items);
      expect(moves).toHaveLength(won.length);
      let at = 's0';
      for (const move of moves) {
        expect(move.from).toBe(at);
        at = move.to;
      }
      const card = (await nodes[0]!.admin.get(`/api/processes/${launched.body.id}`)).body;
      expect(card.stage.key).toBe(at);
      expect(card.stage.key).toBe(`s${won.length}`);
      expect(card.version).toBe(won.length + 1);
    });
  });
}

type CommandName = 'finish' | 'cancel' | 'pause' | 'wait' | 'reassign' | 'task';
const COMMANDS: readonly CommandName[] = ['finish', 'cancel', 'pause', 'wait', 'reassign', 'task'];

/** Details that differ between otherwise equal runs: generated ids and moments. */
const VOLATILE = new Set(['taskId', 'eventId', 'childId', 'until', 'startsAt', 'dueAt']);

interface Outcome {
  readonly ok: readonly [boolean, boolean];
  readonly state: string;
}

for (const kind of STORES) {
  describe(`${kind}: every pair of commands forced to overlap equals a serial order`, () => {
    let t: TestServer;
    let admin: Client;
    let e1: string;
    let e2: string;
    /** Starts at a wait stage (for pairs with "wait fires"; it cannot be finished by hand) or not. */
    let definitions: { wait: string; plain: string };
    let pgClient: pg.Client | undefined;
    /** Holds the next engine transaction just before its commit, once. */
    let gate: { reached: () => void; release: Promise<void> } | undefined;
    const requests: string[] = [];

    beforeAll(async () => {
      t = await startTestServer(kind);
      admin = t.admin;
      // Only the requests of the test run engine transactions: the first to pass a fault point is A's.
      await t.server.worker.stop();
      e1 = (await t.employee('erin')).id;
      e2 = (await t.employee('egor')).id;
      const body = (first: Record<string, unknown>) => ({
        stages: [
          {
            name: 'First',
            kind: 'start',
            responsibles: [e1],
            task: { title: 'Check', assignee: 'responsible' },
            ...first,
          },
          { key: 'b', name: 'B', kind: 'normal', responsibles: [e1] },
          { key: 'c', name: 'C', kind: 'end' },
        ],
        transitions: [
          { from: first.key, to: 'b', result: 'Next' },
          { from: 'b', to: 'c', result: 'Next' },
        ],
      });
      definitions = {
        wait: await publishDefinition(admin, 'Pairs with a wait', body({ key: 'w', wait: 'PT1H' })),
        plain: await publishDefinition(admin, 'Pairs', body({ key: 'a' })),
      };
      setFaultHook((name) => {
        if (name !== 'before-commit' || !gate) return undefined;
        const held = gate;
        gate = undefined;
        held.reached();
        return held.release;
      });
      t.server.app.server.on('request', (req: { url?: string }) => requests.push(req.url ?? ''));
      if (kind === 'postgres') {
        pgClient = new pg.Client({ connectionString: t.database.databaseUrl });
        await pgClient.connect();
      }
    });
    afterAll(async () => {
      setFaultHook(undefined);
      await pgClient?.end();
      await t?.close();
    });

    async function launch(pair: readonly CommandName[]): Promise<{ id: string; taskId: string }> {
      const definitionId = pair.includes('wait') ? definitions.wait : definitions.plain;
      const launched = await admin.post('/api/processes', { definitionId });
      expectStatus(launched, 201);
      const tasks = await admin.get(`/api/tasks?processId=${launched.body.id}&status=open`);
      expect(tasks.body.items).toHaveLength(1);
      return { id: launched.body.id, taskId: tasks.body.items[0].id };
    }

    function send(name: CommandName, p: { id: string; taskId: string }): Promise<Response> {
      switch (name) {
        case 'finish':
          return admin.post(`/api/processes/${p.id}/stage`, { state: 'done' });
        case 'cancel':
          return admin.post(`/api/processes/${p.id}/cancel`, {});
        case 'pause':
          return admin.post(`/api/processes/${p.id}/pause`, { for: 'PT2H' });
        case 'wait':
          return admin.post('/api/test/clock', { advance: 'PT1H' });
        case 'reassign':
          return admin.patch(`/api/processes/${p.id}`, { responsibleId: e2 });
        case 'task':
          return admin.post(`/api/tasks/${p.taskId}/complete`);
      }
    }

    /** Everything about the process that does not depend on when or with which ids it ran. */
    async function stateOf(id: string): Promise<string> {
      const card = (await admin.get(`/api/processes/${id}`)).body;
      const protocol = (await admin.get(`/api/processes/${id}/protocol?limit=500`)).body.items;
      const tasks = (await admin.get(`/api/tasks?processId=${id}`)).body.items;
      return JSON.stringify(
        {
          status: card.status,
          version: card.version,
          stage: [card.stage.key, card.stage.state, card.stage.responsible?.id ?? null],
          paused: card.pausedUntil !== null,
          tasks: tasks.map((x: any) => [x.title, x.status, x.assigneeId]),
          protocol: protocol.map((e: any) => [
            e.action,
            e.actor?.id ?? null,
            Object.fromEntries(Object.entries(e.details).filter(([k]) => !VOLATILE.has(k))),
          ]),
        },
        null,
        1,
      );
    }

    async function serial(first: CommandName, second: CommandName): Promise<Outcome> {
      const p = await launch([first, second]);
      const a = await send(first, p);
      const b = await send(second, p);
      for (const r of [a, b]) expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
      return { ok: [a.status < 300, b.status < 300], state: await stateOf(p.id) };
    }

    /** Waits until the second command is queued behind the held first one. */
    async function queued(path: string): Promise<void> {
      for (let i = 0; i < 1000; i++) {
        if (kind === 'postgres') {
          const waiting = await pgClient!.query(
            `select count(*)::int as n from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock'`,
          );
          if (waiting.rows[0].n > 0) return;
        } else if (requests.includes(path)) {
          // SQLite: the request has arrived and can go no further than the one connection the
          // held transaction owns; give it a moment to get there (not needed for correctness).
          await new Promise((r) => setTimeout(r, 20));
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`the second command (${path}) never queued behind the first`);
    }

    const pathOf = (name: CommandName, p: { id: string; taskId: string }) =>
      ({
        finish: `/api/processes/${p.id}/stage`,
        cancel: `/api/processes/${p.id}/cancel`,
        pause: `/api/processes/${p.id}/pause`,
        wait: '/api/test/clock',
        reassign: `/api/processes/${p.id}`,
        task: `/api/tasks/${p.taskId}/complete`,
      })[name];

    async function overlapped(first: CommandName, second: CommandName): Promise<Outcome> {
      const p = await launch([first, second]);
      let release!: () => void;
      const reached = new Promise<void>((resolve) => {
        gate = { reached: resolve, release: new Promise<void>((r) => (release = r)) };
      });
      const a = send(first, p);
      let b: Promise<Response> | undefined;
      try {
        await Promise.race([reached, a]);
        if (gate) {
          // Refused before it wrote anything: finishing a wait stage by hand. Nothing to hold open,
          // so the second simply follows; still no 5xx, and still a serial outcome.
          gate = undefined;
          const refused = await a;
          expect(`${first} × ${second}`, `${first} answered without reaching its commit`).toBe(
            'finish × wait',
          );
          expect(refused.status, JSON.stringify(refused.body)).toBe(422);
          b = send(second, p);
          expect((await b).status).toBeLessThan(500);
          return { ok: [false, (await b).status < 300], state: await stateOf(p.id) };
        }
        requests.length = 0;
        b = send(second, p);
        let bDone = false;
        void b.then(() => (bDone = true));
        await queued(pathOf(second, p));
        // The second cannot get past the held transaction of the first.
        expect(bDone).toBe(false);
      } finally {
        release();
      }
      const [ra, rb] = await Promise.all([a, b]);
      for (const r of [ra, rb]) expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
      for (const r of [ra, rb]) if (r.status >= 400) expect(typeof r.body?.error?.code).toBe('string');
      return { ok: [ra.status < 300, rb.status < 300], state: await stateOf(p.id) };
    }

    for (const [i, x] of COMMANDS.entries()) {
      for (const y of COMMANDS.slice(i)) {
        it(`${x} × ${y}`, async () => {
          const xy = await serial(x, y);
          const yx = x === y ? xy : await serial(y, x);
          for (const [first, second] of x === y
            ? [[x, y]]
            : [
                [x, y],
                [y, x],
              ]) {
            const run = await overlapped(first as CommandName, second as CommandName);
            // As first-then-second, or as second-then-first (their answers swapped back).
            const asFirst = first === x ? xy : yx;
            const asSecond = first === x ? yx : xy;
            const matches =
              (run.state === asFirst.state && run.ok[0] === asFirst.ok[0] && run.ok[1] === asFirst.ok[1]) ||
              (run.state === asSecond.state && run.ok[0] === asSecond.ok[1] && run.ok[1] === asSecond.ok[0]);
            expect(
              matches,
              `${first} held, ${second} queued:\n${run.state}\nok ${run.ok}\n` +
                `serial ${first},${second}:\n${asFirst.state}\nok ${asFirst.ok}\n` +
                `serial ${second},${first}:\n${asSecond.state}\nok ${asSecond.ok}`,
            ).toBe(true);
          }
        });
      }
    }
  });
}
