/** The CRM records around processes: counterparties, projects, orders, invoices, contracts, waybills. */

import type { EngineContext } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import type { RecordKind } from '../domain/records.ts';
import { decodeIdCursor, idPageOf } from '../store/cursor.ts';
import { requireCounterparty } from '../store/references.ts';
import type { Db } from '../store/store.ts';
import { containsText } from '../store/text-search.ts';

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

type Row = Record<string, unknown> & { id: string; created_at: number; updated_at: number };

function toView(kind: RecordKind, row: Row) {
  const base = {
    id: row.id,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
  if (kind === 'counterparties') {
    return {
      ...base,
      name: row.name,
      phone: row.phone ?? null,
      email: row.email ?? null,
      group: row.grp ?? null,
    };
  }
  if (kind === 'projects') return { ...base, name: row.name, counterpartyId: row.counterparty_id ?? null };
  return {
    ...base,
    number: row.number,
    counterpartyId: row.counterparty_id ?? null,
    amount: row.amount ?? null,
    date: row.date ?? null,
  };
}

function toColumns(kind: RecordKind, input: RecordInput): Record<string, unknown> {
  const cols: Record<string, unknown> = {};
  const put = (col: string, value: unknown) => {
    if (value !== undefined) cols[col] = value;
  };
  if (kind === 'counterparties') {
    put('name', input.name);
    put('phone', input.phone);
    put('email', input.email);
    put('grp', input.group);
  } else if (kind === 'projects') {
    put('name', input.name);
    put('counterparty_id', input.counterpartyId);
  } else {
    put('number', input.number);
    put('counterparty_id', input.counterpartyId);
    put('amount', input.amount);
    put('date', input.date);
  }
  return cols;
}

async function checkRefs(db: Db, input: RecordInput): Promise<void> {
  if (input.counterpartyId) await requireCounterparty(db, input.counterpartyId);
}

// The six tables share their shape per kind; Kysely cannot type a table chosen at run time.
// biome-ignore lint/suspicious/noExplicitAny: see above
const table = (db: Db, kind: RecordKind) => db as any as Db & { kind: typeof kind };

export async function createRecord(ctx: EngineContext, kind: RecordKind, input: RecordInput) {
  const now = ctx.clock.now();
  const row = { id: ctx.newId(), ...toColumns(kind, input), created_at: now, updated_at: now } as Row;
  await ctx.store.transaction(async (tx) => {
    await checkRefs(tx, input);
    // biome-ignore lint/suspicious/noExplicitAny: dynamic table, see `table`
    await (table(tx, kind) as any).insertInto(kind).values(row).execute();
  });
  return toView(kind, row);
}

export async function updateRecord(ctx: EngineContext, kind: RecordKind, id: string, input: RecordInput) {
  const cols = toColumns(kind, input);
  return ctx.store.transaction(async (tx) => {
    // biome-ignore lint/suspicious/noExplicitAny: dynamic table, see `table`
    const t = table(tx, kind) as any;
    const current = (await t.selectFrom(kind).selectAll().where('id', '=', id).executeTakeFirst()) as
      | Row
      | undefined;
    if (!current) throw notFound('Record', id);
    await checkRefs(tx, input);
    if (Object.keys(cols).length === 0) return toView(kind, current);
    const patch = { ...cols, updated_at: ctx.clock.now() };
    await t.updateTable(kind).set(patch).where('id', '=', id).execute();
    return toView(kind, { ...current, ...patch });
  });
}

export async function getRecord(ctx: EngineContext, kind: RecordKind, id: string) {
  // biome-ignore lint/suspicious/noExplicitAny: dynamic table, see `table`
  const t = table(ctx.store.db, kind) as any;
  const row = (await t.selectFrom(kind).selectAll().where('id', '=', id).executeTakeFirst()) as
    | Row
    | undefined;
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
  // biome-ignore lint/suspicious/noExplicitAny: dynamic table, see `table`
  let q = (table(ctx.store.db, kind) as any).selectFrom(kind).selectAll();
  const after = decodeIdCursor(options.after);
  if (after) q = q.where('id', '>', after);
  if (options.ids) q = q.where('id', 'in', options.ids.length > 0 ? [...options.ids] : ['']);
  if (options.counterpartyId && kind !== 'counterparties')
    q = q.where('counterparty_id', '=', options.counterpartyId);
  if (options.group && kind === 'counterparties') q = q.where('grp', '=', options.group);
  if (options.q && options.q.trim() !== '') {
    const text = options.q.trim();
    const cols =
      kind === 'counterparties' ? ['name', 'phone', 'email'] : kind === 'projects' ? ['name'] : ['number'];
    // biome-ignore lint/suspicious/noExplicitAny: dynamic table, see `table`
    q = q.where((eb: any) => eb.or(cols.map((c) => containsText(c, text))));
  }
  const rows = (await q
    .orderBy('id')
    .limit(options.limit + 1)
    .execute()) as Row[];
  const { page, nextCursor } = idPageOf(rows, options.limit);
  return { items: page.map((r) => toView(kind, r)), nextCursor };
}
