/**
 * Counts of a journal search too short for the text index (one or two characters): unless asked
 * to be exact they compare at most `SHORT_SEARCH_SCAN` rows and then say so (`atLeast`), each
 * count a lower bound of the exact one; with fewer rows to compare they are exact and say nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countByStatus, type JournalFilter, SHORT_SEARCH_SCAN } from '../../src/store/journal.ts';
import type { ProcessTable } from '../../src/store/schema.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import type { Viewer } from '../../src/store/visibility.ts';
import { processRow } from '../support/rows.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const DEF = 'def-short';
/** A definition whose name the search names: its processes are counted from the counters. */
const DEF_ZQ = 'def-short-zq';
const NAMED = 300;
const NOW = 1_000_000;
const STATUSES = ['active', 'paused', 'completed', 'cancelled'] as const;
/** More processes than a bounded count compares. */
const PROCESSES = SHORT_SEARCH_SCAN + 2_000;
const CLIENT = 'client-zq';

interface Made {
  readonly id: string;
  readonly definition: string;
  readonly status: ProcessTable['status'];
  readonly note: string;
  readonly counterparty: string | null;
  readonly members: readonly string[];
}

/**
 * Every third note mentions "zq"; 30 processes belong to a client whose name does; anna sees
 * most, boris 100 (two roles in each). The last `NAMED` run on a definition whose name mentions
 * "zq", which both see; they are written first, so a bounded count compares them too.
 */
function made(i: number): Made {
  if (i >= PROCESSES) {
    return {
      id: `p-${String(i).padStart(6, '0')}`,
      definition: DEF_ZQ,
      status: STATUSES[i % 4]!,
      // Found by their definition's name, half of them by their note too: each counts once.
      note: i % 2 === 0 ? `Order ${i}: ZQ too` : `Order ${i}: plain`,
      counterparty: null,
      members: ['anna', 'boris'],
    };
  }
  return {
    id: `p-${String(i).padStart(6, '0')}`,
    definition: DEF,
    status: STATUSES[i % 4]!,
    note: i % 3 === 0 ? `Order ${i}: contains ZQ here` : `Order ${i}: plain`,
    counterparty: i % 400 === 1 ? CLIENT : null,
    members: [...(i % 12 !== 5 ? ['anna'] : []), ...(i % 120 === 9 ? ['boris'] : [])],
  };
}

const admin: Viewer = { id: 'root', role: 'admin' };
const anna: Viewer = { id: 'anna', role: 'manager' };
const boris: Viewer = { id: 'boris', role: 'manager' };

/** What the rows say: each visible process matching the text, per status. */
function expected(viewer: Viewer, text: string, only: (p: Made) => boolean = () => true) {
  const counts = { active: 0, paused: 0, completed: 0, cancelled: 0 };
  for (let i = 0; i < PROCESSES + NAMED; i++) {
    const p = made(i);
    if (viewer.role !== 'admin' && !p.members.includes(viewer.id)) continue;
    const said =
      p.note.toLowerCase().includes(text) ||
      (p.counterparty === CLIENT && 'zq trading'.includes(text)) ||
      (p.definition === DEF_ZQ && 'zq orders'.includes(text));
    if (said && only(p)) counts[p.status]++;
  }
  return counts;
}

for (const kind of STORES) {
  describe(`${kind}: counts of a one- or two-character search`, () => {
    let db: TestDatabase;
    let store: Store;
    const count = (viewer: Viewer, filter: JournalFilter, exact: boolean) =>
      countByStatus(store.db, store.caps, viewer, filter, NOW, exact);

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: db.databaseUrl, sqliteFile: `${db.dataDir}/t.db` });
      await store.transaction(async (tx) => {
        await tx
          .insertInto('employees')
          .values(
            ['root', 'anna', 'boris'].map((id) => ({
              id,
              login: id,
              name: id,
              role: 'manager',
              password_hash: 'x',
              created_at: 0,
            })) as never,
          )
          .execute();
        await tx
          .insertInto('definitions')
          .values(
            [
              [DEF, 'Delivery'],
              [DEF_ZQ, 'ZQ orders'],
            ].map(([id, name]) => ({
              id,
              name,
              draft: '{}',
              status: 'published',
              created_at: 0,
              updated_at: 0,
            })) as never,
          )
          .execute();
        await tx
          .insertInto('counterparties')
          .values({
            id: CLIENT,
            name: 'ZQ Trading',
            phone: null,
            email: null,
            grp: null,
            created_at: 0,
            updated_at: 0,
          })
          .execute();
        // The named definition's processes first: rows are compared in the order they were written.
        const order = [
          ...Array.from({ length: NAMED }, (_, k) => PROCESSES + k),
          ...Array.from({ length: PROCESSES }, (_, k) => k),
        ];
        for (let from = 0; from < order.length; from += 500) {
          const part = order.slice(from, from + 500).map(made);
          await tx
            .insertInto('processes')
            .values(
              part.map((p, k) =>
                processRow({
                  id: p.id,
                  definition_id: p.definition,
                  status: p.status,
                  note: p.note,
                  counterparty_id: p.counterparty,
                  started_at: order[from + k]!,
                  updated_at: order[from + k]!,
                }),
              ),
            )
            .execute();
          // boris holds two roles in each of his processes: each must count once.
          const members = part.flatMap((p) =>
            p.members.flatMap((e) =>
              (e === 'boris' ? (['view', 'edit'] as const) : (['view'] as const)).map((role) => ({
                process_id: p.id,
                employee_id: e,
                role,
              })),
            ),
          );
          await tx.insertInto('process_members').values(members).execute();
        }
      });
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it('counts every match when asked to be exact', async () => {
      for (const viewer of [admin, anna, boris]) {
        for (const q of ['zq', 'q', 'Zq']) {
          expect(await count(viewer, { q }, true), `${viewer.id} ${q}`).toEqual(
            expected(viewer, q.toLowerCase()),
          );
        }
      }
    });

    it('says its counts are lower bounds when it stopped comparing, and each is one', async () => {
      for (const [viewer, filter] of [
        [admin, {}],
        [anna, {}],
        [anna, { definitionId: DEF }],
        [admin, { definitionId: DEF }],
      ] as const) {
        const exact = expected(viewer, 'zq');
        const bounded = await count(viewer, { q: 'zq', ...filter }, false);
        expect(bounded.atLeast, viewer.id).toBe(true);
        for (const s of STATUSES) expect(bounded[s], `${viewer.id} ${s}`).toBeLessThanOrEqual(exact[s]);
        const sum = STATUSES.reduce((n, s) => n + bounded[s], 0);
        // A third of the rows compared mention the text: the bound says something.
        expect(sum, viewer.id).toBeGreaterThan(SHORT_SEARCH_SCAN / 4);
        expect(sum, viewer.id).toBeLessThan(STATUSES.reduce((n, s) => n + exact[s], 0));
      }
    });

    it('is exact, and says nothing more, when the rows to compare are fewer than the bound', async () => {
      // boris sees 400 processes; the client's 30; a start-time window narrows the rest.
      const his = expected(boris, 'zq');
      expect(his.paused).toBeGreaterThan(50);
      expect(await count(boris, { q: 'zq' }, false)).toEqual(his);
      expect(await count(admin, { q: 'zq', counterpartyId: CLIENT }, false)).toEqual(
        expected(admin, 'zq', (p) => p.counterparty === CLIENT),
      );
      // A search naming a definition: its processes come from the counters, the rest compared.
      expect(await count(admin, { q: 'zq', definitionId: DEF_ZQ }, false)).toEqual(
        expected(admin, 'zq', (p) => p.definition === DEF_ZQ),
      );
      const window = { startedFrom: 1_000, startedTo: 4_999 };
      expect(await count(anna, { q: 'zq', ...window }, false)).toEqual(
        expected(anna, 'zq', (p) => Number(p.id.slice(2)) >= 1_000 && Number(p.id.slice(2)) <= 4_999),
      );
    });

    it('leaves searches the text index answers exact, however many they match', async () => {
      const counts = await count(admin, { q: 'zq h' }, false);
      expect(counts).toEqual(expected(admin, 'zq h'));
      expect(STATUSES.reduce((n, s) => n + counts[s], 0)).toBeGreaterThan(SHORT_SEARCH_SCAN / 4);
    });
  });
}
