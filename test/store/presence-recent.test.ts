/**
 * Routing and the card go by what a node last read of the other nodes' presence for a short while;
 * another node's change reaches them at once through the store's channel. Shared presence exists
 * only on PostgreSQL (SQLite is single-node).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PresenceRegistry } from '../../src/services/presence-registry.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const LONG = 60_000;

async function until(probe: () => Promise<boolean>, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return probe();
}

describe.runIf(STORES.includes('postgres'))('postgres: presence of other nodes, as routing reads it', () => {
  let db: TestDatabase;
  let storeA: Store;
  let storeB: Store;
  let a: PresenceRegistry;
  let b: PresenceRegistry;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    storeA = await openStore({ databaseUrl: db.databaseUrl });
    storeB = await openStore({ databaseUrl: db.databaseUrl });
    a = new PresenceRegistry(storeA);
    b = new PresenceRegistry(storeB);
    await a.start();
    await b.start();
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await storeA?.close();
    await storeB?.close();
    await db?.drop();
  });

  const onB = async (id: string, recentMs?: number) =>
    (await b.onlineAmong(storeB.db, [id], recentMs === undefined ? undefined : { recentMs })).has(id);

  it('keeps what it read for the time allowed, and asks again when none is allowed', async () => {
    const anna = randomUUID();
    expect(await onB(anna, LONG)).toBe(false);
    // A row written without a word on the channel (as a node that is not announcing would).
    await storeA.db
      .insertInto('presence')
      .values({ node_id: randomUUID(), employee_id: anna, connections: 1, heartbeat_at: Date.now() })
      .execute();
    expect(await onB(anna, LONG)).toBe(false);
    expect(await onB(anna)).toBe(true);
    expect(await onB(anna, 0)).toBe(true);
    expect(await onB(anna, LONG)).toBe(true);
  });

  it('drops what it read when another node says someone came online or went offline', async () => {
    const boris = randomUUID();
    expect(await onB(boris, LONG)).toBe(false);
    a.connect(boris);
    await a.flushed();
    expect(await until(() => onB(boris, LONG))).toBe(true);
    a.disconnect(boris);
    await a.flushed();
    expect(await until(async () => !(await onB(boris, LONG)))).toBe(true);
  });
});
