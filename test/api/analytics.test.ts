/**
 * Stage analytics: counts per stage and result, time-in-stage percentiles and lead time, checked
 * against the protocol of the processes walked through a branching definition with the test
 * clock; the period and version filters; the CSV download; what a manager may count; refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import type { Client } from '../support/server.ts';
import { client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const HOUR = 3_600_000;

const v1 = {
  stages: [
    { key: 'call', name: 'Call', kind: 'start' },
    { key: 'offer', name: 'Offer', kind: 'normal' },
    { key: 'won', name: 'Won', kind: 'end' },
    { key: 'lost', name: 'Lost', kind: 'end' },
  ],
  transitions: [
    { from: 'call', to: 'offer', result: 'Agreed' },
    { from: 'call', to: 'lost', result: 'Refused' },
    { from: 'offer', to: 'won', result: 'Signed' },
    { from: 'offer', to: 'call', result: 'Rethink' },
  ],
};

/** Version 2 renames stages (Cyrillic, a comma and quotes, a formula-like name) and adds one. */
const v2 = {
  stages: [
    { key: 'call', name: 'Звонок', kind: 'start' },
    { key: 'offer', name: 'Предложение, "итог"', kind: 'normal' },
    { key: 'won', name: '=Won', kind: 'end' },
    { key: 'lost', name: 'Lost', kind: 'end' },
    { key: 'audit', name: 'Audit', kind: 'end' },
  ],
  transitions: [
    { from: 'call', to: 'offer', result: 'Agreed' },
    { from: 'call', to: 'lost', result: 'Refused' },
    { from: 'offer', to: 'won', result: 'Signed' },
    { from: 'offer', to: 'audit', result: 'Check' },
  ],
};

interface Visit {
  readonly stage: string;
  readonly ms: number | null;
  readonly result: string | null;
}

/** Linear interpolation between the nearest ranks, rounded to whole ms. */
function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * p;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return Math.round(a + (b - a) * (position - low));
}

for (const kind of STORES) {
  describe(`${kind}: stage analytics`, () => {
    let t: TestServer;
    let definitionId: string;
    let manager: Client & { id: string };
    let outsider: Client & { id: string };
    /** The test clock's time between the first batch of processes and the second. */
    let split: string;
    const visits = new Map<string, Visit[]>();
    const leadTimes = new Map<string, number>();

    const advance = async (duration: string): Promise<string> => {
      const res = await t.admin.post('/api/test/clock', { advance: duration });
      expectStatus(res, 200);
      return res.body.now as string;
    };
    const launch = async (as: Client = t.admin): Promise<string> => {
      const res = await as.post('/api/processes', { definitionId });
      expectStatus(res, 201);
      return res.body.id as string;
    };
    const finish = async (id: string, result: string) =>
      expectStatus(await t.admin.post(`/api/processes/${id}/stage`, { state: 'done', result }), 200);
    const analytics = (query = '', as: Client = t.admin) =>
      as.get(`/api/definitions/${definitionId}/analytics${query}`);

    /** The stage visits and the lead time of a process, read from its protocol. */
    async function readProtocol(id: string): Promise<void> {
      const res = await t.admin.get(`/api/processes/${id}/protocol`);
      expectStatus(res, 200);
      const list: Visit[] = [];
      let open: { stage: string; at: number } | null = null;
      let launchedAt = 0;
      for (const e of res.body.items as { action: string; at: string; details: any }[]) {
        const at = Date.parse(e.at);
        if (e.action === 'process.launched') launchedAt = at;
        if (e.action === 'stage.entered') open = { stage: e.details.stage, at };
        if (e.action === 'transition' && open) {
          list.push({ stage: open.stage, ms: at - open.at, result: e.details.result });
          open = null;
        }
        if (e.action === 'process.completed') {
          leadTimes.set(id, at - launchedAt);
          if (open) list.push({ stage: open.stage, ms: null, result: null });
          open = null;
        }
        if (e.action === 'process.cancelled') open = null;
      }
      visits.set(id, list);
    }

    const timed = (ids: readonly string[], stage: string) =>
      ids
        .flatMap((id) => (visits.get(id) ?? []).filter((v) => v.stage === stage && v.ms !== null))
        .map((v) => v.ms as number);

    let first: string[];
    let p5: string;
    let p6: string;
    let p7: string;

    beforeAll(async () => {
      t = await startTestServer(kind);
      manager = await t.employee('analytics-manager');
      outsider = await t.employee('analytics-outsider');
      definitionId = await publishDefinition(t.admin, 'Deal', v1);
      // Batch one, version 1: two agree after 1 h and 2 h, one refuses after 4 h, one is cancelled.
      const [p1, p2, p3, p4] = [await launch(), await launch(), await launch(), await launch()] as [
        string,
        string,
        string,
        string,
      ];
      first = [p1, p2, p3, p4];
      await advance('PT1H');
      await finish(p1, 'Agreed');
      await advance('PT1H');
      await finish(p2, 'Agreed');
      await advance('PT2H');
      await finish(p3, 'Refused');
      await advance('PT1H');
      await finish(p1, 'Signed');
      expectStatus(await t.admin.post(`/api/processes/${p4}/cancel`), 200);
      // Batch two, a day later, still version 1: agrees after 3 h and stays in the offer.
      split = await advance('P1D');
      p5 = await launch();
      await advance('PT3H');
      await finish(p5, 'Agreed');
      // Version 2: one process the admin walks to the new end stage, one the manager launches.
      expectStatus(await t.admin.put(`/api/definitions/${definitionId}`, v2), 200);
      expectStatus(await t.admin.post(`/api/definitions/${definitionId}/publish`), 200);
      p6 = await launch();
      await advance('PT30M');
      await finish(p6, 'Agreed');
      await advance('PT30M');
      await finish(p6, 'Check');
      p7 = await launch(manager);
      for (const id of [...first, p5, p6, p7]) await readProtocol(id);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('counts every stage and result, and times stages from the protocol', async () => {
      const res = await analytics();
      expectStatus(res, 200);
      const all = [...first, p5, p6, p7];
      const [p1, , p3] = first as [string, string, string, string];
      expect(res.body.definition).toEqual({ id: definitionId });
      expect(res.body).toMatchObject({ launched: 7, completed: 3, cancelled: 1 });
      expect(res.body.leadTimeMedianMs).toBe(
        percentile([leadTimes.get(p1), leadTimes.get(p3), leadTimes.get(p6)] as number[], 0.5),
      );
      // Stages in the order of the newest version, named from it.
      expect(res.body.stages.map((s: any) => [s.key, s.name])).toEqual([
        ['call', 'Звонок'],
        ['offer', 'Предложение, "итог"'],
        ['won', '=Won'],
        ['lost', 'Lost'],
        ['audit', 'Audit'],
      ]);
      const call = res.body.stages[0];
      const callTimes = timed(all, 'call');
      expect(callTimes).toHaveLength(5);
      expect(call).toMatchObject({ entered: 7, completed: 5, now: 1 });
      expect(call.medianMs).toBe(percentile(callTimes, 0.5));
      expect(call.p90Ms).toBe(percentile(callTimes, 0.9));
      // The times are the test clock's hours, not the seconds the test took.
      expect(call.medianMs).toBeGreaterThanOrEqual(2 * HOUR);
      expect(call.medianMs).toBeLessThan(2 * HOUR + 60_000);
      expect(call.p90Ms).toBeGreaterThanOrEqual(3.6 * HOUR);
      expect(call.results).toEqual([
        { result: 'Agreed', to: 'offer', count: 4, share: 0.8 },
        { result: 'Refused', to: 'lost', count: 1, share: 0.2 },
      ]);
      const offer = res.body.stages[1];
      expect(offer).toMatchObject({ entered: 4, completed: 2, now: 2 });
      expect(offer.medianMs).toBe(percentile(timed(all, 'offer'), 0.5));
      expect(offer.p90Ms).toBe(percentile(timed(all, 'offer'), 0.9));
      // Version 2's results, with "Rethink" (version 1 only, never taken) not among them.
      expect(offer.results).toEqual([
        { result: 'Signed', to: 'won', count: 1, share: 0.5 },
        { result: 'Check', to: 'audit', count: 1, share: 0.5 },
      ]);
      expect(res.body.stages[2]).toEqual({
        key: 'won',
        name: '=Won',
        entered: 1,
        completed: 1,
        now: 0,
        medianMs: null,
        p90Ms: null,
        workingMedianMs: null,
        workingP90Ms: null,
        results: [],
      });
      expect(res.body.stages[4]).toMatchObject({ key: 'audit', entered: 1, completed: 1, now: 0 });
    });

    it('counts what was entered and launched within the period', async () => {
      const before = await analytics(`?to=${encodeURIComponent(split)}`);
      expectStatus(before, 200);
      expect(before.body).toMatchObject({ launched: 4, completed: 2, cancelled: 1 });
      const [p1, p2, p3] = first as [string, string, string, string];
      expect(before.body.leadTimeMedianMs).toBe(
        percentile([leadTimes.get(p1), leadTimes.get(p3)] as number[], 0.5),
      );
      const call = before.body.stages.find((s: any) => s.key === 'call');
      expect(call).toMatchObject({ entered: 4, completed: 3, now: 0 });
      // Exactly 1 h, 2 h and 4 h apart on the test clock, give or take the requests' own time.
      const times = timed(first, 'call');
      expect(call.medianMs).toBe(percentile(times, 0.5));
      expect(call.p90Ms).toBe(percentile(times, 0.9));
      const offer = before.body.stages.find((s: any) => s.key === 'offer');
      expect(offer).toMatchObject({ entered: 2, completed: 1, now: 1 });
      expect(offer.medianMs).toBe(timed([p1], 'offer')[0]);
      expect(timed([p2], 'offer')).toEqual([]);

      const after = await analytics(`?from=${encodeURIComponent(split)}`);
      expectStatus(after, 200);
      expect(after.body).toMatchObject({ launched: 3, completed: 1, cancelled: 0 });
      const call2 = after.body.stages.find((s: any) => s.key === 'call');
      expect(call2).toMatchObject({ entered: 3, completed: 2, now: 1 });
      expect(call2.medianMs).toBe(percentile(timed([p5, p6], 'call'), 0.5));

      const empty = await analytics(`?from=${encodeURIComponent(split)}&to=${encodeURIComponent(split)}`);
      expectError(empty, 400, 'validation_failed');
    });

    it('counts one version alone, with that version’s stages and names', async () => {
      const one = await analytics('?version=1');
      expectStatus(one, 200);
      expect(one.body.definition).toEqual({ id: definitionId, version: 1 });
      expect(one.body).toMatchObject({ launched: 5, completed: 2, cancelled: 1 });
      expect(one.body.stages.map((s: any) => s.name)).toEqual(['Call', 'Offer', 'Won', 'Lost']);
      const offer = one.body.stages[1];
      expect(offer).toMatchObject({ entered: 3, completed: 1, now: 2 });
      expect(offer.results).toEqual([
        { result: 'Signed', to: 'won', count: 1, share: 1 },
        { result: 'Rethink', to: 'call', count: 0, share: 0 },
      ]);
      const two = await analytics('?version=2');
      expectStatus(two, 200);
      expect(two.body).toMatchObject({ launched: 2, completed: 1, cancelled: 0 });
      expect(two.body.leadTimeMedianMs).toBe(leadTimes.get(p6));
      const call = two.body.stages[0];
      expect(call).toMatchObject({ entered: 2, completed: 1, now: 1 });
      expect(call.medianMs).toBe(timed([p6], 'call')[0]);
      expect(call.medianMs).toBeGreaterThanOrEqual(HOUR / 2);
      expect(call.medianMs).toBeLessThan(HOUR / 2 + 60_000);
      expectError(await analytics('?version=3'), 404, 'not_found');
    });

    it('downloads the same figures as CSV, one row per stage and result', async () => {
      const json = (await analytics('?version=2')).body;
      const res = await fetch(`${t.url}/api/definitions/${definitionId}/analytics?version=2&format=csv`, {
        headers: { authorization: `Bearer ${t.admin.token}` },
      });
      expect(res.status).toBe(200);
      // The bytes as sent: fetch's text() would drop the byte-order mark.
      const body = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="analytics-${definitionId}.csv"`,
      );
      const [call, offer, won, lost, audit] = json.stages;
      const m = (s: any) =>
        `${s.medianMs ?? ''},${s.p90Ms ?? ''},${s.workingMedianMs ?? ''},${s.workingP90Ms ?? ''}`;
      expect(body).toBe(
        '\uFEFFstage_key,stage_name,entered,completed,now,median_ms,p90_ms,working_median_ms,working_p90_ms,' +
          'result,to,count,share\r\n' +
          `call,Звонок,2,1,1,${m(call)},Agreed,offer,1,1\r\n` +
          `call,Звонок,2,1,1,${m(call)},Refused,lost,0,0\r\n` +
          `offer,"Предложение, ""итог""",1,1,0,${m(offer)},Signed,won,0,0\r\n` +
          `offer,"Предложение, ""итог""",1,1,0,${m(offer)},Check,audit,1,1\r\n` +
          `won,'=Won,0,0,0,,,,,,,,\r\n` +
          `lost,Lost,0,0,0,,,,,,,,\r\n` +
          `audit,Audit,1,1,0,,,,,,,,\r\n`,
      );
      expect([won.entered, lost.entered, audit.entered]).toEqual([0, 0, 1]);
    });

    it('counts for a manager only the processes he may see', async () => {
      const mine = await analytics('', manager);
      expectStatus(mine, 200);
      expect(mine.body).toMatchObject({ launched: 1, completed: 0, cancelled: 0, leadTimeMedianMs: null });
      const call = mine.body.stages[0];
      expect(call).toMatchObject({ key: 'call', entered: 1, completed: 0, now: 1, medianMs: null });
      expect(mine.body.stages.slice(1).every((s: any) => s.entered === 0)).toBe(true);
      const none = await analytics('', outsider);
      expectStatus(none, 200);
      expect(none.body).toMatchObject({ launched: 0, completed: 0, cancelled: 0 });
      expect(
        none.body.stages.every((s: any) => s.entered === 0 && s.results.every((r: any) => r.count === 0)),
      ).toBe(true);
    });

    it('answers 404 for an unknown definition and 400 for bad parameters', async () => {
      expectError(await t.admin.get('/api/definitions/no-such-definition/analytics'), 404, 'not_found');
      for (const query of [
        '?unknown=1',
        '?version=0',
        '?version=two',
        '?from=yesterday',
        '?to=2026-13-01T00:00:00Z',
        '?format=xml',
        '?from=2027-01-02T00:00:00Z&to=2027-01-01T00:00:00Z',
      ]) {
        expectError(await analytics(query), 400, 'validation_failed');
      }
      const res = await client(t.url, '').get(`/api/definitions/${definitionId}/analytics`);
      expectError(res, 401, 'unauthorized');
    });
  });
}
