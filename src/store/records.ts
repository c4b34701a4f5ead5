/** The CRM records: counterparties, projects and the four document tables (orders, invoices, …). */
import type { RecordKind } from '../domain/records.ts';
import type { Db } from './store.ts';
import { containsText } from './text-search.ts';

/** A record row as stored: its columns depend on the kind. */
export type RecordRow = Record<string, unknown> & { id: string; created_at: number; updated_at: number };

// The six tables share their shape per kind; Kysely cannot type a table chosen at run time.
// biome-ignore lint/suspicious/noExplicitAny: see above
const table = (db: Db) => db as any;

export async function insertRecord(db: Db, kind: RecordKind, row: RecordRow): Promise<void> {
  await table(db).insertInto(kind).values(row).execute();
}

export async function findRecord(db: Db, kind: RecordKind, id: string): Promise<RecordRow | undefined> {
  return (await table(db).selectFrom(kind).selectAll().where('id', '=', id).executeTakeFirst()) as
    | RecordRow
    | undefined;
}

export async function updateRecordRow(db: Db, kind: RecordKind, id: string, patch: Record<string, unknown>) {
  await table(db).updateTable(kind).set(patch).where('id', '=', id).execute();
}

export interface RecordFilter {
  readonly after?: string | undefined;
  readonly ids?: readonly string[] | undefined;
  readonly counterpartyId?: string | undefined;
  readonly group?: string | undefined;
  /** Text found in any of `textColumns`. */
  readonly text?: string | undefined;
  readonly textColumns: readonly string[];
}

/** One page of records of a kind, by id; `limit + 1` rows tell whether more follow. */
export async function listRecordRows(db: Db, kind: RecordKind, filter: RecordFilter, limit: number) {
  let q = table(db).selectFrom(kind).selectAll();
  if (filter.after) q = q.where('id', '>', filter.after);
  if (filter.ids) q = q.where('id', 'in', filter.ids.length > 0 ? [...filter.ids] : ['']);
  if (filter.counterpartyId && kind !== 'counterparties')
    q = q.where('counterparty_id', '=', filter.counterpartyId);
  if (filter.group && kind === 'counterparties') q = q.where('grp', '=', filter.group);
  if (filter.text !== undefined) {
    const text = filter.text;
    // biome-ignore lint/suspicious/noExplicitAny: dynamic table, see `table`
    q = q.where((eb: any) => eb.or(filter.textColumns.map((c) => containsText(c, text))));
  }
  return (await q.orderBy('id').limit(limit).execute()) as RecordRow[];
}

/** The names of the employees or counterparties with these ids. */
export async function namesByIds(db: Db, table: 'employees' | 'counterparties', ids: readonly string[]) {
  return db
    .selectFrom(table)
    .select(['id', 'name'])
    .where('id', 'in', [...ids])
    .execute();
}
