/**
 * Stage analytics read from the aggregates, against a brute-force computation over the raw
 * `stage_visits` and `processes` rows, on random data: 40,000 processes over some 400 days, so
 * the busiest stage has more than 20,000 timed visits and its percentiles come from the
 * histograms. Counts must be exact for every period (whole days, partial days, one day, open
 * ends), version and viewer; percentiles ranked exactly while the timed visits of the stages so
 * ranked (smallest first) add up to 20,000 (and for a manager, always), and within 2 % (and 1 ms)
 * for the others. The aggregates are filled from the rows as the
 * migration does, then kept by the engine as processes move (before and after the deltas are
 * folded); working time comes from the calendar in force.
 */
import { type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactQuantile, RELATIVE_ERROR } from '../../src/domain/analytics/histogram.ts';
import { mulberry32 } from '../../src/engine/fault-points.ts';
import { stageAnalytics } from '../../src/queries/analytics.ts';
import { foldAnalyticsRollups, rebuildAnalyticsRollups } from '../../src/store/analytics-rollups.ts';
import type { ProcessTable, StageVisitTable } from '../../src/store/schema.ts';
import type { Store } from '../../src/store/store.ts';
import { expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { processRow } from '../support/rows.ts';
import type { Client } from '../support/server.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const DAY = 86_400_000;
const PROCESSES = 40_000;
const EXACT_LIMIT = 20_000;

const body = (extra: boolean) => ({
  stages: [
    { key: 'call', name: 'Call', kind: 'start' },
    { key: 'offer', name: 'Offer', kind: 'normal' },
    { key: 'won', name: 'Won', kind: 'end' },
    { key: 'lost', name: 'Lost', kind: 'end' },
    ...(extra ? [{ key: 'audit', name: 'Audit', kind: 'end' }] : []),
  ],
  transitions: [
    { from: 'call', to: 'offer', result: 'Agreed' },
    { from: 'call', to: 'lost', result: 'Refused' },
    { from: 'offer', to: 'won', result: 'Signed' },
    { from: 'offer', to: 'lost', result: 'Declined' },
    { from: 'offer', to: 'call', result: 'Rethink' },
    ...(extra ? [{ from: 'offer', to: 'audit', result: 'Check' }] : []),
  ],
});

type VisitRow = StageVisitTable;

interface ProcessFacts {
  id: string;
  definition_version: number;
  status: string;
  started_at: number;
  completed_at: number | null;
}

/** Random processes and their visits, all before `now`. */
function generate(definitionId: string, initiatorId: string, now: number, seed: number) {
  const random = mulberry32(seed);
  const start = now - 410 * DAY;
  const duration = () => {
    const r = random();
    if (r < 0.02) return 60_000;
    if (r < 0.03) return 0;
    return Math.round(Math.exp(Math.log(1000) + random() * (Math.log(20 * DAY) - Math.log(1000))));
  };
  const working = (wall: number) => (random() < 0.1 ? null : Math.floor(wall * random() * 0.4));
  const processes = [];
  const visits: VisitRow[] = [];
  for (let i = 0; i < PROCESSES; i++) {
    const id = `gen-${String(i).padStart(6, '0')}`;
    const version = random() < 0.6 ? 1 : 2;
    const startedAt = start + Math.floor(random() * 400 * DAY);
    let t = startedAt;
    let stage = 'call';
    let status: ProcessTable['status'] = 'active';
    let completedAt: number | null = null;
    let looped = false;
    for (let visit = 1; ; visit++) {
      const row: VisitRow = {
        process_id: id,
        visit,
        definition_id: definitionId,
        version,
        stage_key: stage,
        entered_at: t,
        left_at: null,
        left_by: null,
        result: null,
        to_stage: null,
        duration_ms: null,
        working_ms: null,
      };
      visits.push(row);
      if (stage === 'won' || stage === 'lost' || stage === 'audit') {
        Object.assign(row, { left_at: t, left_by: 'end', duration_ms: 0, working_ms: 0 });
        status = 'completed';
        completedAt = t;
        break;
      }
      const d = duration();
      const r = random();
      if (r < 0.07 || t + d >= now) break; // still in the stage
      if (r < 0.13) {
        Object.assign(row, { left_at: t + d, left_by: 'cancel', duration_ms: d, working_ms: working(d) });
        status = 'cancelled';
        completedAt = t + d;
        break;
      }
      let result: string;
      let to: string;
      if (stage === 'call') [result, to] = r < 0.33 ? ['Refused', 'lost'] : ['Agreed', 'offer'];
      else if (r < 0.25) [result, to] = ['Declined', 'lost'];
      else if (r < 0.33 && !looped) [result, to] = ['Rethink', 'call'];
      else if (r < 0.4 && version === 2) [result, to] = ['Check', 'audit'];
      else [result, to] = ['Signed', 'won'];
      if (result === 'Rethink') looped = true;
      Object.assign(row, {
        left_at: t + d,
        left_by: 'transition',
        result,
        to_stage: to,
        duration_ms: d,
        working_ms: working(d),
      });
      t += d;
      stage = to;
    }
    processes.push(
      processRow({
        id,
        definition_id: definitionId,
        definition_version: version,
        status,
        stage_key: stage,
        entered_at: t,
        initiator_id: initiatorId,
        started_at: startedAt,
        updated_at: t,
        completed_at: completedAt,
      }),
    );
  }
  return { processes, visits };
}

interface Query {
  readonly from?: number;
  readonly to?: number;
  readonly version?: number;
}

interface Expected {
  launched: number;
  completed: number;
  cancelled: number;
  leads: number[];
  stages: Map<
    string,
    {
      entered: number;
      completed: number;
      now: number;
      wall: number[];
      working: number[];
      results: Map<string, number>;
    }
  >;
}

/** The figures computed the slow way, from every raw row. */
function bruteForce(
  visits: readonly VisitRow[],
  processes: readonly ProcessFacts[],
  q: Query,
  visible?: ReadonlySet<string>,
): Expected {
  const inPeriod = (t: number) => (q.from === undefined || t >= q.from) && (q.to === undefined || t < q.to);
  const expected: Expected = { launched: 0, completed: 0, cancelled: 0, leads: [], stages: new Map() };
  for (const v of visits) {
    if (!inPeriod(v.entered_at) || (q.version !== undefined && v.version !== q.version)) continue;
    if (visible && !visible.has(v.process_id)) continue;
    let s = expected.stages.get(v.stage_key);
    if (!s) {
      s = { entered: 0, completed: 0, now: 0, wall: [], working: [], results: new Map() };
      expected.stages.set(v.stage_key, s);
    }
    s.entered++;
    if (v.left_by === null) s.now++;
    if (v.left_by === 'transition' || v.left_by === 'end') s.completed++;
    if (v.left_by === 'transition') {
      s.wall.push(Number(v.duration_ms));
      if (v.working_ms !== null) s.working.push(Number(v.working_ms));
      const key = `${v.result}→${v.to_stage}`;
      s.results.set(key, (s.results.get(key) ?? 0) + 1);
    }
  }
  for (const p of processes) {
    if (!inPeriod(p.started_at) || (q.version !== undefined && p.definition_version !== q.version)) continue;
    if (visible && !visible.has(p.id)) continue;
    expected.launched++;
    if (p.status === 'completed') {
      expected.completed++;
      expected.leads.push(Number(p.completed_at) - p.started_at);
    }
    if (p.status === 'cancelled') expected.cancelled++;
  }
  return expected;
}

const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b);

/** Exact, or within the relative error (and a millisecond of rounding) of the exact value. */
function expectNear(got: number | null, values: readonly number[], p: number, exact: boolean, what: string) {
  const want = exactQuantile(sorted(values), p);
  if (exact || want === null) {
    expect(got, what).toBe(want);
    return;
  }
  expect(got, what).not.toBeNull();
  expect(Math.abs((got as number) - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(
    RELATIVE_ERROR * Math.abs(want) + 1,
  );
}

/** Checks an answer against the brute-force figures; returns how many percentiles came from histograms. */
function check(answer: any, expected: Expected, admin: boolean): number {
  let approximate = 0;
  expect(answer.launched).toBe(expected.launched);
  expect(answer.completed).toBe(expected.completed);
  expect(answer.cancelled).toBe(expected.cancelled);
  const leadExact = !admin || expected.completed <= EXACT_LIMIT;
  if (!leadExact) approximate++;
  expectNear(answer.leadTimeMedianMs, expected.leads, 0.5, leadExact, 'lead time');
  // Stages ranked exactly: the smallest first while their timed visits add up to the limit.
  const exactStages = new Set<string>();
  let budget = EXACT_LIMIT;
  const timedOf = (key: string) => expected.stages.get(key)?.wall.length ?? 0;
  for (const key of [...answer.stages.map((s: any) => s.key as string)].sort(
    (a, b) => timedOf(a) - timedOf(b),
  )) {
    if (timedOf(key) > budget) break;
    budget -= timedOf(key);
    exactStages.add(key);
  }
  const seen = new Set<string>();
  for (const stage of answer.stages) {
    seen.add(stage.key);
    const e = expected.stages.get(stage.key) ?? {
      entered: 0,
      completed: 0,
      now: 0,
      wall: [],
      working: [],
      results: new Map<string, number>(),
    };
    expect([stage.key, stage.entered, stage.completed, stage.now]).toEqual([
      stage.key,
      e.entered,
      e.completed,
      e.now,
    ]);
    const exact = !admin || exactStages.has(stage.key);
    if (!exact) approximate++;
    expectNear(stage.medianMs, e.wall, 0.5, exact, `${stage.key} median`);
    expectNear(stage.p90Ms, e.wall, 0.9, exact, `${stage.key} p90`);
    expectNear(stage.workingMedianMs, e.working, 0.5, exact, `${stage.key} working median`);
    expectNear(stage.workingP90Ms, e.working, 0.9, exact, `${stage.key} working p90`);
    const answered = new Map<string, number>(
      stage.results.map((r: any) => [`${r.result}→${r.to}`, r.count as number]),
    );
    for (const [key, count] of e.results)
      expect([stage.key, key, answered.get(key)]).toEqual([stage.key, key, count]);
    for (const [key, count] of answered)
      expect([stage.key, key, count]).toEqual([stage.key, key, e.results.get(key) ?? 0]);
  }
  for (const key of expected.stages.keys()) expect(seen.has(key), key).toBe(true);
  return approximate;
}

const iso = (ms: number) => new Date(ms).toISOString();

function queryString(q: Query): string {
  const parts = [];
  if (q.version !== undefined) parts.push(`version=${q.version}`);
  if (q.from !== undefined) parts.push(`from=${encodeURIComponent(iso(q.from))}`);
  if (q.to !== undefined) parts.push(`to=${encodeURIComponent(iso(q.to))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

for (const kind of STORES) {
  describe(`${kind}: stage analytics from the aggregates`, () => {
    let t: TestServer;
    let store: Store;
    let definitionId: string;
    let manager: Client & { id: string };
    /** A manager who is a member of every generated process. */
    let wide: Client & { id: string };
    let now: number;
    const visible = new Set<string>();

    const raw = async () => {
      const visits = (await store.db
        .selectFrom('stage_visits')
        .selectAll()
        .where('definition_id', '=', definitionId)
        .execute()) as VisitRow[];
      const processes = (
        await store.db
          .selectFrom('processes')
          .select(['id', 'definition_version', 'status', 'started_at', 'completed_at'])
          .where('definition_id', '=', definitionId)
          .execute()
      ).map((p) => ({
        ...p,
        started_at: Number(p.started_at),
        completed_at: p.completed_at === null ? null : Number(p.completed_at),
      }));
      return {
        visits: visits.map((v) => ({ ...v, entered_at: Number(v.entered_at) })),
        processes,
      };
    };

    /** The queries compared: whole days, partial days, one day, open ends, versions. */
    const queries = (): Query[] => {
      const start = now - 410 * DAY;
      const midnight = Math.floor((start + 150 * DAY) / DAY) * DAY;
      const month = new Date(start + 60 * DAY);
      const monthStart = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1);
      return [
        {},
        { from: start + 37.3 * DAY, to: start + 330.6 * DAY },
        { from: monthStart, to: Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 4, 15) },
        { from: midnight + 3 * 3_600_000, to: midnight + 20 * 3_600_000 },
        { from: midnight, to: midnight + DAY },
        { from: start + 100.5 * DAY },
        { to: start + 200.25 * DAY },
        { version: 1, from: start + 10.1 * DAY, to: start + 390.9 * DAY },
        { version: 2 },
      ];
    };

    /** Compares every query for the administrator and two for the manager; returns the approximate count. */
    const compareAll = async (): Promise<number> => {
      const { visits, processes } = await raw();
      let approximate = 0;
      for (const q of queries()) {
        const res = await t.admin.get(`/api/definitions/${definitionId}/analytics${queryString(q)}`);
        expectStatus(res, 200);
        approximate += check(res.body, bruteForce(visits, processes, q), true);
      }
      for (const q of queries().slice(0, 2)) {
        const res = await manager.get(`/api/definitions/${definitionId}/analytics${queryString(q)}`);
        expectStatus(res, 200);
        check(res.body, bruteForce(visits, processes, q, visible), false);
      }
      return approximate;
    };

    beforeAll(async () => {
      t = await startTestServer(kind);
      store = t.server.ctx.store;
      manager = await t.employee('aggregates-manager');
      wide = await t.employee('aggregates-wide');
      definitionId = await publishDefinition(t.admin, 'Deal', body(false));
      expectStatus(await t.admin.put(`/api/definitions/${definitionId}`, body(true)), 200);
      expectStatus(await t.admin.post(`/api/definitions/${definitionId}/publish`), 200);
      now = t.server.ctx.clock.now();
      const adminRow = await store.db
        .selectFrom('employees')
        .select('id')
        .where('login', '=', 'admin')
        .executeTakeFirstOrThrow();
      const data = generate(definitionId, adminRow.id, now, 13);
      const members = data.processes.filter((_, i) => i % 7 === 0).map((p) => p.id);
      for (const id of members) visible.add(id);
      await store.transaction(async (tx) => {
        for (let i = 0; i < data.processes.length; i += 500)
          await tx
            .insertInto('processes')
            .values(data.processes.slice(i, i + 500))
            .execute();
        for (let i = 0; i < data.visits.length; i += 500)
          await tx
            .insertInto('stage_visits')
            .values(data.visits.slice(i, i + 500))
            .execute();
        for (let i = 0; i < members.length; i += 500)
          await tx
            .insertInto('process_members')
            .values(
              members
                .slice(i, i + 500)
                .map((id) => ({ process_id: id, employee_id: manager.id, role: 'view' as const })),
            )
            .execute();
        for (let i = 0; i < data.processes.length; i += 500)
          await tx
            .insertInto('process_members')
            .values(
              data.processes
                .slice(i, i + 500)
                .map((p) => ({ process_id: p.id, employee_id: wide.id, role: 'view' as const })),
            )
            .execute();
        // What the migration does for the rows it finds.
        await rebuildAnalyticsRollups(tx, store.caps.name);
      });
      await sql`analyze`.execute(store.db);
    }, 180_000);
    afterAll(async () => {
      await t?.close();
    });

    it('answers every period, version and viewer as the raw rows do', async () => {
      const { visits } = await raw();
      const timedCalls = visits.filter((v) => v.stage_key === 'call' && v.left_by === 'transition').length;
      // Enough for the histograms to answer the busiest stage over the whole time.
      expect(timedCalls).toBeGreaterThan(EXACT_LIMIT);
      expect(await compareAll()).toBeGreaterThan(0);
    }, 120_000);

    it('ranks the scope of a manager past the exact limit exactly, reading only the ranks it needs', async () => {
      const { visits, processes } = await raw();
      const all = new Set(processes.map((p) => p.id));
      for (const q of queries().slice(0, 2)) {
        const res = await wide.get(`/api/definitions/${definitionId}/analytics${queryString(q)}`);
        expectStatus(res, 200);
        check(res.body, bruteForce(visits, processes, q, all), false);
      }
      const expected = bruteForce(visits, processes, {}, all);
      expect(expected.stages.get('call')?.wall.length).toBeGreaterThan(EXACT_LIMIT);
      expect(expected.completed).toBeGreaterThan(EXACT_LIMIT);
      // Every row the answer reads, counted as the database hands it over.
      let rows = 0;
      const counting: KyselyPlugin = {
        transformQuery: (args) => args.node,
        transformResult: async (args) => {
          rows += args.result.rows.length;
          return args.result;
        },
      };
      const ctx = t.server.ctx;
      const answer = await stageAnalytics(
        { ...ctx, store: { ...ctx.store, db: ctx.store.db.withPlugin(counting) } },
        { id: wide.id, role: 'manager', name: 'Wide' },
        { definitionId },
      );
      check(answer, expected, false);
      expect(rows).toBeLessThanOrEqual(EXACT_LIMIT + 200);
    }, 120_000);

    it('stays exact as the engine moves processes, before and after the deltas are folded', async () => {
      const launch = async () => {
        const res = await t.admin.post('/api/processes', { definitionId });
        expectStatus(res, 201);
        return res.body.id as string;
      };
      const finish = async (id: string, result: string) =>
        expectStatus(await t.admin.post(`/api/processes/${id}/stage`, { state: 'done', result }), 200);
      // No fold while the engine writes: the answers must sum the deltas it appended.
      await t.server.worker.stop();
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(await launch());
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT5H' }), 200);
      for (const [i, id] of ids.entries()) {
        if (i % 4 === 3) expectStatus(await t.admin.post(`/api/processes/${id}/cancel`), 200);
        else await finish(id, i % 4 === 0 ? 'Refused' : 'Agreed');
      }
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'P1D' }), 200);
      for (const id of ids.filter((_, i) => i % 4 === 1)) await finish(id, 'Signed');
      now = t.server.ctx.clock.now();
      const { visits } = await raw();
      const written = visits.filter((v) => ids.includes(v.process_id) && v.left_by === 'transition');
      expect(written.length).toBe(12 - 3 + 3);
      expect(written.every((v) => v.working_ms !== null)).toBe(true);
      await compareAll();
      expect(await foldAnalyticsRollups(store)).toBeGreaterThan(0);
      await compareAll();
    }, 120_000);

    it('counts running processes and open visits through pauses, resumes and moves to another version', async () => {
      await t.server.worker.stop();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await t.admin.post('/api/processes', { definitionId });
        expectStatus(res, 201);
        ids.push(res.body.id as string);
        // Launched over several days, so the counts of running ones fall on several.
        expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT7H' }), 200);
      }
      const [a, b, c, d, e] = ids as [string, string, string, string, string];
      expectStatus(await t.admin.post(`/api/processes/${a}/pause`, { for: 'P30D' }), 200);
      expectStatus(await t.admin.post(`/api/processes/${b}/pause`, { for: 'PT2H' }), 200);
      expectStatus(await t.admin.post(`/api/processes/${c}/pause`, { for: 'P30D' }), 200);
      expectStatus(await t.admin.post(`/api/processes/${c}/resume`), 200);
      expectStatus(await t.admin.post(`/api/processes/${d}/stage`, { state: 'done', result: 'Agreed' }), 200);
      now = t.server.ctx.clock.now();
      const paused = (await raw()).processes.filter((p) => p.status === 'paused');
      expect(paused.map((p) => p.id).sort()).toEqual([a, b].sort());
      await compareAll();
      // The pause of b runs out: the clock fires it.
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT3H' }), 200);
      // The processes of version 2 still calling or offering, moved to version 1.
      const migrated = await t.admin.post(`/api/definitions/${definitionId}/migrations`, {
        fromVersion: 2,
        toVersion: 1,
        stageMap: {},
      });
      expectStatus(migrated, 200);
      const moved = (migrated.body.items as { processId: string; outcome: string }[]).filter(
        (i) => i.outcome === 'moved',
      );
      expect(moved.map((i) => i.processId)).toEqual(expect.arrayContaining([b, c, d, e]));
      expectStatus(await t.admin.post(`/api/processes/${e}/cancel`), 200);
      now = t.server.ctx.clock.now();
      const after = await raw();
      expect(after.processes.find((p) => p.id === b)?.status).toBe('active');
      expect(after.processes.find((p) => p.id === d)?.definition_version).toBe(1);
      await compareAll();
      expect(await foldAnalyticsRollups(store)).toBeGreaterThan(0);
      await compareAll();
    }, 120_000);
  });
}
