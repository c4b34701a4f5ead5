/**
 * The process journal: every filter, sorting and keyset paging in SQL, restricted to what the
 * viewer may see, so pages and counts leak nothing.
 */
import { type SelectQueryBuilder, sql } from 'kysely';
import type { ProcessRow } from './processes.ts';
import type { Database, ProcessLinkTable, ProcessTable } from './schema.ts';
import type { Db } from './store.ts';
import { containsText } from './text-search.ts';
import { type Viewer, visibleTo } from './visibility.ts';

export interface JournalFilter {
  readonly status?: readonly ProcessTable['status'][] | undefined;
  readonly definitionId?: string | undefined;
  readonly stageKey?: string | undefined;
  readonly responsibleId?: string | undefined;
  readonly counterpartyId?: string | undefined;
  readonly initiatorId?: string | undefined;
  readonly parentId?: string | undefined;
  readonly startedFrom?: number | undefined;
  readonly startedTo?: number | undefined;
  readonly mine?: boolean | undefined;
  readonly overdue?: boolean | undefined;
  readonly q?: string | undefined;
  /** Processes linked to one record (an order's or a project's card lists them). */
  readonly link?: { readonly type: ProcessLinkTable['type']; readonly id: string } | undefined;
}

export type JournalSort = 'startedAt' | '-startedAt' | 'updatedAt' | '-updatedAt';

export interface JournalPage {
  readonly rows: ProcessRow[];
  readonly next: { readonly value: number; readonly id: string } | null;
}

type Q = SelectQueryBuilder<Database & { p: ProcessTable }, 'p', object>;

function applyFilter(query: Q, viewer: Viewer, filter: JournalFilter, now: number): Q {
  let q = query.where(visibleTo(viewer));
  if (filter.status && filter.status.length > 0) q = q.where('p.status', 'in', [...filter.status]);
  if (filter.definitionId) q = q.where('p.definition_id', '=', filter.definitionId);
  if (filter.stageKey) q = q.where('p.stage_key', '=', filter.stageKey);
  if (filter.responsibleId) q = q.where('p.responsible_id', '=', filter.responsibleId);
  if (filter.counterpartyId) q = q.where('p.counterparty_id', '=', filter.counterpartyId);
  if (filter.initiatorId) q = q.where('p.initiator_id', '=', filter.initiatorId);
  if (filter.parentId) q = q.where('p.parent_id', '=', filter.parentId);
  if (filter.startedFrom !== undefined) q = q.where('p.started_at', '>=', filter.startedFrom);
  if (filter.startedTo !== undefined) q = q.where('p.started_at', '<=', filter.startedTo);
  if (filter.link) {
    const link = filter.link;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('process_links as l')
          .select(sql`1`.as('one'))
          .whereRef('l.process_id', '=', 'p.id')
          .where('l.type', '=', link.type)
          .where('l.linked_id', '=', link.id),
      ),
    );
  }
  if (filter.mine) {
    q = q.where((eb) =>
      eb.or([eb('p.responsible_id', '=', viewer.id), eb('p.initiator_id', '=', viewer.id)]),
    );
  }
  if (filter.overdue) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('tasks as t')
          .select(sql`1`.as('one'))
          .whereRef('t.process_id', '=', 'p.id')
          .where('t.status', '!=', 'done')
          .where('t.due_at', '<', now),
      ),
    );
  }
  if (filter.q && filter.q.trim() !== '') {
    const text = filter.q.trim();
    const like = (col: string) => containsText(col, text);
    q = q.where((eb) =>
      eb.or([
        like('p.note'),
        eb.exists(
          eb
            .selectFrom('counterparties as c')
            .select(sql`1`.as('one'))
            .whereRef('c.id', '=', 'p.counterparty_id')
            .where(like('c.name')),
        ),
        eb.exists(
          eb
            .selectFrom('definitions as d')
            .select(sql`1`.as('one'))
            .whereRef('d.id', '=', 'p.definition_id')
            .where(like('d.name')),
        ),
      ]),
    );
  }
  return q;
}

/** One page of the journal after the cursor, in the requested order. */
export async function listProcesses(
  db: Db,
  viewer: Viewer,
  filter: JournalFilter,
  options: {
    sort: JournalSort;
    limit: number;
    after?: { value: number; id: string } | undefined;
    now: number;
  },
): Promise<JournalPage> {
  const desc = options.sort.startsWith('-');
  const column = options.sort.endsWith('startedAt') ? 'p.started_at' : 'p.updated_at';
  let q = applyFilter(db.selectFrom('processes as p'), viewer, filter, options.now);
  if (options.after) {
    const { value, id } = options.after;
    q = q.where((eb) =>
      desc
        ? eb.or([eb(column, '<', value), eb.and([eb(column, '=', value), eb('p.id', '<', id)])])
        : eb.or([eb(column, '>', value), eb.and([eb(column, '=', value), eb('p.id', '>', id)])]),
    );
  }
  const rows = (await q
    .selectAll('p')
    .orderBy(column, desc ? 'desc' : 'asc')
    .orderBy('p.id', desc ? 'desc' : 'asc')
    .limit(options.limit + 1)
    .execute()) as ProcessRow[];
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  const last = page[page.length - 1];
  const next =
    more && last
      ? { value: column === 'p.started_at' ? last.started_at : last.updated_at, id: last.id }
      : null;
  return { rows: page, next };
}

/** How many visible processes match the filter (its status aside), per status. */
export async function countByStatus(
  db: Db,
  viewer: Viewer,
  filter: JournalFilter,
  now: number,
): Promise<Record<ProcessTable['status'], number>> {
  const rows = await applyFilter(
    db.selectFrom('processes as p'),
    viewer,
    { ...filter, status: undefined },
    now,
  )
    .select(['p.status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('p.status')
    .execute();
  const counts = { active: 0, paused: 0, completed: 0, cancelled: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}
