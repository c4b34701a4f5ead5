/**
 * The journal's status counters under concurrent writers: on PostgreSQL two transactions changing
 * the statuses of one definition's processes never wait on each other (a lock wait would end in the
 * short lock timeout set here), and on both stores the counters equal a count of the rows, before
 * and after their deltas are folded, also with several folds running at once.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactProcessCounts, foldProcessCounts } from '../../src/store/process-counts.ts';
import { type Db, openStore, type Store } from '../../src/store/store.ts';
import { processRow } from '../support/rows.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const DEF = 'def-counted';
const DEF2 = 'def-folded';
const EMPLOYEES = ['anna', 'boris'];

type Tally = Record<string, Record<string, number>>;

/** scope → status → count, from the counters. */
async function counters(db: Db, def = DEF): Promise<Tally> {
  const { rows } = await sql<{ scope: string; status: string; n: number | string }>`
    select scope, status, sum(n) as n from process_counts where definition_id = ${def}
    group by scope, status`.execute(db);
  const out: Tally = {};
  for (const r of rows) {
    if (Number(r.n) === 0) continue;
    out[r.scope] = { ...out[r.scope], [r.status]: Number(r.n) };
  }
  return out;
}

/** scope → status → count, from the processes and their members themselves. */
async function counted(db: Db, def = DEF): Promise<Tally> {
  const all = await sql<{ scope: string; status: string; n: number | string }>`
    select '*' as scope, status, count(*) as n from processes where definition_id = ${def} group by status
    union all
    select m.employee_id, p.status, count(*) from (select distinct process_id, employee_id from process_members) m
    join processes p on p.id = m.process_id where p.definition_id = ${def} group by m.employee_id, p.status`.execute(
    db,
  );
  const out: Tally = {};
  for (const r of all.rows) out[r.scope] = { ...out[r.scope], [r.status]: Number(r.n) };
  return out;
}

let seq = 0;

/** Launches a process of the definition (active), with the given members. */
async function launch(tx: Db, members: readonly string[], def = DEF): Promise<string> {
  const id = `p-${++seq}`;
  await tx
    .insertInto('processes')
    .values(processRow({ id, definition_id: def }))
    .execute();
  for (const employee of members) {
    await tx
      .insertInto('process_members')
      .values({ process_id: id, employee_id: employee, role: 'participant' } as never)
      .execute();
  }
  return id;
}

async function finish(tx: Db, id: string, status = 'completed'): Promise<void> {
  await tx
    .updateTable('processes')
    .set({ status, completed_at: 1 } as never)
    .where('id', '=', id)
    .execute();
}

for (const kind of STORES) {
  describe(`${kind}: journal status counters`, () => {
    let db: TestDatabase;
    let store: Store;
    beforeAll(async () => {
      db = await createTestDatabase(kind);
      store = await openStore({
        databaseUrl: db.databaseUrl,
        sqliteFile: `${db.dataDir}/t.db`,
        limits: {
          lockTimeoutMs: 300,
          statementTimeoutMs: 30_000,
          idleInTransactionTimeoutMs: 60_000,
          acquireTimeoutMs: 10_000,
        },
      });
      await store.transaction(async (tx) => {
        for (const id of EMPLOYEES) {
          await tx
            .insertInto('employees')
            .values({ id, login: id, name: id, role: 'manager', password_hash: 'x', created_at: 0 } as never)
            .execute();
        }
        for (const id of [DEF, DEF2]) {
          await tx
            .insertInto('definitions')
            .values({ id, name: id, draft: '{}', status: 'published', created_at: 0, updated_at: 0 } as never)
            .execute();
        }
      });
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    if (kind === 'postgres') {
      it('lets two transactions change statuses of one definition without waiting on each other', async () => {
        const [done1, done2] = await store.transaction(async (tx) => [
          await launch(tx, ['anna', 'boris']),
          await launch(tx, ['anna', 'boris']),
        ]);
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let firstWrote: () => void = () => undefined;
        const written = new Promise<void>((resolve) => {
          firstWrote = resolve;
        });
        // The first transaction launches and finishes processes, then stays open.
        const first = store.transaction(async (tx) => {
          await launch(tx, ['anna', 'boris']);
          await finish(tx, done1);
          firstWrote();
          await held;
        });
        await written;
        // The second does the same to the same counters and must commit while the first is open.
        let second: unknown;
        try {
          await store.transaction(async (tx) => {
            await launch(tx, ['anna', 'boris']);
            await finish(tx, done2, 'cancelled');
          });
          second = 'committed';
        } catch (error) {
          second = error;
        } finally {
          release();
        }
        await first;
        expect(second).toBe('committed');
        expect(await counters(store.db)).toEqual({
          '*': { active: 2, completed: 1, cancelled: 1 },
          anna: { active: 2, completed: 1, cancelled: 1 },
          boris: { active: 2, completed: 1, cancelled: 1 },
        });
      });
    }

    it('counts exactly before and after the deltas are folded, with folds running side by side', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        const members = i % 3 === 0 ? [] : i % 3 === 1 ? ['anna'] : EMPLOYEES;
        ids.push(await store.transaction((tx) => launch(tx, members, DEF2)));
      }
      for (const [i, id] of ids.entries()) {
        if (i % 2 === 0)
          await store.transaction((tx) => finish(tx, id, i % 4 === 0 ? 'completed' : 'paused'));
      }
      // A member's last role leaving and a process going away count too.
      await store.transaction(async (tx) => {
        await tx
          .deleteFrom('process_members')
          .where('process_id', '=', ids[1] as string)
          .execute();
      });
      expect(await counters(store.db, DEF2)).toEqual(await counted(store.db, DEF2));

      // Folds on several connections at once, while statuses keep changing.
      const changes = (async () => {
        for (const [i, id] of ids.entries()) {
          if (i % 2 === 1) await store.transaction((tx) => finish(tx, id, 'cancelled'));
        }
      })();
      const folds = await Promise.all([
        foldProcessCounts(store, 7),
        foldProcessCounts(store, 7),
        compactProcessCounts(store, 5),
        compactProcessCounts(store, 11),
      ]);
      await changes;
      await compactProcessCounts(store);
      expect(await counters(store.db, DEF2)).toEqual(await counted(store.db, DEF2));
      expect(await counters(store.db, DEF2)).toEqual({
        '*': { completed: 8, paused: 7, cancelled: 15 },
        anna: { completed: 5, paused: 5, cancelled: 9 },
        boris: { completed: 2, paused: 3, cancelled: 5 },
      });
      expect(await counters(store.db)).toEqual(await counted(store.db));
      // One row per key is left: every delta was folded once.
      const { rows } = await sql<{ n: number | string }>`
        select count(*) as n from (select scope, definition_id, status from process_counts
        group by scope, definition_id, status having count(*) > 1) k`.execute(store.db);
      expect(Number(rows[0]?.n)).toBe(0);
      if (kind === 'postgres') {
        expect(folds.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
        const deltas = await sql<{
          n: number | string;
        }>`select count(*) as n from process_counts where not base`.execute(store.db);
        expect(Number(deltas.rows[0]?.n)).toBe(0);
      } else {
        expect(folds).toEqual([0, 0, 0, 0]);
      }
    });
  });
}
