/** The CRM records around processes: counterparties, projects, orders, invoices, contracts, waybills. */

import type { EngineContext } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import type { RecordKind } from '../domain/records.ts';
import { decodeIdCursor, idPageOf } from '../store/cursor.ts';
import {
  findRecord,
  insertRecord,
  listRecordRows,
  type RecordRow,
  updateRecordRow,
} from '../store/records.ts';
import { requireCounterparty } from '../store/references.ts';
import type { Db } from '../store/store.ts';

export { RECORD_KINDS, type RecordKind } from '../domain/records.ts';

export interface CounterpartyInput {
  name?: string | undefined;
  phone?: string | null | undefined;
  email?: string | null | undefined;
  group?: string | null | undefined;
}
export interface ProjectInput {
  name?: string | undefined;
  counterpartyId?: string | null | undefined;
}
export interface DocumentInput {
  number?: string | undefined;
  counterpartyId?: string | null | undefined;
  amount?: number | null | undefined;
  date?: string | null | undefined;
}
export type RecordInput = CounterpartyInput & ProjectInput & DocumentInput;

type Row = RecordRow;

/**
 * Each kind's fields and the columns that hold them, in the order the answer lists them. A name or
 * a number is always there; the other fields are null when empty.
 */
const FIELDS = {
  counterparties: { name: 'name', phone: 'phone', email: 'email', group: 'grp' },
  projects: { name: 'name', counterpartyId: 'counterparty_id' },
  documents: { number: 'number', counterpartyId: 'counterparty_id', amount: 'amount', date: 'date' },
} as const satisfies Record<string, Partial<Record<keyof RecordInput, string>>>;

const REQUIRED: ReadonlySet<string> = new Set(['name', 'number']);

function fieldsOf(kind: RecordKind): readonly (readonly [keyof RecordInput, string])[] {
  const fields = kind === 'counterparties' || kind === 'projects' ? FIELDS[kind] : FIELDS.documents;
  return Object.entries(fields) as [keyof RecordInput, string][];
}

export interface RecordView {
  readonly id: string;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly [field: string]: unknown;
}

function toView(kind: RecordKind, row: Row): RecordView {
  const view: Record<string, unknown> = {
    id: row.id,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
  for (const [field, column] of fieldsOf(kind))
    view[field] = REQUIRED.has(field) ? row[column] : (row[column] ?? null);
  return view as RecordView;
}

function toColumns(kind: RecordKind, input: RecordInput): Record<string, unknown> {
  const cols: Record<string, unknown> = {};
  for (const [field, column] of fieldsOf(kind)) if (input[field] !== undefined) cols[column] = input[field];
  return cols;
}

async function checkRefs(db: Db, input: RecordInput): Promise<void> {
  if (input.counterpartyId) await requireCounterparty(db, input.counterpartyId);
}

export async function createRecord(ctx: EngineContext, kind: RecordKind, input: RecordInput) {
  const now = ctx.clock.now();
  const row = { id: ctx.newId(), ...toColumns(kind, input), created_at: now, updated_at: now } as Row;
  await ctx.store.transaction(async (tx) => {
    await checkRefs(tx, input);
    await insertRecord(tx, kind, row);
  });
  return toView(kind, row);
}

export async function updateRecord(ctx: EngineContext, kind: RecordKind, id: string, input: RecordInput) {
  const cols = toColumns(kind, input);
  return ctx.store.transaction(async (tx) => {
    const current = await findRecord(tx, kind, id);
    if (!current) throw notFound('Record', id);
    await checkRefs(tx, input);
    if (Object.keys(cols).length === 0) return toView(kind, current);
    const patch = { ...cols, updated_at: ctx.clock.now() };
    await updateRecordRow(tx, kind, id, patch);
    return toView(kind, { ...current, ...patch });
  });
}

export async function getRecord(ctx: EngineContext, kind: RecordKind, id: string) {
  const row = await findRecord(ctx.store.db, kind, id);
  if (!row) throw notFound('Record', id);
  return toView(kind, row);
}

export async function listRecords(
  ctx: EngineContext,
  kind: RecordKind,
  options: {
    q?: string | undefined;
    limit: number;
    after?: string | undefined;
    counterpartyId?: string | undefined;
    group?: string | undefined;
    /** Only these records (a list resolving the names of its rows in one request). */
    ids?: readonly string[] | undefined;
  },
) {
  const text = options.q && options.q.trim() !== '' ? options.q.trim() : undefined;
  const rows = await listRecordRows(
    ctx.store.db,
    kind,
    {
      after: decodeIdCursor(options.after),
      ids: options.ids,
      counterpartyId: options.counterpartyId,
      group: options.group,
      text,
      textColumns:
        kind === 'counterparties' ? ['name', 'phone', 'email'] : kind === 'projects' ? ['name'] : ['number'],
    },
    options.limit + 1,
  );
  const { page, nextCursor } = idPageOf(rows, options.limit);
  return { items: page.map((r) => toView(kind, r)), nextCursor };
}
