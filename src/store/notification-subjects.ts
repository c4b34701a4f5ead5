/**
 * What a notification is about, by name: the process's client (or, without one, its first linked
 * record) and its launcher. Read inside the writing transaction, so a just-launched process counts.
 */
import type { Db } from './store.ts';

export interface NotificationSubject {
  /** The client's name, or null when the process has none. */
  readonly counterpartyName: string | null;
  /** The first linked record when there is no client: its type and its number or name. */
  readonly record: { readonly type: string; readonly label: string } | null;
  readonly initiatorName: string | null;
}

const DOCUMENT_TABLES = {
  order: 'orders',
  invoice: 'invoices',
  contract: 'contracts',
  waybill: 'waybills',
} as const;

export async function notificationSubject(
  db: Db,
  process: { readonly id: string; readonly counterparty_id: string | null; readonly initiator_id: string },
): Promise<NotificationSubject> {
  // One round trip in the usual case: the launcher's and the client's names together.
  const names = await db
    .selectFrom('employees as e')
    .select('e.name as initiator')
    .select((eb) =>
      eb
        .selectFrom('counterparties as c')
        .select('c.name')
        .where('c.id', '=', process.counterparty_id ?? '')
        .as('counterparty'),
    )
    .where('e.id', '=', process.initiator_id)
    .executeTakeFirst();
  const counterpartyName = process.counterparty_id ? (names?.counterparty ?? null) : null;
  let record: NotificationSubject['record'] = null;
  if (counterpartyName === null) {
    const link = await db
      .selectFrom('process_links')
      .select(['type', 'linked_id'])
      .where('process_id', '=', process.id)
      .orderBy('type')
      .orderBy('linked_id')
      .executeTakeFirst();
    if (link) {
      if (link.type === 'project') {
        const p = await db
          .selectFrom('projects')
          .select('name')
          .where('id', '=', link.linked_id)
          .executeTakeFirst();
        if (p) record = { type: link.type, label: p.name };
      } else {
        const d = await db
          .selectFrom(DOCUMENT_TABLES[link.type])
          .select('number')
          .where('id', '=', link.linked_id)
          .executeTakeFirst();
        if (d) record = { type: link.type, label: d.number };
      }
    }
  }
  return { counterpartyName, record, initiatorName: names?.initiator ?? null };
}

/** An employee's name, or null. */
export async function employeeName(db: Db, id: string | null): Promise<string | null> {
  if (!id) return null;
  const row = await db.selectFrom('employees').select('name').where('id', '=', id).executeTakeFirst();
  return row?.name ?? null;
}

/** A definition's name, or null. */
export async function definitionName(db: Db, id: string): Promise<string | null> {
  const row = await db.selectFrom('definitions').select('name').where('id', '=', id).executeTakeFirst();
  return row?.name ?? null;
}
