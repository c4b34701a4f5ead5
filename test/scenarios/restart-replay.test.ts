/**
 * Restart replay (a property test): a random valid definition is published and launched on two
 * servers side by side, and the same random walk of commands (start, finish with a random valid
 * result, pause, resume, change the note, complete a task, advance the test clock) is applied to
 * both. Server A is stopped and started again on its database after EVERY step; server B never
 * restarts. After each step the answers, the process card, its tasks and its protocol must be
 * equal on both, ids aside. `Date` is frozen (the test clock moves time), so times are equal too.
 *
 * Fixed seed; 8 runs per store, `SOAK=1` (npm run test:soak) makes it 200. `REPLAY_SEED` overrides
 * the seed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DefinitionBody } from '../../src/domain/definition/types.ts';
import {
  FIXTURE_EMPLOYEES,
  validDefinitionArbitrary,
} from '../../src/domain/definition/valid-definition.fixture.ts';
import { expectStatus, publishDefinition, twoStageBody } from '../support/api-helpers.ts';
import { type Client, client, type Response, startTestServer, type TestServer } from '../support/server.ts';
import { STORES, type StoreKind } from '../support/stores.ts';

const SEED = Number(process.env.REPLAY_SEED ?? 20260517);
const RUNS = process.env.SOAK ? 200 : 8;
const MAX_STEPS = 8;
/** Frozen wall time: the servers' clocks are this plus the test clock's offset. */
const FROZEN_AT = Date.UTC(2026, 0, 5, 9, 0);

const ADVANCES = ['PT30M', 'PT2H', 'P1D', 'P2D', 'P1M', 'P1Y'] as const;
const PAUSES = ['PT1H', 'P1D', 'P3D'] as const;
const OPS = ['start', 'finish', 'finish', 'finish', 'advance', 'advance', 'pause', 'resume', 'note', 'task'];

interface Step {
  readonly op: string;
  /** Which result, duration or task. */
  readonly pick: number;
  /** Every third finish hands the next stage to a fixture employee. */
  readonly hand: number;
  /** The stage's responsible (when one of the fixture employees) or the admin. */
  readonly asOwner: boolean;
}

const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  op: fc.constantFrom(...OPS),
  pick: fc.nat(1000),
  hand: fc.nat(1000),
  asOwner: fc.boolean(),
});

/** One server with its fixture employees (e1..e4) and the child definition spawns point at. */
interface Side {
  server: TestServer;
  readonly employees: Map<string, { id: string; token: string }>;
  childDefinition: string;
  adminId: string;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Replaces every id by a name that does not depend on the server: the fixture employees, the
 * admin and the definitions by role, any other id by the order it is first met in. Protocol entry
 * ids (a global sequence) are left out.
 */
function normaliser(side: Side, definitionId: string): (value: unknown) => unknown {
  const names = new Map<string, string>();
  for (const [key, e] of side.employees) names.set(e.id, `employee:${key}`);
  names.set(side.adminId, 'employee:admin');
  names.set(side.childDefinition, 'definition:child');
  names.set(definitionId, 'definition:walked');
  const rename = (id: string) => {
    let name = names.get(id);
    if (name === undefined) {
      name = `id:${names.size}`;
      names.set(id, name);
    }
    return name;
  };
  const walk = (value: unknown, parentKey?: string): unknown => {
    if (typeof value === 'string') return value.replace(UUID, rename);
    if (Array.isArray(value)) return value.map((v) => walk(v, parentKey));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (parentKey === 'protocol' && k === 'id') continue;
        out[k] = walk(v, k === 'items' && parentKey === 'protocol' ? 'protocol' : k);
      }
      return out;
    }
    return value;
  };
  return (value) => walk(value);
}

function adminOf(side: Side): Client {
  return side.server.admin;
}

function employeeClient(side: Side, key: string): Client {
  const e = side.employees.get(key);
  if (!e) throw new Error(`no fixture employee ${key}`);
  return client(side.server.url, e.token);
}

/** The fixture definition with its employee and child placeholders replaced by this side's ids. */
function bind(side: Side, def: DefinitionBody): DefinitionBody {
  return {
    transitions: def.transitions,
    stages: def.stages.map((s) => ({
      ...s,
      responsibles: s.responsibles?.map((key) => side.employees.get(key)?.id ?? key),
      ...(s.spawn ? { spawn: s.spawn.map(() => side.childDefinition) } : {}),
    })),
  };
}

async function prepare(kind: StoreKind): Promise<Side> {
  const server = await startTestServer(kind);
  const employees = new Map<string, { id: string; token: string }>();
  for (const key of FIXTURE_EMPLOYEES) {
    const e = await server.employee(`user-${key}`, 'manager', `Employee ${key}`);
    employees.set(key, { id: e.id, token: e.token });
  }
  const childDefinition = await publishDefinition(server.admin, 'Child', twoStageBody());
  const adminId = (await server.admin.get('/api/me')).body.id as string;
  return { server, employees, childDefinition, adminId };
}

/**
 * What the walk compares: the process card, its tasks and its protocol, and the counts of all
 * processes by status (earlier runs' processes and children keep firing timers as time moves).
 */
async function snapshot(side: Side, processId: string) {
  const admin = adminOf(side);
  const card = await admin.get(`/api/processes/${processId}`);
  const tasks = await admin.get(`/api/tasks?processId=${processId}`);
  const protocol = await admin.get(`/api/processes/${processId}/protocol`);
  const counts = await admin.get('/api/processes/counts');
  for (const res of [card, tasks, protocol, counts]) expectStatus(res, 200);
  return { card: card.body, tasks: tasks.body, protocol: protocol.body, counts: counts.body };
}

/**
 * The part of an answer both servers must agree on. The clock's `fired` counts only the timers
 * that request fired itself; the background worker may take some of them first, on either server.
 */
function answered(step: Step, res: Response): unknown {
  if (step.op !== 'advance' || res.status !== 200) return { status: res.status, body: res.body };
  expect(typeof res.body.fired).toBe('number');
  return { status: res.status, now: res.body.now };
}

/** Applies one step to one side, deciding from that side's card; returns the answer. */
async function apply(side: Side, processId: string, step: Step, card: any): Promise<Response> {
  const admin = adminOf(side);
  const responsible = card.stage?.responsible?.id as string | undefined;
  const owner = [...side.employees].find(([, e]) => e.id === responsible)?.[0];
  const actor = step.asOwner && owner ? employeeClient(side, owner) : admin;
  const path = `/api/processes/${processId}`;
  switch (step.op) {
    case 'start':
      return actor.post(`${path}/stage`, { state: 'in_progress' });
    case 'finish': {
      const results = (card.next as { result: string }[]).map((n) => n.result);
      const result = results.length > 0 ? results[step.pick % results.length] : 'none';
      const handKey = FIXTURE_EMPLOYEES[step.hand % FIXTURE_EMPLOYEES.length] as string;
      const hand = step.hand % 3 === 0 ? { nextResponsibleId: side.employees.get(handKey)?.id } : {};
      return actor.post(`${path}/stage`, { state: 'done', result, ...hand });
    }
    case 'advance':
      return admin.post('/api/test/clock', { advance: ADVANCES[step.pick % ADVANCES.length] });
    case 'pause':
      return actor.post(`${path}/pause`, { for: PAUSES[step.pick % PAUSES.length] });
    case 'resume':
      return actor.post(`${path}/resume`);
    case 'note':
      return actor.patch(path, { note: `note ${step.pick}` });
    default: {
      const open = (await admin.get(`/api/tasks?processId=${processId}&status=open`)).body.items as {
        id: string;
      }[];
      const task = open[step.pick % Math.max(open.length, 1)];
      if (!task) return { status: 0, body: 'no open task', headers: new Headers() };
      return actor.post(`/api/tasks/${task.id}/complete`);
    }
  }
}

for (const kind of STORES) {
  describe(`${kind}: restart replay`, () => {
    let a: Side;
    let b: Side;
    let runs = 0;
    let steps = 0;
    let restarts = 0;
    /** Steps the servers accepted (2xx), so the walk is known to do more than collect refusals. */
    let accepted = 0;
    let completed = 0;

    beforeAll(async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: FROZEN_AT });
      [a, b] = await Promise.all([prepare(kind), prepare(kind)]);
    });
    afterAll(async () => {
      await Promise.all([a?.server.close(), b?.server.close()]);
      vi.useRealTimers();
      console.log(
        JSON.stringify({
          test: 'restart-replay',
          store: kind,
          seed: SEED,
          runs,
          steps,
          accepted,
          completed,
          restarts,
        }),
      );
    });

    async function restartA(): Promise<void> {
      await a.server.stop();
      a.server = await startTestServer(kind, {}, a.server.database);
      restarts++;
    }

    it(
      'a server restarted after every step ends in the same state as one never restarted',
      async () => {
        await fc.assert(
          fc.asyncProperty(
            validDefinitionArbitrary({ maxStages: 7 }),
            fc.array(stepArbitrary, { minLength: 3, maxLength: MAX_STEPS }),
            async (def, walk) => {
              runs++;
              const name = `Walked ${runs}`;
              const [defA, defB] = await Promise.all([
                publishDefinition(adminOf(a), name, bind(a, def)),
                publishDefinition(adminOf(b), name, bind(b, def)),
              ]);
              const launchedA = await adminOf(a).post('/api/processes', { definitionId: defA, note: 'walk' });
              const launchedB = await adminOf(b).post('/api/processes', { definitionId: defB, note: 'walk' });
              expectStatus(launchedA, 201);
              expectStatus(launchedB, 201);
              const [pa, pb] = [launchedA.body.id as string, launchedB.body.id as string];
              const normA = normaliser(a, defA);
              const normB = normaliser(b, defB);
              expect(normA(launchedA.body)).toEqual(normB(launchedB.body));
              await restartA();

              const trail: string[] = [];
              let cardB = launchedB.body;
              for (const step of walk) {
                steps++;
                const cardA = (await adminOf(a).get(`/api/processes/${pa}`)).body;
                const answerA = await apply(a, pa, step, cardA);
                const answerB = await apply(b, pb, step, cardB);
                trail.push(`${step.op}:${answerB.status}`);
                if (answerB.status >= 200 && answerB.status < 300) accepted++;
                const where = `after ${trail.join(' → ')}`;
                expect(answerA.status, where).toBe(answerB.status);
                expect(answerA.status, `${where}: ${JSON.stringify(answerB.body)}`).toBeLessThan(500);
                expect(normA(answered(step, answerA)), where).toEqual(normB(answered(step, answerB)));
                await restartA();
                const [nowA, nowB] = await Promise.all([snapshot(a, pa), snapshot(b, pb)]);
                expect(normA(nowA), where).toEqual(normB(nowB));
                cardB = nowB.card;
              }
              if (cardB.status === 'completed') completed++;
            },
          ),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
        expect(steps).toBeGreaterThanOrEqual(RUNS);
        expect(accepted).toBeGreaterThan(steps / 3);
      },
      RUNS * MAX_STEPS * 20_000,
    );
  });
}
