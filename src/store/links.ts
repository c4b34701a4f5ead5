/** Links from a process to the CRM records it concerns (invoices, orders, contracts, projects, waybills). */
import type { WhereInterface } from 'kysely';
import { type LinkType, linkTable } from './references.ts';
import type { Database } from './schema.ts';
import type { Db } from './store.ts';

/** The where clause naming one link of a process. */
function theLink<Q extends WhereInterface<Database, 'process_links'>>(
  q: Q,
  processId: string,
  type: LinkType,
  linkedId: string,
): Q {
  return q
    .where('process_id', '=', processId)
    .where('type', '=', type)
    .where('linked_id', '=', linkedId) as Q;
}

/** Whether the process is linked to this record already. */
export async function findLink(db: Db, processId: string, type: LinkType, linkedId: string) {
  return theLink(
    db.selectFrom('process_links').select('linked_id'),
    processId,
    type,
    linkedId,
  ).executeTakeFirst();
}

export async function insertLink(db: Db, processId: string, type: LinkType, linkedId: string): Promise<void> {
  await db.insertInto('process_links').values({ process_id: processId, type, linked_id: linkedId }).execute();
}

/** Removes a link; false when there was none. */
export async function deleteLink(db: Db, processId: string, type: LinkType, linkedId: string) {
  const removed = await theLink(db.deleteFrom('process_links'), processId, type, linkedId).executeTakeFirst();
  return Number(removed.numDeletedRows) !== 0;
}

/** Links a new process to records; a link that exists already is left as it is. */
export async function insertLinks(
  db: Db,
  processId: string,
  links: readonly { readonly type: LinkType; readonly id: string }[],
): Promise<void> {
  await db
    .insertInto('process_links')
    .values(links.map((l) => ({ process_id: processId, type: l.type, linked_id: l.id })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** The links of a process; `sorted` orders them by type and id. */
export async function linksOf(db: Db, processId: string, sorted = false) {
  const q = db.selectFrom('process_links').select(['type', 'linked_id']).where('process_id', '=', processId);
  return (sorted ? q.orderBy('type').orderBy('linked_id') : q).execute();
}

/** The number (documents) or name (projects) of each linked record of one type. */
export async function linkLabels(db: Db, type: LinkType, ids: readonly string[]) {
  const table = linkTable(type);
  return table === 'projects'
    ? await db
        .selectFrom('projects')
        .select(['id', 'name as label'])
        .where('id', 'in', [...ids])
        .execute()
    : await db
        .selectFrom(table)
        .select(['id', 'number as label'])
        .where('id', 'in', [...ids])
        .execute();
}
