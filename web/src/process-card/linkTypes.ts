/** The CRM records a process can link to: where to search them and where to open them. */
import { api } from '../api/client.ts';
import { recordPaths } from '../api/records.ts';
import type { Counterparty, DocumentRecord, LinkType, Page, Project } from '../api/types.ts';
import { formatNumber } from '../i18n/format.ts';
import type { ComboboxOption } from '../ui/Combobox.tsx';

export const LINK_TYPES: readonly LinkType[] = ['invoice', 'order', 'contract', 'project', 'waybill'];

const COLLECTION: Record<LinkType, string> = {
  invoice: 'invoices',
  order: 'orders',
  contract: 'contracts',
  project: 'projects',
  waybill: 'waybills',
};

/** The web app's page of a linked record. */
export function linkHref(type: LinkType, id: string): string {
  const enc = encodeURIComponent(id);
  if (type === 'order') return `/orders/${enc}`;
  if (type === 'project') return `/projects/${enc}`;
  return `/documents/${COLLECTION[type]}/${enc}`;
}

/** The names of the clients behind some records, in one request. */
async function clientNames(ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter((id): id is string => !!id))];
  if (unique.length === 0) return new Map();
  const page = await api.get<Page<Counterparty>>(
    recordPaths.list('counterparties', { ids: unique.join(','), limit: unique.length }),
  );
  return new Map(page.items.map((c) => [c.id, c.name]));
}

/**
 * Searches records of one type by text, as choices of a Combobox, each with its client's name.
 * A process with a client is offered that client's records only.
 */
export async function searchRecords(
  type: LinkType,
  text: string,
  counterpartyId?: string | null,
): Promise<ComboboxOption[]> {
  const path = recordPaths.list(COLLECTION[type], {
    q: text,
    limit: 20,
    counterpartyId: counterpartyId ?? undefined,
  });
  const page = await api.get<Page<DocumentRecord | Project>>(path);
  const clients = await clientNames(page.items.map((r) => r.counterpartyId ?? null));
  return page.items.map((r) => {
    const client = r.counterpartyId ? clients.get(r.counterpartyId) : undefined;
    const amount = 'amount' in r && r.amount !== null ? formatNumber(r.amount) : undefined;
    const hint = [client, amount].filter(Boolean).join(' · ');
    return { id: r.id, label: 'number' in r ? r.number : r.name, hint: hint || undefined };
  });
}

/** Fetches one record's label (number or name), for links that arrive as bare ids. */
export async function recordLabel(type: LinkType, id: string): Promise<string> {
  const record = await api.get<Partial<DocumentRecord & Project>>(recordPaths.one(COLLECTION[type], id));
  return record.number ?? record.name ?? id;
}
