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
const NOW = 1_000_000;
const STATUSES = ['active', 'paused', 'completed', 'cancelled'] as const;
/** More processes than a bounded count compares. */
const PROCESSES = SHORT_SEARCH_SCAN + 2_000;
const CLIENT = 'client-zq';

interface Made {
  readonly id: string;
  readonly status: ProcessTable['status'];
  readonly note: string;
  readonly counterparty: string | null;
  readonly members: readonly string[];
}

/** Every third note mentions "zq"; 30 processes belong to a client whose name does; anna sees most, boris 100 (two roles in each). */
function made(i: number): Made {
  return {
    id: `p-${String(i).padStart(6, '0')}`,
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
  for (let i = 0; i < PROCESSES; i++) {
    const p = made(i);
    if (viewer.role !== 'admin' && !p.members.includes(viewer.id)) continue;
    const said =
      p.note.toLowerCase().includes(text) || (p.counterparty === CLIENT && 'zq trading'.includes(text));
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
        for (const id of ['root', 'anna', 'boris']) {
          await tx
            .insertInto('employees')
            .values({ id, login: id, name: id, role: 'manager', password_hash: 'x', created_at: 0 } as never)
            .execute();
        }
        await tx
          .insertInto('definitions')
          .values({
            id: DEF,
            name: 'Delivery',
            draft: '{}',
            status: 'published',
            created_at: 0,
            updated_at: 0,
          } as never)
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
        for (let from = 0; from < PROCESSES; from += 500) {
          const part = Array.from({ length: Math.min(500, PROCESSES - from) }, (_, k) => made(from + k));
          await tx
            .insertInto('processes')
            .values(
              part.map((p, k) =>
                processRow({
                  id: p.id,
                  definition_id: DEF,
                  status: p.status,
                  note: p.note,
                  counterparty_id: p.counterparty,
                  started_at: from + k,
                  updated_at: from + k,
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
      // boris sees 100 processes; the client's 30; a status and a start-time window narrow the rest.
      const his = expected(boris, 'zq');
      expect(his.paused).toBeGreaterThan(50);
      expect(await count(boris, { q: 'zq' }, false)).toEqual(his);
      expect(await count(admin, { q: 'zq', counterpartyId: CLIENT }, false)).toEqual(
        expected(admin, 'zq', (p) => p.counterparty === CLIENT),
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
