/** What the CRM screens know about each record kind: paths, fields, form values and request bodies. */
import { RECORD_KINDS, type RecordKind } from '../../../src/domain/records.ts';
import type { LinkType } from '../api/types.ts';

export { RECORD_KINDS, type RecordKind };
export const DOCUMENT_KINDS = ['invoices', 'contracts', 'waybills'] as const satisfies readonly RecordKind[];
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Any CRM record as the API returns it; which fields are present depends on the kind. */
export interface CrmRecord {
  id: string;
  name?: string;
  number?: string;
  phone?: string | null;
  email?: string | null;
  group?: string | null;
  counterpartyId?: string | null;
  amount?: number | null;
  date?: string | null;
  createdAt?: string;
  updatedAt?: string;
}

export type FieldName =
  | 'name'
  | 'phone'
  | 'email'
  | 'group'
  | 'number'
  | 'counterpartyId'
  | 'amount'
  | 'date';
export type FormValues = Record<FieldName, string>;

export function isRecordKind(value: string | undefined): value is RecordKind {
  return (RECORD_KINDS as readonly string[]).includes(value ?? '');
}

export function isDocumentKind(value: string | undefined | null): value is DocumentKind {
  return (DOCUMENT_KINDS as readonly string[]).includes(value ?? '');
}

export function fieldsOf(kind: RecordKind): FieldName[] {
  if (kind === 'counterparties') return ['name', 'phone', 'email', 'group'];
  if (kind === 'projects') return ['name', 'counterpartyId'];
  return ['number', 'counterpartyId', 'amount', 'date'];
}

/** The field that names a record: a client's or project's name, a document's number. */
export function titleField(kind: RecordKind): 'name' | 'number' {
  return kind === 'counterparties' || kind === 'projects' ? 'name' : 'number';
}

export function titleOf(kind: RecordKind, record: CrmRecord): string {
  return (titleField(kind) === 'name' ? record.name : record.number) ?? '';
}

export function listPath(kind: RecordKind, counterpartyId?: string): string {
  const filter = counterpartyId ? `counterpartyId=${encodeURIComponent(counterpartyId)}` : '';
  if (isDocumentKind(kind)) return `/documents?tab=${kind}${filter ? `&${filter}` : ''}`;
  const base = kind === 'counterparties' ? '/clients' : `/${kind}`;
  return filter ? `${base}?${filter}` : base;
}

export function cardPath(kind: RecordKind, id: string): string {
  const safe = encodeURIComponent(id);
  if (isDocumentKind(kind)) return `/documents/${kind}/${safe}`;
  return `${kind === 'counterparties' ? '/clients' : `/${kind}`}/${safe}`;
}

/** The link type a process uses for records of this kind; clients are not links but the counterparty. */
export function linkTypeOf(kind: RecordKind): LinkType | null {
  const map: Record<RecordKind, LinkType | null> = {
    counterparties: null,
    projects: 'project',
    orders: 'order',
    invoices: 'invoice',
    contracts: 'contract',
    waybills: 'waybill',
  };
  return map[kind];
}

export function emptyValues(): FormValues {
  return { name: '', phone: '', email: '', group: '', number: '', counterpartyId: '', amount: '', date: '' };
}

export function toFormValues(record: CrmRecord | undefined, defaults?: Partial<FormValues>): FormValues {
  const values = { ...emptyValues(), ...defaults };
  if (!record) return values;
  for (const field of Object.keys(values) as FieldName[]) {
    const v = record[field];
    if (v !== undefined && v !== null) values[field] = String(v);
  }
  return values;
}

/** Amounts accept a decimal comma and spaces between thousands, as typed in either language. */
export function parseAmount(text: string): number | null | 'invalid' {
  const cleaned = text.replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (cleaned === '') return null;
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return 'invalid';
  return Number(cleaned);
}

export type BodyResult = { body: Record<string, unknown>; invalid: FieldName[] };

/**
 * The request body for a create (empty optional fields left out) or a patch (only changed fields;
 * a cleared field becomes null). Required fields are sent as typed: the API says what is wrong.
 */
export function toBody(kind: RecordKind, values: FormValues, original?: FormValues): BodyResult {
  const body: Record<string, unknown> = {};
  const invalid: FieldName[] = [];
  for (const field of fieldsOf(kind)) {
    const raw = values[field];
    if (original && original[field] === raw) continue;
    const text = field === 'name' || field === 'number' ? raw : raw.trim();
    if (field === 'name' || field === 'number') {
      // Checked here too, so the commonest slip gets its message without a round trip.
      if (text.trim() === '') invalid.push(field);
      body[field] = text;
      continue;
    }
    if (field === 'amount') {
      const amount = parseAmount(text);
      if (amount === 'invalid') invalid.push(field);
      else if (amount !== null || original) body[field] = amount;
      continue;
    }
    if (text === '') {
      if (original) body[field] = null;
      continue;
    }
    body[field] = text;
  }
  return { body, invalid };
}

/** Money as a number in the reader's language: whole amounts plain, others with two decimals. */
export function formatAmount(amount: number | null | undefined, language: string): string {
  if (amount === null || amount === undefined) return '—';
  const whole = Number.isInteger(amount);
  return new Intl.NumberFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(amount);
}

/** A calendar date (YYYY-MM-DD) read as that day wherever the reader is, not as UTC midnight. */
export function dayAsLocal(date: string | null | undefined): string | null {
  return date ? `${date}T00:00:00` : null;
}
