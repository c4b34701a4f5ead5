/** Checks that records a request names exist, answering 422 `reference_not_found` when not. */
import { DomainError } from '../domain/errors.ts';
import type { LinkType } from '../domain/records.ts';
import type { Db } from './store.ts';

export type { LinkType };

const LINK_TABLES = {
  invoice: 'invoices',
  order: 'orders',
  contract: 'contracts',
  project: 'projects',
  waybill: 'waybills',
} as const satisfies Record<LinkType, string>;

export function linkTable(type: LinkType) {
  return LINK_TABLES[type];
}

function missing(field: string, id: string): DomainError {
  return new DomainError('reference_not_found', `No record for ${field} "${id}".`, { field, id });
}

export async function requireEmployee(db: Db, id: string, field: string): Promise<void> {
  const row = await db
    .selectFrom('employees')
    .select('id')
    .where('id', '=', id)
    .where('active', '=', 1)
    .executeTakeFirst();
  if (!row) throw missing(field, id);
}

export async function requireCounterparty(db: Db, id: string, field = 'counterpartyId'): Promise<void> {
  const row = await db.selectFrom('counterparties').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw missing(field, id);
}

export async function requireLinkTarget(db: Db, type: LinkType, id: string): Promise<void> {
  const row = await db.selectFrom(linkTable(type)).select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw missing(`links.${type}`, id);
}
