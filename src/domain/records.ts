/**
 * The kinds of CRM record, named as the API's paths name them (/api/<kind>). Pure and shared: the
 * server's engine and routes and the web app's CRM screens all import this one list.
 */
export const RECORD_KINDS = [
  'counterparties',
  'projects',
  'orders',
  'invoices',
  'contracts',
  'waybills',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** What a process can be linked to, as the API names it. */
export const LINK_TYPES = ['invoice', 'order', 'contract', 'project', 'waybill'] as const;
export type LinkType = (typeof LINK_TYPES)[number];
