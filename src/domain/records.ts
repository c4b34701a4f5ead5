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
