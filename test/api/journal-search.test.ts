/**
 * The journal's text search through its index and its per-status counts through their counters:
 * substrings, case in Latin and Cyrillic, the index following every change of the texts it holds,
 * and counts that agree with the rows the journal lists, for an administrator and a manager.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countsQueries,
  prepareSearch,
  SEARCH_CLIENT_LIMIT,
  SEARCH_SORT_LIMIT,
} from '../../src/store/journal.ts';
import { chainBody } from '../fixtures/definitions.ts';
import { expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { processRow } from '../support/rows.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

type Employee = Client & { id: string };
type Counts = { active: number; paused: number; completed: number; cancelled: number };

for (const store of STORES) {
  describe(`${store}: journal text search and counts`, () => {
    let t: TestServer;
    let anna: Employee;
    let boris: Employee;
    let def = '';
    let cp = '';
    const p: Record<string, any> = {};

    async function ids(c: Client, query: string): Promise<string[]> {
      const res = await c.get(`/api/processes?${query}${query ? '&' : ''}limit=500`);
      expectStatus(res, 200);
      expect(res.body.nextCursor).toBeNull();
      return res.body.items.map((i: any) => i.id).sort();
    }
    const search = (c: Client, text: string) => ids(c, `q=${encodeURIComponent(text)}`);
    const sorted = (...names: string[]) => names.map((n) => p[n].id).sort();

    /** The counts the journal answers, checked against the rows it lists for the same filter. */
    async function counts(c: Client, query = ''): Promise<Counts> {
      const res = await c.get(`/api/processes/counts${query ? `?${query}` : ''}`);
      expectStatus(res, 200);
      const listed: Counts = { active: 0, paused: 0, completed: 0, cancelled: 0 };
      const rows = await c.get(`/api/processes?${query}${query ? '&' : ''}limit=500`);
      expectStatus(rows, 200);
      for (const row of rows.body.items) listed[row.status as keyof Counts]++;
      expect(res.body, `counts of "${query}" match the listed rows`).toEqual(listed);
      return res.body;
    }
    /** Counts with no filter agree with the same counts through a filter every process passes. */
    async function allCounts(c: Client): Promise<Counts> {
      const plain = await counts(c);
      expect(await counts(c, 'startedFrom=2000-01-01T00:00:00Z')).toEqual(plain);
      const perDefinition = await counts(c, `definitionId=${def}`);
      expect(await counts(c, `definitionId=${def}&startedFrom=2000-01-01T00:00:00Z`)).toEqual(perDefinition);
      return plain;
    }

    beforeAll(async () => {
      t = await startTestServer(store);
      anna = await t.employee('anna', 'manager', 'Anna');
      boris = await t.employee('boris', 'manager', 'Boris');
      cp = (await t.admin.post('/api/counterparties', { name: 'ООО Берёзка' })).body.id;
      def = await publishDefinition(t.admin, 'Приёмка товара', chainBody(3));
      const launch = async (name: string, who: Client, body: object) => {
        const res = await who.post('/api/processes', { definitionId: def, ...body });
        expectStatus(res, 201);
        p[name] = res.body;
      };
      await launch('latin', anna, { note: 'Deliver the Widgets by Friday' });
      await launch('cyrillic', anna, { note: 'Срочная ОТГРУЗКА со склада' });
      await launch('client', boris, { counterpartyId: cp, note: 'quarterly check' });
      await launch('quotes', boris, { note: 'the "quoted" part; NEAR(a b) OR c* -x' });
      await launch('yo', anna, { note: 'ёлка и ель' });
    });
    afterAll(async () => t?.close());

    it('finds substrings anywhere in a word, case ignored, in Latin and Cyrillic', async () => {
      expect(await search(t.admin, 'widg')).toEqual(sorted('latin'));
      expect(await search(t.admin, 'IDGETS B')).toEqual(sorted('latin'));
      expect(await search(t.admin, 'отгруз')).toEqual(sorted('cyrillic'));
      expect(await search(t.admin, 'СРОЧН')).toEqual(sorted('cyrillic'));
      expect(await search(t.admin, 'рОчНаЯ оТг')).toEqual(sorted('cyrillic'));
      expect(await search(t.admin, 'ЁЛК')).toEqual(sorted('yo'));
      // ё and е stay different letters, as they are in lower case.
      expect(await search(t.admin, 'елк')).toEqual([]);
      expect(await search(t.admin, 'отгрузка на склад')).toEqual([]);
    });

    it('searches the client name and the definition name through the same query', async () => {
      expect(await search(t.admin, 'берёз')).toEqual(sorted('client'));
      expect(await search(t.admin, 'ООО БЕР')).toEqual(sorted('client'));
      expect(await search(t.admin, 'приёмка')).toEqual(sorted('latin', 'cyrillic', 'client', 'quotes', 'yo'));
    });

    it('takes quotes and search operators literally', async () => {
      expect(await search(t.admin, '"quoted"')).toEqual(sorted('quotes'));
      expect(await search(t.admin, 'NEAR(a b)')).toEqual(sorted('quotes'));
      expect(await search(t.admin, 'OR c*')).toEqual(sorted('quotes'));
      expect(await search(t.admin, 'c* -x')).toEqual(sorted('quotes'));
      expect(await search(t.admin, 'quoted OR widgets')).toEqual([]);
      expect(await search(t.admin, '"')).toEqual(sorted('quotes'));
    });

    it('answers one and two characters as substrings too, case ignored', async () => {
      expect(await search(t.admin, 'ЁЛ')).toEqual(sorted('yo'));
      expect(await search(t.admin, 'Ж')).toEqual([]);
      expect(await search(t.admin, 'y')).toEqual(sorted('latin', 'client'));
      expect(await search(t.admin, 'b')).toEqual(sorted('latin', 'quotes'));
      // Their counts compared every row (far fewer than the bound): exact, asked so or not.
      for (const text of ['y', 'ЁЛ']) {
        const said = await counts(t.admin, `q=${encodeURIComponent(text)}`);
        const exact = await t.admin.get(`/api/processes/counts?q=${encodeURIComponent(text)}&exact=true`);
        expectStatus(exact, 200);
        expect(exact.body).toEqual(said);
        expect(said).not.toHaveProperty('atLeast');
      }
      const bad = await t.admin.get('/api/processes/counts?q=y&exact=yes');
      expectStatus(bad, 400);
    });

    it('limits the search to what the viewer may see', async () => {
      expect(await search(anna, 'widg')).toEqual(sorted('latin'));
      expect(await search(boris, 'widg')).toEqual([]);
      expect(await search(boris, 'приёмка')).toEqual(sorted('client', 'quotes'));
      // Counts of a search too short for the text index, as each manager's list shows.
      for (const text of ['y', 'b', 'ЁЛ']) {
        await counts(anna, `q=${encodeURIComponent(text)}`);
        await counts(boris, `q=${encodeURIComponent(text)}`);
      }
      expect((await counts(anna, 'q=y')).active).toBeGreaterThan(0);
    });

    it('follows a changed note, client name and definition name', async () => {
      const edited = await anna.patch(`/api/processes/${p.latin.id}`, { note: 'Gadgets, not widgets' });
      expectStatus(edited, 200);
      expect(await search(t.admin, 'widgets by')).toEqual([]);
      expect(await search(t.admin, 'GADGETS')).toEqual(sorted('latin'));
      expect(await search(t.admin, 'not widg')).toEqual(sorted('latin'));
      expectStatus(await anna.patch(`/api/processes/${p.latin.id}`, { note: '' }), 200);
      expect(await search(t.admin, 'gadget')).toEqual([]);
      expectStatus(await anna.patch(`/api/processes/${p.latin.id}`, { note: 'Widgets again' }), 200);
      expect(await search(t.admin, 'widgets ag')).toEqual(sorted('latin'));

      expectStatus(await t.admin.patch(`/api/counterparties/${cp}`, { name: 'АО Рябина' }), 200);
      expect(await search(t.admin, 'берёз')).toEqual([]);
      expect(await search(t.admin, 'РЯБИН')).toEqual(sorted('client'));

      const renamed = await t.admin.put(`/api/definitions/${def}`, {
        name: 'Входной контроль',
        ...chainBody(3),
      });
      expectStatus(renamed, 200);
      expect(await search(t.admin, 'приёмка')).toEqual([]);
      expect(await search(t.admin, 'ВХОДНОЙ')).toEqual(sorted('latin', 'cyrillic', 'client', 'quotes', 'yo'));
    });

    it('counts per status as the list shows, through every change of status and access', async () => {
      expect(await allCounts(t.admin)).toEqual({ active: 5, paused: 0, completed: 0, cancelled: 0 });
      expect(await allCounts(anna)).toEqual({ active: 3, paused: 0, completed: 0, cancelled: 0 });
      expect(await allCounts(boris)).toEqual({ active: 2, paused: 0, completed: 0, cancelled: 0 });

      expectStatus(await anna.post(`/api/processes/${p.cyrillic.id}/pause`, { for: 'P1D' }), 200);
      expectStatus(await t.admin.post(`/api/processes/${p.yo.id}/cancel`), 200);
      expectStatus(await boris.post(`/api/processes/${p.client.id}/stage`, { state: 'done' }), 200);
      const done = await boris.post(`/api/processes/${p.client.id}/stage`, { state: 'done' });
      expect(done.body.status).toBe('completed');
      expect(await allCounts(t.admin)).toEqual({ active: 2, paused: 1, completed: 1, cancelled: 1 });
      expect(await allCounts(anna)).toEqual({ active: 1, paused: 1, completed: 0, cancelled: 1 });
      expect(await allCounts(boris)).toEqual({ active: 1, paused: 0, completed: 1, cancelled: 0 });

      // Granted access counts once, whatever the level; revoked access stops counting.
      const grant = (level: 'view' | 'edit') =>
        anna.put(`/api/processes/${p.cyrillic.id}/access`, { entries: [{ employeeId: boris.id, level }] });
      expectStatus(await grant('view'), 200);
      expect(await allCounts(boris)).toEqual({ active: 1, paused: 1, completed: 1, cancelled: 0 });
      expectStatus(await grant('edit'), 200);
      expect(await allCounts(boris)).toEqual({ active: 1, paused: 1, completed: 1, cancelled: 0 });
      expectStatus(await anna.post(`/api/processes/${p.cyrillic.id}/resume`), 200);
      expect(await allCounts(boris)).toEqual({ active: 2, paused: 0, completed: 1, cancelled: 0 });
      expectStatus(await anna.put(`/api/processes/${p.cyrillic.id}/access`, { entries: [] }), 200);
      expect(await allCounts(boris)).toEqual({ active: 1, paused: 0, completed: 1, cancelled: 0 });
      expect(await allCounts(anna)).toEqual({ active: 2, paused: 0, completed: 0, cancelled: 1 });

      // Filtered counts (the search among them) agree with their lists too.
      await counts(t.admin, `q=${encodeURIComponent('ОТГРУЗ')}`);
      await counts(boris, `q=${encodeURIComponent('рябин')}`);
      await counts(anna, 'mine=true');
      // A search naming a definition counts its processes and the other matches, once each.
      const other = await publishDefinition(t.admin, 'Other work', chainBody(2));
      const call = await anna.post('/api/processes', { definitionId: other, note: 'входной звонок' });
      expectStatus(call, 201);
      await anna.post('/api/processes', { definitionId: other, note: 'unrelated' });
      const named = `q=${encodeURIComponent('ВХОДНОЙ')}`;
      expect(await counts(t.admin, named)).toEqual({ active: 4, paused: 0, completed: 1, cancelled: 1 });
      expect(await counts(anna, named)).toEqual({ active: 3, paused: 0, completed: 0, cancelled: 1 });
      expect(await counts(boris, named)).toEqual({ active: 1, paused: 0, completed: 1, cancelled: 0 });
      expect(await counts(anna, `${named}&definitionId=${def}`)).toEqual({
        active: 2,
        paused: 0,
        completed: 0,
        cancelled: 1,
      });
      expect(await counts(anna, `${named}&definitionId=${other}`)).toEqual({
        active: 1,
        paused: 0,
        completed: 0,
        cancelled: 0,
      });
    });

    it('finds the processes of clients named by a text more clients hold than a query is given as a list', async () => {
      const { db, caps } = t.server.ctx.store;
      const names = Array.from({ length: SEARCH_CLIENT_LIMIT + 1 }, (_, i) => ({
        id: `zebra-${String(i).padStart(4, '0')}`,
        name: `Zebrafish ${i}`,
        phone: null,
        email: null,
        grp: null,
        created_at: 0,
        updated_at: 0,
      }));
      for (let i = 0; i < names.length; i += 200)
        await db
          .insertInto('counterparties')
          .values(names.slice(i, i + 200))
          .execute();
      const launch = async (who: Client, counterpartyId: string) => {
        const res = await who.post('/api/processes', { definitionId: def, counterpartyId });
        expectStatus(res, 201);
        return res.body.id as string;
      };
      const first = await launch(anna, 'zebra-0007');
      const last = await launch(boris, `zebra-${SEARCH_CLIENT_LIMIT}`);
      if (caps.name === 'postgres') {
        // Too many to bind: the query selects the clients by their names itself.
        expect((await prepareSearch(db, caps, 'ebrafis')).clients).toBeUndefined();
        expect((await prepareSearch(db, caps, 'zebrafish 100')).clients).toHaveLength(2);
      }
      expect(await search(t.admin, 'ebrafis')).toEqual([first, last].sort());
      expect(await search(anna, 'ebrafis')).toEqual([first]);
      expect(await search(boris, 'ZEBRAFISH 1000')).toEqual([last]);
      expect((await counts(t.admin, 'q=ebrafis')).active).toBe(2);
      expect((await counts(boris, 'q=ebrafis')).active).toBe(1);
    });

    it('pages a search with more matches than it collects through the text index like any other', {
      timeout: 60_000,
    }, async () => {
      // More matches than a page sorts (SEARCH_SORT_LIMIT): the newest written last, so a page made
      // of the first matches the index gives would miss them. Anna sees every seventh.
      const { db } = t.server.ctx.store;
      const n = SEARCH_SORT_LIMIT + 60;
      const rows = Array.from({ length: n }, (_, i) =>
        processRow({
          id: `okapi-${String(i).padStart(5, '0')}`,
          definition_id: def,
          note: `Okapi sighting ${i}`,
          initiator_id: boris.id,
          started_at: 1_000_000 + ((i * 7919) % n),
          updated_at: 1_000_000 + i,
        }),
      );
      for (let i = 0; i < n; i += 500)
        await db
          .insertInto('processes')
          .values(rows.slice(i, i + 500))
          .execute();
      const seen = rows.filter((_, i) => i % 7 === 3);
      for (let i = 0; i < seen.length; i += 500)
        await db
          .insertInto('process_members')
          .values(
            seen.slice(i, i + 500).map((r) => ({ process_id: r.id, employee_id: anna.id, role: 'view' })),
          )
          .execute();

      const order = (list: typeof rows, sort: string) => {
        const key = sort.endsWith('startedAt') ? 'started_at' : 'updated_at';
        const sign = sort.startsWith('-') ? -1 : 1;
        return [...list]
          .sort((a, b) => sign * (Number(a[key]) - Number(b[key])) || sign * a.id.localeCompare(b.id))
          .map((r) => r.id);
      };
      for (const [who, visible] of [
        [t.admin, rows],
        [anna, seen],
      ] as const) {
        for (const sort of ['-updatedAt', 'updatedAt', '-startedAt']) {
          const listed: string[] = [];
          let cursor = '';
          for (let page = 0; page < 2; page++) {
            const res = await who.get(`/api/processes?q=OKAPI%20sight&sort=${sort}&limit=40${cursor}`);
            expectStatus(res, 200);
            listed.push(...res.body.items.map((item: any) => item.id));
            cursor = `&cursor=${encodeURIComponent(res.body.nextCursor)}`;
          }
          expect(listed, `${sort}, ${who === anna ? 'a manager' : 'an administrator'}`).toEqual(
            order(visible, sort).slice(0, 80),
          );
        }
      }
      const answered = await anna.get('/api/processes/counts?q=OKAPI%20sight');
      expectStatus(answered, 200);
      expect(answered.body.active).toBe(seen.length);
      // The counts read the text index whatever a page's search decided (its cap does not apply).
      const { caps } = t.server.ctx.store;
      const paged = await prepareSearch(db, caps, 'OKAPI sight');
      let counted = 0;
      for (const query of countsQueries(
        db,
        caps,
        { id: anna.id, role: 'manager' },
        { q: 'OKAPI sight' },
        Date.now(),
        paged,
      ))
        for (const row of (await db.executeQuery(query)).rows) counted += Number(row.n);
      expect(counted).toBe(seen.length);
    });
  });
}
