/** The CRM records a process can link to: where to search them and where to open them. */
import { api, query } from '../api/client.ts';
import type { DocumentRecord, LinkType, Page, Project } from '../api/types.ts';
import { formatNumber } from '../i18n/format.ts';
import type { SearchOption } from './SearchSelect.tsx';

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

/** Searches records of one type by text, as choices of a SearchSelect. */
export async function searchRecords(type: LinkType, text: string): Promise<SearchOption[]> {
  const path = `/api/${COLLECTION[type]}${query({ q: text, limit: 20 })}`;
  if (type === 'project') {
    const page = await api.get<Page<Project>>(path);
    return page.items.map((p) => ({ id: p.id, label: p.name }));
  }
  const page = await api.get<Page<DocumentRecord>>(path);
  return page.items.map((d) => ({
    id: d.id,
    label: d.number,
    hint: d.amount === null ? undefined : formatNumber(d.amount),
  }));
}

/** Fetches one record's label (number or name), for links that arrive as bare ids. */
export async function recordLabel(type: LinkType, id: string): Promise<string> {
  const record = await api.get<Partial<DocumentRecord & Project>>(
    `/api/${COLLECTION[type]}/${encodeURIComponent(id)}`,
  );
  return record.number ?? record.name ?? id;
}
