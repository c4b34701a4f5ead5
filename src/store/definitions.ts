/** Process definitions and their published versions. */
import type { Insertable, Selectable } from 'kysely';
import type { DefinitionTable, DefinitionVersionTable } from './schema.ts';
import type { Db } from './store.ts';
import { containsText } from './text-search.ts';

export type DefinitionRow = Selectable<DefinitionTable>;
export type DefinitionVersionRow = Selectable<DefinitionVersionTable>;

/** The published body of each named definition (null for a draft), for one `in (…)` list. */
export async function publishedBodies(db: Db, ids: readonly string[]) {
  return db
    .selectFrom('definitions as d')
    .leftJoin('definition_versions as v', (j) =>
      j.onRef('v.definition_id', '=', 'd.id').onRef('v.version', '=', 'd.version'),
    )
    .select(['d.id', 'd.version', 'v.body'])
    .where('d.id', 'in', [...ids])
    .execute();
}

/** The published versions of a definition, newest first. */
export async function listVersions(db: Db, definitionId: string) {
  return db
    .selectFrom('definition_versions')
    .select(['version', 'published_at'])
    .where('definition_id', '=', definitionId)
    .orderBy('version', 'desc')
    .execute();
}

export async function findDefinition(db: Db, id: string): Promise<DefinitionRow | undefined> {
  return db.selectFrom('definitions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The latest published version number of a definition (0: never published). */
export async function currentVersion(db: Db, id: string): Promise<{ version: number } | undefined> {
  return db.selectFrom('definitions').select(['version']).where('id', '=', id).executeTakeFirst();
}

export async function insertDefinition(db: Db, row: Insertable<DefinitionTable>): Promise<void> {
  await db.insertInto('definitions').values(row).execute();
}

export async function updateDefinitionRow(db: Db, id: string, patch: Partial<Omit<DefinitionTable, 'id'>>) {
  await db.updateTable('definitions').set(patch).where('id', '=', id).execute();
}

/** One published version of a definition, to select from. */
function versionOf(db: Db, definitionId: string, version: number) {
  return db
    .selectFrom('definition_versions')
    .where('definition_id', '=', definitionId)
    .where('version', '=', version);
}

export async function findVersion(db: Db, definitionId: string, version: number) {
  return versionOf(db, definitionId, version).selectAll().executeTakeFirst();
}

/** The name and body of one published version, to tell whether the draft differs from it. */
export async function findVersionBody(db: Db, definitionId: string, version: number) {
  return versionOf(db, definitionId, version).select(['body', 'name']).executeTakeFirst();
}

export async function insertVersion(db: Db, row: Insertable<DefinitionVersionTable>): Promise<void> {
  await db.insertInto('definition_versions').values(row).execute();
}

/** One page of definitions by id, filtered by status and name; `limit + 1` rows tell whether more follow. */
export async function listDefinitionRows(
  db: Db,
  options: { status?: 'draft' | 'published' | undefined; after?: string | undefined; q?: string | undefined },
  limit: number,
): Promise<DefinitionRow[]> {
  let q = db.selectFrom('definitions').selectAll();
  if (options.status) q = q.where('status', '=', options.status);
  if (options.after) q = q.where('id', '>', options.after);
  if (options.q) q = q.where(containsText('name', options.q));
  return q.orderBy('id').limit(limit).execute();
}

/** Whether any definition exists. */
export async function anyDefinition(db: Db): Promise<boolean> {
  return (await db.selectFrom('definitions').select('id').limit(1).executeTakeFirst()) !== undefined;
}
