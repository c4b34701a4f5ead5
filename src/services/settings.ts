/** Application settings and the database's health, for the system routes. */
import type { EngineContext } from '../context.ts';
import { pingDatabase, saveSetting } from '../store/settings.ts';

/** Reads one row; throws when the database does not answer. */
export async function checkDatabase(ctx: EngineContext): Promise<void> {
  await pingDatabase(ctx.store.db);
}

/** Keeps the test clock's offset, so a restarted server goes on at the same business time. */
export async function saveTestClockOffset(ctx: EngineContext, offset: number): Promise<void> {
  await ctx.store.transaction((tx) => saveSetting(tx, 'test_clock_offset', String(offset)));
}
