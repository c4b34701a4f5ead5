/** The process journal: every filter, the sort orders, keyset paging and the per-status counts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainBody } from '../fixtures/definitions.ts';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

type Employee = Client & { id: string };

/** Reads every page of a journal query; fails on a page that repeats a row. */
async function allPages(c: Client, query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = query === '' ? '' : '&';
    const res: any = await c.get(
      `/api/processes?${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expectStatus(res, 200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.items.map((p: any) => p.id));
    cursor = res.body.nextCursor;
    pages++;
    expect(pages).toBeLessThan(100);
  } while (cursor !== null);
  expect(new Set(ids).size, 'no row twice').toBe(ids.length);
  return { ids, pages };
}

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

for (const store of STORES) {
  describe(`${store}: the process journal`, () => {
    let t: TestServer;
    let anna: Employee;
    let boris: Employee;
    const def = { alpha: '', beta: '', gamma: '' };
    const cp = { romashka: '', vasilek: '', cyrillic: '' };
    /** The processes by name, p1 … p8 in launch order, and `child` spawned by p5. */
    const p: Record<string, any> = {};

    async function ids(c: Client, query: string): Promise<string[]> {
      const res = await c.get(`/api/processes?${query}${query ? '&' : ''}limit=500`);
      expectStatus(res, 200);
      expect(res.body.nextCursor).toBeNull();
      return res.body.items.map((i: any) => i.id).sort();
    }
    const sorted = (...names: string[]) => names.map((n) => p[n].id).sort();
    const tick = () => t.admin.post('/api/test/clock', { advance: 'PT1M' });

    beforeAll(async () => {
      t = await startTestServer(store);
      anna = await t.employee('anna', 'manager', 'Anna');
      boris = await t.employee('boris', 'manager', 'Boris');
      cp.romashka = (await t.admin.post('/api/counterparties', { name: 'Romashka LLC' })).body.id;
      cp.vasilek = (await t.admin.post('/api/counterparties', { name: 'Vasilek Ltd' })).body.id;
      cp.cyrillic = (await t.admin.post('/api/counterparties', { name: 'ООО Ромашка' })).body.id;
      def.alpha = await publishDefinition(t.admin, 'Alpha intake', {
        stages: [
          {
            key: 'intake',
            name: 'Intake',
            kind: 'start',
            task: { title: 'Check the request', assignee: 'responsible', dueIn: 'PT1H' },
          },
          { key: 'work', name: 'Work', kind: 'normal', responsibles: [boris.id] },
          { key: 'done', name: 'Done', kind: 'end' },
        ],
        transitions: [
          { from: 'intake', to: 'work', result: 'Accept' },
          { from: 'work', to: 'done', result: 'Finish' },
        ],
      });
      def.beta = await publishDefinition(t.admin, 'Beta chain', chainBody(3));
      def.gamma = await publishDefinition(t.admin, 'Gamma parent', {
        stages: [
          { key: 'g0', name: 'G0', kind: 'start', spawn: [def.beta] },
          { key: 'g1', name: 'G1', kind: 'end' },
        ],
        transitions: [{ from: 'g0', to: 'g1', result: 'Done' }],
      });
      const launch = async (name: string, who: Client, body: object) => {
        const res = await who.post('/api/processes', body);
        expectStatus(res, 201);
        p[name] = res.body;
        await tick();
      };
      await launch('p1', anna, {
        definitionId: def.alpha,
        counterpartyId: cp.romashka,
        note: 'Urgent: 50% off',
      });
      await launch('p2', anna, { definitionId: def.beta, counterpartyId: cp.vasilek, note: 'plain' });
      await launch('p3', boris, { definitionId: def.beta, note: 'boris own' });
      await launch('p4', t.admin, {
        definitionId: def.alpha,
        counterpartyId: cp.vasilek,
        note: 'admin alpha',
      });
      const task = (await t.admin.get(`/api/tasks?processId=${p.p4.id}`)).body.items[0];
      expectStatus(await t.admin.post(`/api/tasks/${task.id}/complete`), 200);
      expectStatus(await t.admin.post(`/api/processes/${p.p4.id}/stage`, { state: 'done' }), 200);
      await launch('p5', t.admin, { definitionId: def.gamma, counterpartyId: cp.cyrillic });
      const children = (await t.admin.get(`/api/processes/${p.p5.id}`)).body.children;
      expect(children).toHaveLength(1);
      p.child = (await t.admin.get(`/api/processes/${children[0].id}`)).body;
      await launch('p6', anna, { definitionId: def.beta, counterpartyId: cp.romashka, note: 'finished' });
      await anna.post(`/api/processes/${p.p6.id}/stage`, { state: 'done' });
      expect((await anna.post(`/api/processes/${p.p6.id}/stage`, { state: 'done' })).body.status).toBe(
        'completed',
      );
      await launch('p7', anna, { definitionId: def.beta, note: 'to cancel' });
      expect((await t.admin.post(`/api/processes/${p.p7.id}/cancel`)).body.status).toBe('cancelled');
      await launch('p8', boris, { definitionId: def.beta, note: 'resting' });
      expect((await boris.post(`/api/processes/${p.p8.id}/pause`, { for: 'P10D' })).body.status).toBe(
        'paused',
      );
      // The task of p1 (due an hour after launch) is now past due.
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT2H' }), 200);
      // The last change of all: p2 leads the default sort.
      expectStatus(await anna.patch(`/api/processes/${p.p2.id}`, { note: 'plain, edited' }), 200);
    });
    afterAll(async () => t?.close());

    it('shows the administrator every process, as journal rows', async () => {
      expect(await ids(t.admin, '')).toEqual(sorted('p1', 'p2', 'p3', 'p4', 'p5', 'child', 'p6', 'p7', 'p8'));
      const row = (await t.admin.get(`/api/processes?definitionId=${def.alpha}&stageKey=intake`)).body
        .items[0];
      expect(row).toMatchObject({
        id: p.p1.id,
        status: 'active',
        definition: { id: def.alpha, name: 'Alpha intake', version: 1 },
        counterparty: { id: cp.romashka, name: 'Romashka LLC' },
        initiator: { id: anna.id, name: 'Anna' },
        note: 'Urgent: 50% off',
        stage: {
          key: 'intake',
          name: 'Intake',
          kind: 'start',
          state: 'not_started',
          responsible: { id: anna.id },
        },
        parentId: null,
      });
      expect(Date.parse(row.startedAt)).toBe(Date.parse(p.p1.startedAt));
    });

    it('filters by status, one or a comma list', async () => {
      expect(await ids(t.admin, 'status=active')).toEqual(sorted('p1', 'p2', 'p3', 'p4', 'p5', 'child'));
      expect(await ids(t.admin, 'status=paused')).toEqual(sorted('p8'));
      expect(await ids(t.admin, 'status=completed,cancelled')).toEqual(sorted('p6', 'p7'));
      expect(await ids(t.admin, 'status=paused,completed')).toEqual(sorted('p6', 'p8'));
      expectError(await t.admin.get('/api/processes?status=active,sleeping'), 400, 'validation_failed');
    });

    it('filters by definition, stage, responsible, counterparty, initiator and parent', async () => {
      expect(await ids(t.admin, `definitionId=${def.alpha}`)).toEqual(sorted('p1', 'p4'));
      expect(await ids(t.admin, `definitionId=${def.gamma}`)).toEqual(sorted('p5'));
      expect(await ids(t.admin, 'stageKey=work')).toEqual(sorted('p4'));
      expect(await ids(t.admin, 'stageKey=s0')).toEqual(sorted('p2', 'p3', 'child', 'p7', 'p8'));
      expect(await ids(t.admin, `responsibleId=${boris.id}`)).toEqual(sorted('p3', 'p4', 'p8'));
      expect(await ids(t.admin, `counterpartyId=${cp.vasilek}`)).toEqual(sorted('p2', 'p4'));
      expect(await ids(t.admin, `counterpartyId=${cp.cyrillic}`)).toEqual(sorted('p5', 'child'));
      expect(await ids(t.admin, `initiatorId=${anna.id}`)).toEqual(sorted('p1', 'p2', 'p6', 'p7'));
      expect(await ids(t.admin, `parentId=${p.p5.id}`)).toEqual(sorted('child'));
      expect(await ids(t.admin, 'parentId=no-such-process')).toEqual([]);
      // Filters combine.
      expect(await ids(t.admin, `initiatorId=${anna.id}&status=active&definitionId=${def.beta}`)).toEqual(
        sorted('p2'),
      );
    });

    it('filters by launch date range, both ends included', async () => {
      const from = encodeURIComponent(p.p3.startedAt);
      // The child starts in its parent's transaction, perhaps a millisecond later; launches are a minute apart.
      const to = encodeURIComponent(new Date(Date.parse(p.p5.startedAt) + 30_000).toISOString());
      expect(await ids(t.admin, `startedFrom=${from}&startedTo=${to}`)).toEqual(
        sorted('p3', 'p4', 'p5', 'child'),
      );
      expect(await ids(t.admin, `startedFrom=${encodeURIComponent(p.p8.startedAt)}`)).toEqual(sorted('p8'));
      expect(await ids(t.admin, `startedTo=${encodeURIComponent(p.p1.startedAt)}`)).toEqual(sorted('p1'));
      // An offset other than Z means the same instant.
      const at = new Date(Date.parse(p.p2.startedAt));
      const plus3 = new Date(at.getTime() + 3 * 3600_000).toISOString().replace('Z', '+03:00');
      expect(
        await ids(t.admin, `startedFrom=${encodeURIComponent(plus3)}&startedTo=${encodeURIComponent(plus3)}`),
      ).toEqual(sorted('p2'));
      expectError(await t.admin.get('/api/processes?startedFrom=yesterday'), 400, 'validation_failed');
    });

    it('filters "mine": the caller is the current responsible or the initiator', async () => {
      expect(await ids(anna, 'mine=true')).toEqual(sorted('p1', 'p2', 'p6', 'p7'));
      expect(await ids(boris, 'mine=true')).toEqual(sorted('p3', 'p4', 'p8'));
      expect(await ids(t.admin, 'mine=true')).toEqual(sorted('p4', 'p5', 'child'));
      expectError(await anna.get('/api/processes?mine=yes'), 400, 'validation_failed');
    });

    it('filters overdue: an open task of the process is past its due time', async () => {
      expect(await ids(t.admin, 'overdue=true')).toEqual(sorted('p1'));
      expect(await ids(anna, 'overdue=true')).toEqual(sorted('p1'));
      expect(await ids(boris, 'overdue=true')).toEqual([]);
      const tasks = (await anna.get(`/api/tasks?processId=${p.p1.id}`)).body.items;
      expect(tasks[0]).toMatchObject({ status: 'open' });
      expect(Date.parse(tasks[0].dueAt)).toBeLessThan(Date.now() + 3 * 3600_000);
    });

    it('searches the note, the counterparty name and the definition name, ignoring case', async () => {
      expect(await ids(t.admin, 'q=URGENT')).toEqual(sorted('p1'));
      expect(await ids(t.admin, 'q=vasilek')).toEqual(sorted('p2', 'p4'));
      expect(await ids(t.admin, 'q=gamma%20PARENT')).toEqual(sorted('p5'));
      expect(await ids(t.admin, 'q=alpha')).toEqual(sorted('p1', 'p4'));
      expect(await ids(t.admin, 'q=no-such-text')).toEqual([]);
      // LIKE wildcards in the text are plain characters.
      expect(await ids(t.admin, `q=${encodeURIComponent('50%')}`)).toEqual(sorted('p1'));
      expect(await ids(t.admin, `q=${encodeURIComponent('%')}`)).toEqual(sorted('p1'));
      expect(await ids(t.admin, 'q=_')).toEqual([]);
      // Search combines with the other filters and with what the caller may see.
      expect(await ids(t.admin, `q=romashka&status=completed`)).toEqual(sorted('p6'));
      expect(await ids(boris, 'q=urgent')).toEqual([]);
    });

    it('searches non-Latin text ignoring case', async () => {
      expect(await ids(t.admin, `q=${encodeURIComponent('ромашка')}`)).toEqual(sorted('p5', 'child'));
      expect(await ids(t.admin, `q=${encodeURIComponent('РОМАШКА')}`)).toEqual(sorted('p5', 'child'));
    });

    it('sorts by launch and by last change, either way, newest change first by default', async () => {
      const launchOrder = ['p1', 'p2', 'p3', 'p4', 'p5', 'child', 'p6', 'p7', 'p8'].map((n) => p[n].id);
      const list = async (sort: string) =>
        (await t.admin.get(`/api/processes?limit=500${sort ? `&sort=${sort}` : ''}`)).body.items;
      const byStart = await list('startedAt');
      expect(byStart.map((r: any) => r.id)).toEqual(launchOrder);
      expect((await list('-startedAt')).map((r: any) => r.id)).toEqual([...launchOrder].reverse());

      const byUpdate = await list('updatedAt');
      const times = byUpdate.map((r: any) => Date.parse(r.updatedAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(byUpdate.at(-1).id).toBe(p.p2.id);
      const newest = await list('-updatedAt');
      expect(newest.map((r: any) => r.id)).toEqual(byUpdate.map((r: any) => r.id).reverse());
      expect(newest[0].id).toBe(p.p2.id);
      expect((await list('')).map((r: any) => r.id)).toEqual(newest.map((r: any) => r.id));
      expectError(await t.admin.get('/api/processes?sort=name'), 400, 'validation_failed');
    });

    it('pages through every row with no duplicates and no gaps', async () => {
      for (const sort of ['startedAt', '-startedAt', 'updatedAt', '-updatedAt']) {
        const whole = (await t.admin.get(`/api/processes?sort=${sort}&limit=500`)).body.items.map(
          (r: any) => r.id,
        );
        expect(whole).toHaveLength(9);
        const paged = await allPages(t.admin, `sort=${sort}`, 2);
        expect(paged.ids, sort).toEqual(whole);
        expect(paged.pages).toBe(5);
      }
      // Paging keeps the filter.
      const active = await allPages(t.admin, 'status=active&sort=startedAt', 2);
      expect(active.ids).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'child'].map((n) => p[n].id));
      // A page exactly as long as what is left ends the list.
      const exact = await t.admin.get('/api/processes?status=completed,cancelled&limit=2');
      expect(exact.body.items).toHaveLength(2);
      expect(exact.body.nextCursor).toBeNull();
      // A manager pages through only what they may see.
      expect((await allPages(anna, '', 1)).ids.sort()).toEqual(sorted('p1', 'p2', 'p6', 'p7'));
    });

    it('pages through a search in the order the unsearched list gives its matches, for every viewer', async () => {
      let listed = 0;
      for (const viewer of [t.admin, anna, boris]) {
        for (const sort of ['startedAt', '-startedAt', 'updatedAt', '-updatedAt']) {
          const whole = (await viewer.get(`/api/processes?sort=${sort}&limit=500`)).body.items.map(
            (r: any) => r.id,
          );
          // A definition's name, a note and a definition's name, a client's name, notes.
          for (const text of ['beta', 'alpha', 'ASHK', 'ain']) {
            const q = `q=${encodeURIComponent(text)}`;
            const found = new Set(await ids(viewer, q));
            const paged = await allPages(viewer, `${q}&sort=${sort}`, 2);
            expect(paged.ids, `${text} ${sort}`).toEqual(whole.filter((id: string) => found.has(id)));
            listed += paged.ids.length;
          }
        }
      }
      expect(listed).toBeGreaterThan(40);
    });

    it('refuses a cursor it did not make, and a limit out of range', async () => {
      expectError(await t.admin.get('/api/processes?cursor=garbage'), 400, 'invalid_cursor');
      expectError(
        await t.admin.get(`/api/processes?cursor=${cursorOf({ value: 1 })}`),
        400,
        'invalid_cursor',
      );
      expectError(await t.admin.get(`/api/processes?cursor=${cursorOf([1.5, 'x'])}`), 400, 'invalid_cursor');
      expectError(
        await t.admin.get(`/api/processes?cursor=${cursorOf([1e300, 'x'])}`),
        400,
        'invalid_cursor',
      );
      expectError(await t.admin.get(`/api/processes?cursor=${cursorOf(['1', 'x'])}`), 400, 'invalid_cursor');
      expectError(await t.admin.get('/api/processes?limit=0'), 400, 'validation_failed');
      expectError(await t.admin.get('/api/processes?limit=501'), 400, 'validation_failed');
      expectError(await t.admin.get('/api/processes?limit=-1'), 400, 'validation_failed');
      expectError(await t.admin.get('/api/processes?limit=2.5'), 400, 'validation_failed');
      expectError(await t.admin.get('/api/processes?limit=ten'), 400, 'validation_failed');
      expectStatus(await t.admin.get('/api/processes?limit=500'), 200);
      const defaults = await t.admin.get('/api/processes');
      expectStatus(defaults, 200);
      expect(defaults.body.items).toHaveLength(9);
    });

    it('counts processes per status, within the filter and what the caller may see', async () => {
      const all = await t.admin.get('/api/processes/counts');
      expectStatus(all, 200);
      expect(all.body).toEqual({ active: 6, paused: 1, completed: 1, cancelled: 1 });
      const beta = await t.admin.get(`/api/processes/counts?definitionId=${def.beta}`);
      expect(beta.body).toEqual({ active: 3, paused: 1, completed: 1, cancelled: 1 });
      expect((await anna.get('/api/processes/counts')).body).toEqual({
        active: 2,
        paused: 0,
        completed: 1,
        cancelled: 1,
      });
      expect((await boris.get('/api/processes/counts?overdue=true')).body).toEqual({
        active: 0,
        paused: 0,
        completed: 0,
        cancelled: 0,
      });
      expectError(await t.admin.get('/api/processes/counts?startedFrom=soon'), 400, 'validation_failed');
    });

    it('counts the overdue and "mine" processes as the list shows them, for each caller', async () => {
      const tally = async (c: Client, query: string) => {
        const res = await c.get(`/api/processes?${query}&limit=500`);
        expectStatus(res, 200);
        const counts = { active: 0, paused: 0, completed: 0, cancelled: 0 };
        for (const item of res.body.items as { status: keyof typeof counts }[]) counts[item.status]++;
        return counts;
      };
      const queries = [
        'overdue=true',
        'mine=true',
        'mine=true&overdue=true',
        `overdue=true&definitionId=${def.alpha}`,
      ];
      for (const c of [t.admin, anna, boris]) {
        for (const query of queries) {
          const counts = await c.get(`/api/processes/counts?${query}`);
          expectStatus(counts, 200);
          expect(counts.body, query).toEqual(await tally(c, query));
        }
      }
      expect((await anna.get('/api/processes/counts?overdue=true')).body.active).toBe(1);
      expect((await anna.get('/api/processes/counts?mine=true')).body).toEqual({
        active: 2,
        paused: 0,
        completed: 1,
        cancelled: 1,
      });
    });
  });
}
