import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/store/sqlite.ts';
import { migrate, type Store } from '../../src/store/store.ts';

const VALUE = 'x'.repeat(6000);
const TRANSACTIONS = 3000;

describe('sqlite: checkpoints off the serving connection', () => {
  let dir: string;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes TRANSACTIONS transactions of about two pages each, letting the event loop turn now and then. */
  async function write(s: Store, walFile: string): Promise<number> {
    let largest = 0;
    for (let i = 0; i < TRANSACTIONS; i++) {
      await s.transaction((tx) =>
        tx
          .insertInto('settings')
          .values({ key: `k${i}`, value: VALUE })
          .execute(),
      );
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (existsSync(walFile)) largest = Math.max(largest, statSync(walFile).size);
    }
    return largest;
  }

  it('keeps the WAL bounded while writing without pause, and closes cleanly', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stageflow-wal-'));
    const file = path.join(dir, 'wal.db');
    const walFile = `${file}-wal`;
    store = openSqlite(file, {
      kickEveryCommits: 8,
      checkpointEveryMs: 50,
      restartAtBytes: 1024 * 1024,
      walSizeLimitBytes: 512 * 1024,
    });
    await migrate(store);
    const largest = await write(store, walFile);
    // About 10,000 pages (40 MiB) went through the WAL; it stays a few restart thresholds large.
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(10 * 1024 * 1024);
    await store.close();
    store = undefined;
    // The last connection closed: SQLite copied the rest and removed the WAL.
    expect(existsSync(walFile)).toBe(false);
    const again = openSqlite(file);
    try {
      const rows = await again.db.selectFrom('settings').select('key').where('key', 'like', 'k%').execute();
      expect(rows).toHaveLength(TRANSACTIONS);
    } finally {
      await again.close();
    }
  });

  it('copies writes made outside transactions into the database within a period', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stageflow-wal-'));
    const file = path.join(dir, 'wal.db');
    store = openSqlite(file, {
      kickEveryCommits: 1000,
      checkpointEveryMs: 50,
      restartAtBytes: 64 * 1024 * 1024,
      walSizeLimitBytes: 64 * 1024 * 1024,
    });
    await migrate(store);
    // Wait for the schema itself to reach the database file.
    const copied = async (atLeast: number) => {
      for (let i = 0; i < 100; i++) {
        if (statSync(file).size >= atLeast) return statSync(file).size;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return statSync(file).size;
    };
    const before = await copied(1);
    for (let i = 0; i < 200; i++) {
      await store.db
        .insertInto('settings')
        .values({ key: `plain${i}`, value: VALUE })
        .execute();
    }
    // About 1.2 MB went to the WAL, no transaction committed through the store.
    expect(await copied(before + 1024 * 1024)).toBeGreaterThanOrEqual(before + 1024 * 1024);
  });

  it('reports a committed transaction as committed when the checkpoint step after it fails', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stageflow-wal-'));
    const file = path.join(dir, 'wal.db');
    let failing = false;
    store = openSqlite(file, {
      get kickEveryCommits(): number {
        if (failing) throw new Error('disk I/O error');
        return 1000;
      },
      checkpointEveryMs: 60_000,
      restartAtBytes: 64 * 1024 * 1024,
      walSizeLimitBytes: 64 * 1024 * 1024,
    });
    await migrate(store);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      failing = true;
      await expect(
        store.transaction((tx) => tx.insertInto('settings').values({ key: 'kept', value: '1' }).execute()),
      ).resolves.toBeDefined();
      failing = false;
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(await store.db.selectFrom('settings').select('value').where('key', '=', 'kept').execute()).toEqual(
      [{ value: '1' }],
    );
    expect(warnings.map((w) => w.message).join('\n')).toContain('disk I/O error');
  });
});
