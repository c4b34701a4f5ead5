/** The `settings` table: small named values the application keeps between starts. */
import type { Db } from './store.ts';

export async function getSetting(db: Db, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Adds a setting that must not exist yet. */
export async function insertSetting(db: Db, key: string, value: string): Promise<void> {
  await db.insertInto('settings').values({ key, value }).execute();
}

/** Sets a setting, replacing its value when it exists. */
export async function saveSetting(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** Reads one row: whether the database answers. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.selectFrom('settings').select('key').limit(1).execute();
}
