/**
 * The process journal: every filter, sorting and keyset paging in SQL, restricted to what the
 * viewer may see, so pages and counts leak nothing.
 *
 * Every filter has an index that ends in the sort column and the id (migration 004), so no plan
 * reads the whole `processes` table; text search of three or more characters goes through the
 * text index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL), shorter text is compared on the rows
 * walked (see text-search.ts); the counts of an unfiltered or per-definition journal, and of the
 * definitions a search names, come from `process_counts`, kept by triggers.
 */

import {
  type CompiledQuery,
  type ExpressionBuilder,
  type RawBuilder,
  type SelectQueryBuilder,
  sql,
} from 'kysely';
import type { JournalSort } from '../domain/journal.ts';
import type { DialectCapabilities } from './capabilities.ts';
import type { ProcessRow } from './processes.ts';
import type { Database, ProcessLinkTable, ProcessTable } from './schema.ts';
import type { Db } from './store.ts';
import { containsPattern, containsText, ftsPhrase, indexableText } from './text-search.ts';
import { type Viewer, visibleTo } from './visibility.ts';

/** The filters that name one value of one column, with the column. */
const EQUALITY_FILTERS = {
  definitionId: 'p.definition_id',
  stageKey: 'p.stage_key',
  responsibleId: 'p.responsible_id',
  counterpartyId: 'p.counterparty_id',
  initiatorId: 'p.initiator_id',
  parentId: 'p.parent_id',
} as const;

type EqualityFilter = keyof typeof EQUALITY_FILTERS;

export interface JournalFilter extends Readonly<Partial<Record<EqualityFilter, string | undefined>>> {
  readonly status?: readonly ProcessTable['status'][] | undefined;
  readonly startedFrom?: number | undefined;
  readonly startedTo?: number | undefined;
  readonly mine?: boolean | undefined;
  /** Its current stage past its deadline, or an unfinished task past due. */
  readonly overdue?: boolean | undefined;
  /** Its current stage falls due at or before this moment. */
  readonly dueBefore?: number | undefined;
  readonly q?: string | undefined;
  /** Processes linked to one record (an order's or a project's card lists them). */
  readonly link?: { readonly type: ProcessLinkTable['type']; readonly id: string } | undefined;
}

export type { JournalSort };

/** The column a sort orders by. */
function sortColumn(sort: JournalSort): 'started_at' | 'updated_at' | 'due_at' {
  return sort.endsWith('startedAt') ? 'started_at' : sort.endsWith('dueAt') ? 'due_at' : 'updated_at';
}

export interface JournalPage {
  readonly rows: ProcessRow[];
  readonly next: { readonly value: number; readonly id: string } | null;
}

type Q = SelectQueryBuilder<Database & { p: ProcessTable }, 'p', object>;
type P = ExpressionBuilder<Database & { p: ProcessTable }, 'p'>;

/**
 * A text search made ready: whether its page goes through the text index, and the definitions
 * whose names contain the text (few; all their processes match).
 */
export interface Search {
  readonly text: string;
  readonly textIndex: boolean;
  readonly definitions: readonly string[];
  /**
   * SQLite, when the text index was read beforehand and found few matches: the rowids of the
   * processes whose notes hold the text and the clients whose names do, so the query does not
   * read the index a second time.
   */
  readonly found?: { readonly rowids: readonly number[]; readonly clients: readonly string[] } | undefined;
  /**
   * PostgreSQL: the clients whose names hold the text, found beforehand through their index;
   * absent when more than SEARCH_CLIENT_LIMIT do (the query then selects them itself).
   */
  readonly clients?: readonly string[] | undefined;
  /**
   * PostgreSQL, a page's search not sized beforehand: the page reads at most this many matches
   * through the text index and says how many it read (`search_matches`). As many as this, and
   * there may be more: the page is asked again without the text index (`pageRows`).
   */
  readonly capped?: number | undefined;
}

const NO_SEARCH: Search = { text: '', textIndex: true, definitions: [] };

/**
 * The process `p` mentions the text in its note, its counterparty's name or its definition's
 * name (the definitions found beforehand), case ignored. Three or more characters go through the
 * text index; SQLite's FTS5 trigram tokenizer folds case itself (Cyrillic too), PostgreSQL's
 * trigram index holds `lower(…)`, the expression compared.
 */
function mentions(caps: DialectCapabilities, search: Search, indexed: boolean) {
  const { text, definitions } = search;
  const pattern = containsPattern(text);
  const named = definitions.length > 0 ? [sql<boolean>`p.definition_id in (${sql.join(definitions)})`] : [];
  if (indexed && caps.name === 'sqlite' && indexableText(text)) {
    // Every part of the OR is an index lookup, so SQLite collects the matches from the indexes.
    const phrase = ftsPhrase(text);
    const { found } = search;
    const parts = found
      ? [
          sql`p.rowid in (select value from json_each(${JSON.stringify(found.rowids)}))`,
          ...(found.clients.length > 0
            ? [sql`p.counterparty_id in (select value from json_each(${JSON.stringify(found.clients)}))`]
            : []),
        ]
      : [
          sql`p.rowid in (select rowid from processes_fts where processes_fts match ${phrase})`,
          sql`p.counterparty_id in (select c.id from counterparties c where c.rowid in (
            select rowid from counterparties_fts where counterparties_fts match ${phrase}))`,
        ];
    return sql<boolean>`(${sql.join([...parts, ...named], sql` or `)})`;
  }
  if (indexed && indexableText(text)) {
    // PostgreSQL: every part of the OR is read through an index (the trigram index on notes, the
    // index of each client's processes, the definitions'), so the planner combines them (a
    // BitmapOr) and reads only the matching rows.
    const clients =
      search.clients === undefined
        ? [
            sql`p.counterparty_id in (select c.id from counterparties c where lower(c.name) like ${pattern} escape '\\')`,
          ]
        : search.clients.length > 0
          ? [sql`p.counterparty_id = any(${search.clients}::text[])`]
          : [];
    return sql<boolean>`(${sql.join([sql`lower(p.note) like ${pattern} escape '\\'`, ...clients, ...named], sql` or `)})`;
  }
  return sql<boolean>`(${sql.join(
    [
      sql`lower(p.note) like ${pattern} escape '\\'`,
      sql`p.counterparty_id in (
        select c.id from counterparties c where lower(c.name) like ${pattern} escape '\\')`,
      ...named,
    ],
    sql` or `,
  )})`;
}

/**
 * What a query reads the rows for: a page in one sort order, or the counts. On SQLite a page
 * walks the index of its sort order unless a filter's own index (ending in the same sort column)
 * gives the rows in order; a filter that cannot give them in order is then written so that no
 * index is used for it (`column || ''`, `column + 0`) and is checked on each row of the walk
 * instead of collecting all its rows to sort them. Counts read each filter's own range.
 */
interface Use {
  readonly page: 'updated' | 'started' | null;
  readonly search: Search;
  /** Visibility is checked elsewhere in the query (some counts check it on their own set of ids). */
  readonly visible?: true;
}

/** The column compared without any index: checked on the rows another index gives. */
const unindexedText = (column: string) => sql<string>`(${sql.ref(column)} || '')`;
const unindexedNumber = (column: string) => sql<number>`(${sql.ref(column)} + 0)`;

function applyFilter(
  query: Q,
  caps: DialectCapabilities,
  viewer: Viewer,
  filter: JournalFilter,
  now: number,
  use: Use,
): Q {
  let q = use.visible ? query : query.where(visibleTo(viewer));
  const text = use.search.text;
  // A search through the text index yields few rows (see `searchThroughIndex`): those rows
  // drive the query, and every other filter is checked on them rather than read from its index.
  // The shaping below is for SQLite, whose planner has no statistics here (the application
  // never runs ANALYZE) and so prefers any equality index to the order a page needs;
  // PostgreSQL's planner weighs the ways itself from its statistics.
  const shape = caps.name === 'sqlite';
  const textDrives = shape && use.search.textIndex && indexableText(text);
  const col = (column: string, unindexed = false) =>
    textDrives || (shape && unindexed) ? unindexedText(column) : sql.ref(column);
  const [status, ...more] = filter.status ?? [];
  // Several statuses hold many rows and no index gives them in one order: check them per row.
  if (status !== undefined) {
    q =
      more.length === 0
        ? q.where(col('p.status'), '=', status)
        : q.where(col('p.status', true), 'in', [status, ...more]);
  }
  // The stage's rows in start order come from the definition's start-order index.
  const stageUnindexed = use.page === 'started' && filter.definitionId !== undefined;
  for (const [key, column] of Object.entries(EQUALITY_FILTERS) as [EqualityFilter, string][]) {
    const value = filter[key];
    if (value) q = q.where(col(column, key === 'stageKey' && stageUnindexed), '=', value);
  }
  // A start-time range read in update order: walk the update index, which holds the start time.
  const started =
    shape && (use.page === 'updated' || textDrives)
      ? unindexedNumber('p.started_at')
      : sql.ref('p.started_at');
  if (filter.startedFrom !== undefined) q = q.where(started, '>=', filter.startedFrom);
  if (filter.startedTo !== undefined) q = q.where(started, '<=', filter.startedTo);
  if (filter.link) {
    const link = filter.link;
    q = q.where((eb) =>
      eb(
        'p.id',
        'in',
        eb
          .selectFrom('process_links as l')
          .select('l.process_id')
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
    // A stage past its deadline (a paused one has none), or a task past due. The tasks are written
    // as the partial index `tasks_due_process` states it. Counts collect the overdue processes
    // from that index; a page checks each row it walks for an overdue task.
    q = q.where((eb: P) =>
      use.page === null
        ? sql<boolean>`(${eb.ref('p.due_at')} < ${now} or ${eb.ref('p.id')} in (
            select t.process_id from tasks t where t.status <> 'done' and t.due_at < ${now}))`
        : sql<boolean>`(${eb.ref('p.due_at')} < ${now} or exists (select 1 from tasks t
            where t.process_id = ${eb.ref('p.id')} and t.status <> 'done' and t.due_at < ${now}))`,
    );
  }
  if (filter.dueBefore !== undefined) q = q.where('p.due_at', '<=', filter.dueBefore);
  // A capped search's rows come from its matches already (`pageQuery`).
  if (text !== '' && use.search.capped === undefined)
    q = q.where(mentions(caps, use.search, use.search.textIndex));
  return q;
}

export interface PageOptions {
  readonly sort: JournalSort;
  readonly limit: number;
  readonly after?: { value: number; id: string } | undefined;
  readonly now: number;
  /** The filter's text search made ready (`prepareSearch`). */
  readonly search: Search;
  /**
   * PostgreSQL, a manager: her few processes matching the filter's responsible or initiator are
   * taken from her rows in `process_viewers` and sorted (`fewViewerRows`).
   */
  readonly viewerRows?: boolean | undefined;
}

/** Most of a manager's rows matching a responsible or an initiator that a page takes from them and sorts. */
export const VIEWER_ROWS_LIMIT = 2000;

/** The conditions on a manager's rows in `process_viewers` that a responsible and an initiator filter make. */
function viewerRowsOf(viewer: Viewer, filter: JournalFilter) {
  const where = [sql<boolean>`v.employee_id = ${viewer.id}`, sql<boolean>`v.employee_id <> '*'`];
  if (filter.responsibleId) where.push(sql<boolean>`v.responsible_id = ${filter.responsibleId}`);
  if (filter.initiatorId) where.push(sql<boolean>`v.initiator_id = ${filter.initiatorId}`);
  return sql.join(where, sql` and `);
}

/**
 * PostgreSQL, a manager's page filtered by a responsible or an initiator: whether she has fewer
 * than `VIEWER_ROWS_LIMIT` processes matching it (counted from her rows in `process_viewers`,
 * migration 011, up to the limit). Then her page is those processes sorted; with more, walking the
 * filter's index in the page's order and checking membership finds a page soon. Walking it when she
 * has few or none of them — a colleague's processes, most of which she does not see — checked every
 * one of the colleague's processes (25,000 probes, 60–100 ms).
 */
export async function fewViewerRows(
  db: Db,
  caps: DialectCapabilities,
  viewer: Viewer,
  filter: JournalFilter,
): Promise<boolean> {
  if (caps.name !== 'postgres' || viewer.role === 'admin' || filter.mine) return false;
  if (!filter.responsibleId && !filter.initiatorId) return false;
  if ((filter.q?.trim() ?? '') !== '') return false;
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from (
      select 1 from process_viewers v where ${viewerRowsOf(viewer, filter)} limit ${VIEWER_ROWS_LIMIT}) c`.execute(
    db,
  );
  return Number(rows[0]?.n ?? 0) < VIEWER_ROWS_LIMIT;
}

/** The query of one page (limit + 1 rows, the extra one tells whether there is more). */
export function pageQuery(
  db: Db,
  caps: DialectCapabilities,
  viewer: Viewer,
  filter: JournalFilter,
  options: PageOptions,
) {
  const desc = options.sort.startsWith('-');
  const byStart = options.sort.endsWith('startedAt');
  const column = sortColumn(options.sort);
  const direction = desc ? 'desc' : 'asc';
  // PostgreSQL, a search the text index answers with few rows (`prepareSearch`): the page sorts
  // the matches rather than walking a sort index. The planner's estimate of a trigram match is far
  // above the truth, so, given a limit and the order of an index, it walks that index and checks
  // the text on each row; a manager's page, whose few visible matches may be none, would then walk
  // every process. An administrator's page is ordered by an expression no index holds. A
  // manager's matches are sorted in full (no limit there, so no walk pays) and membership is
  // checked on them in that order until the page is full (`offset 0` keeps the check from
  // becoming a join, which would read all of the manager's member rows for a few matches).
  const viewerRows = options.viewerRows === true;
  const sorted =
    viewerRows ||
    (caps.name === 'postgres' && options.search.textIndex && indexableText(options.search.text));
  const perMatch = sorted && viewer.role !== 'admin' && !viewerRows;
  const use: Use = {
    page: byStart ? 'started' : 'updated',
    search: options.search,
    ...(perMatch || viewerRows ? { visible: true as const } : {}),
  };
  const { capped } = options.search;
  // A capped search reads its matches once, in the `matches` part of the statement (see below).
  const source = (): Q =>
    capped === undefined
      ? db.selectFrom('processes as p')
      : (db.selectFrom(sql<ProcessTable>`matches`.as('p')) as unknown as Q);
  const page = (f: JournalFilter, extra?: 'responsible_id' | 'initiator_id') => {
    let q = applyFilter(source(), caps, viewer, f, options.now, use);
    if (extra) q = q.where(`p.${extra}`, '=', viewer.id);
    // Her matching processes from her own rows (`offset 0` keeps them driving the query).
    if (viewerRows) {
      q = q.where(
        sql<boolean>`p.id in (select v.process_id from process_viewers v where ${viewerRowsOf(viewer, f)} offset 0)`,
      );
    }
    // By deadline: the processes that have one, read from the `processes_due` index.
    if (column === 'due_at') q = q.where('p.due_at', 'is not', null);
    if (options.after) {
      // One row-value range (not an OR of two), so the sort index seeks straight to the cursor.
      const { value, id } = options.after;
      q = q.where((eb) => eb(eb.refTuple(`p.${column}`, 'p.id'), desc ? '<' : '>', eb.tuple(value, id)));
    }
    if (perMatch) {
      const matches = q.selectAll('p').orderBy(`p.${column}`, direction).orderBy('p.id', direction).offset(0);
      return db
        .selectFrom(matches.as('p'))
        .selectAll('p')
        .where(sql<boolean>`exists (select 1 from process_members m
          where m.process_id = p.id and m.employee_id = ${viewer.id} offset 0)`)
        .orderBy(`p.${column}`, direction)
        .orderBy('p.id', direction)
        .limit(options.limit + 1);
    }
    const rows = q
      .selectAll('p')
      .orderBy(sorted ? sql`${sql.ref(`p.${column}`)} + 0` : sql.ref(`p.${column}`), direction)
      .orderBy('p.id', direction)
      .limit(options.limit + 1);
    if (caps.name !== 'postgres' || viewer.role === 'admin' || capped !== undefined || viewerRows)
      return rows;
    // PostgreSQL, a manager's page may pass over many rows she does not see (a responsible's
    // processes, most of them someone else's) before it is full: it finds the page's ids from the
    // indexes alone (each filter's index holds the sort column and the id) and reads the rows of
    // those ids only, not the table row of every index entry it passed over. (SQLite reads a row
    // by its key at little cost; measured, the two shapes are the same there.)
    const keys = q
      .select(['p.id', `p.${column}`])
      .orderBy(`p.${column}`, direction)
      .orderBy('p.id', direction)
      .limit(options.limit + 1);
    return db
      .selectFrom(keys.as('k'))
      .innerJoin('processes as p', 'p.id', 'k.id')
      .selectAll('p')
      .orderBy(`k.${column}`, direction)
      .orderBy('k.id', direction) as unknown as typeof rows;
  };
  // "Mine" is two ranges, the viewer's as responsible and as initiator, each read in order from
  // its own index for one page; their union, in order, is the page.
  const rest = { ...filter, mine: false };
  const body = !filter.mine
    ? page(filter)
    : db
        .selectFrom((eb) =>
          eb
            .selectFrom(page(rest, 'responsible_id').as('r'))
            .selectAll()
            .union(eb.selectFrom(page(rest, 'initiator_id').as('i')).selectAll())
            .as('mine'),
        )
        .selectAll('mine')
        .orderBy(`mine.${column}`, direction)
        .orderBy('mine.id', direction)
        .limit(options.limit + 1);
  if (capped === undefined) return body;
  // PostgreSQL, a search not sized beforehand: its matches are read once through the text index,
  // at most `capped` of them, and counted, and the page is made of them. The count comes back on
  // every row, and on a row of its own (all else null) when the page is empty.
  const matches = db
    .selectFrom('processes as p')
    .selectAll('p')
    .where(mentions(caps, { ...options.search, definitions: [] }, true))
    .limit(capped);
  return db
    .with(
      (cte) => cte('matches').materialized(),
      () => matches,
    )
    .selectFrom(
      sql<{ search_matches: number | string }>`(select count(*) as search_matches from matches)`.as('c'),
    )
    .leftJoinLateral(body.as('f'), (join) => join.onTrue())
    .select('c.search_matches')
    .selectAll('f')
    .orderBy(`f.${column}`, direction)
    .orderBy('f.id', direction);
}

/**
 * Most matches a search may have for its page to be collected through the text index and sorted;
 * with more, matches are frequent enough that walking the sort index and comparing the text on
 * each row finds a page sooner (and sorts nothing).
 */
export const SEARCH_SORT_LIMIT = 5000;

/** PostgreSQL: most clients whose names hold a search's text that a query is given as a list of ids. */
export const SEARCH_CLIENT_LIMIT = 1000;

/**
 * Makes the filter's text search ready: finds the definitions whose names hold the text, and
 * (for a page, `sized`) decides whether the page should collect the matches through the text
 * index: asks the index how many processes match the text, stopping at `SEARCH_SORT_LIMIT`
 * (on PostgreSQL, when no definition is named, the page asks it itself: `capped`).
 * Neither planner can tell beforehand (SQLite keeps no statistics; PostgreSQL's estimate of a
 * trigram match is far off). The named definitions' processes are taken from their counters.
 */
export async function prepareSearch(
  db: Db,
  caps: DialectCapabilities,
  q: string | undefined,
  sized = true,
): Promise<Search> {
  const text = q?.trim() ?? '';
  if (text === '') return NO_SEARCH;
  const definitions = (
    await db.selectFrom('definitions').select('id').where(containsText('name', text)).execute()
  ).map((d) => d.id);
  const search = { text, textIndex: true, definitions };
  if (!indexableText(text)) return search;
  if (caps.name === 'sqlite') return foundThroughIndex(db, search);
  // The clients named are bound as a list up to SEARCH_CLIENT_LIMIT; more, and the query finds
  // them itself (a sub-select over their names) rather than carry thousands of ids per statement.
  const named = (
    await db
      .selectFrom('counterparties')
      .select('id')
      .where(containsText('name', text))
      .limit(SEARCH_CLIENT_LIMIT + 1)
      .execute()
  ).map((c) => c.id);
  const found = { ...search, clients: named.length > SEARCH_CLIENT_LIMIT ? undefined : named };
  // PostgreSQL counts read the text index whatever the size: nothing to decide.
  if (!sized) return found;
  // No definition named: the page itself reads and counts the matches (`pageQuery`), which reads
  // the text index once where counting first would read it twice.
  if (definitions.length === 0) return { ...found, capped: SEARCH_SORT_LIMIT };
  const counted = await countedDefinitions(db, definitions);
  if (counted >= SEARCH_SORT_LIMIT) return { ...found, textIndex: false };
  // The notes and the clients' processes: the indexed plan collects every match before
  // checking the rest.
  const matches = db
    .selectFrom('processes as p')
    .where(mentions(caps, { ...found, definitions: [] }, true))
    .select(sql`1`.as('one'))
    .limit(SEARCH_SORT_LIMIT - counted);
  const { n } = await db
    .selectFrom(matches.as('m'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { ...found, textIndex: counted + Number(n) < SEARCH_SORT_LIMIT };
}

/** How many processes the definitions have in all, from their counters. */
async function countedDefinitions(db: Db, definitions: readonly string[]): Promise<number> {
  if (definitions.length === 0) return 0;
  const { rows } = await sql<{ n: number | string | null }>`select sum(n) as n from process_counts
    where scope = '*' and definition_id in (${sql.join(definitions)})`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * SQLite: reads the text index once, up to `SEARCH_SORT_LIMIT` notes, and the clients; with
 * fewer matches than that in all (the named definitions' processes from their counters) the
 * query is given the matches themselves.
 */
async function foundThroughIndex(db: Db, search: Search): Promise<Search> {
  const phrase = ftsPhrase(search.text);
  const notes = await sql<{ r: number }>`
    select rowid as r from processes_fts where processes_fts match ${phrase} limit ${SEARCH_SORT_LIMIT}`.execute(
    db,
  );
  const rowids = notes.rows.map((r) => Number(r.r));
  let total = rowids.length;
  const clients = (
    await sql<{ id: string }>`select c.id from counterparties c where c.rowid in (
      select rowid from counterparties_fts where counterparties_fts match ${phrase})`.execute(db)
  ).rows.map((r) => r.id);
  if (total < SEARCH_SORT_LIMIT && clients.length > 0) {
    const { rows } = await sql<{ n: number }>`select count(*) as n from (
      select 1 from processes where counterparty_id in (select value from json_each(${JSON.stringify(clients)}))
      limit ${SEARCH_SORT_LIMIT - total}) m`.execute(db);
    total += Number(rows[0]?.n ?? 0);
  }
  if (total < SEARCH_SORT_LIMIT) total += await countedDefinitions(db, search.definitions);
  if (total >= SEARCH_SORT_LIMIT) return { ...search, textIndex: false };
  return { ...search, textIndex: true, found: { rowids, clients } };
}

/** One page of the journal after the cursor, in the requested order. */
export async function listProcesses(
  db: Db,
  caps: DialectCapabilities,
  viewer: Viewer,
  filter: JournalFilter,
  options: Omit<PageOptions, 'search'>,
): Promise<JournalPage> {
  const search = await prepareSearch(db, caps, filter.q);
  const viewerRows = await fewViewerRows(db, caps, viewer, filter);
  const rows = await pageRows(db, caps, viewer, filter, { ...options, search, viewerRows });
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  const last = page[page.length - 1];
  const next = more && last ? { value: Number(last[sortColumn(options.sort)]), id: last.id } : null;
  return { rows: page, next };
}

/** A row of a capped search's page: the process, and how many matches the page read. */
type SearchedRow = { [K in keyof ProcessRow]: ProcessRow[K] | null } & { search_matches?: number | string };

/** The rows of one page (limit + 1); a capped search with as many matches as its cap is asked again, walking the sort index. */
async function pageRows(
  db: Db,
  caps: DialectCapabilities,
  viewer: Viewer,
  filter: JournalFilter,
  options: PageOptions,
): Promise<ProcessRow[]> {
  const rows = (await pageQuery(db, caps, viewer, filter, options).execute()) as SearchedRow[];
  const { capped } = options.search;
  if (capped === undefined) return rows as ProcessRow[];
  if (Number(rows[0]?.search_matches ?? 0) >= capped) {
    const search = { ...options.search, textIndex: false, capped: undefined };
    return (await pageQuery(db, caps, viewer, filter, { ...options, search }).execute()) as ProcessRow[];
  }
  return rows.flatMap(({ search_matches: _, ...row }) => (row.id === null ? [] : [row as ProcessRow]));
}

/** The filter asks for nothing `process_counts` cannot answer (its status aside). */
function countedByCounters(filter: JournalFilter): boolean {
  const { status: _status, definitionId: _definitionId, ...rest } = filter;
  return Object.values(rest).every(
    (v) => v === undefined || v === false || (typeof v === 'string' && v.trim() === ''),
  );
}

/** `seen`: how many rows a bounded count compared (see `SHORT_SEARCH_SCAN`). */
type CountRow = { status: ProcessTable['status']; n: number | string; seen?: number | string };

/**
 * Most rows a count of a search too short for the text index (one or two characters) compares,
 * unless asked to be exact. Such a text is found in most rows, and a count of every match would
 * compare each visible row (two seconds over a million processes); past this many rows the counts
 * say how many matches there are at least. A manager's rows are looked up one by one from her
 * member rows: 10,000 of them took 55 ms on SQLite at a million processes, 5,000 half that.
 */
export const SHORT_SEARCH_SCAN = 5_000;

/**
 * The filter asks for nothing the viewer's rows in `process_viewers` cannot answer (its status
 * aside): PostgreSQL, a manager (migration 011).
 */
function countedByViewerRows(filter: JournalFilter): boolean {
  const {
    status: _status,
    startedFrom: _from,
    startedTo: _to,
    responsibleId: _responsible,
    initiatorId: _initiator,
    definitionId: _definition,
    stageKey: _stage,
    overdue: _overdue,
    mine: _mine,
    ...rest
  } = filter;
  return Object.values(rest).every((v) => v === undefined || (typeof v === 'string' && v.trim() === ''));
}

/**
 * PostgreSQL: the counts from the viewer's own rows in `process_viewers` (migration 011), one
 * range of an index led by the viewer's id (`*` for an administrator, asked only "overdue") and
 * read alone; a stage's processes joined with them. "Mine" is the rows as responsible and as
 * initiator, united by process.
 */
function viewerRowsCountQuery(db: Db, viewer: Viewer, filter: JournalFilter, now: number) {
  const where =
    viewer.role === 'admin'
      ? [sql`v.employee_id = '*'`]
      : // The member indexes leave out the `*` rows: saying so lets the planner use them.
        [sql`v.employee_id = ${viewer.id}`, sql`v.employee_id <> '*'`];
  if (filter.startedFrom !== undefined) where.push(sql`v.started_at >= ${filter.startedFrom}`);
  if (filter.startedTo !== undefined) where.push(sql`v.started_at <= ${filter.startedTo}`);
  if (filter.responsibleId) where.push(sql`v.responsible_id = ${filter.responsibleId}`);
  if (filter.initiatorId) where.push(sql`v.initiator_id = ${filter.initiatorId}`);
  if (filter.definitionId) where.push(sql`v.definition_id = ${filter.definitionId}`);
  if (filter.overdue) where.push(sql`v.overdue_at < ${now}`);
  // A stage is not copied (every move would rewrite the rows): its processes come from their own
  // index and are joined with the viewer's rows (of the definition), which the planner hashes.
  const stage = filter.stageKey
    ? sql`join processes p on p.id = v.process_id and p.stage_key = ${filter.stageKey}
        ${filter.definitionId ? sql`and p.definition_id = ${filter.definitionId}` : sql``}`
    : sql``;
  const rows = (extra: RawBuilder<boolean> | null) =>
    sql`select v.process_id, v.status from process_viewers v ${stage}
      where ${sql.join(extra ? [...where, extra] : where, sql` and `)}`;
  const from = filter.mine
    ? sql`(${rows(sql`v.responsible_id = ${viewer.id}`)} union ${rows(sql`v.initiator_id = ${viewer.id}`)})`
    : sql`(${rows(null)})`;
  return sql<CountRow>`select r.status, count(*) as n from ${from} r group by r.status`.compile(db);
}

/** The counters of the viewer's scope (scope `*` for an administrator, who sees all). */
function countersQuery(db: Db, viewer: Viewer, definitions: readonly string[] | undefined) {
  // process_counts is written by triggers only, so it stays out of the typed schema.
  const scope = viewer.role === 'admin' ? '*' : viewer.id;
  const only = definitions ? sql`and definition_id in (${sql.join(definitions)})` : sql``;
  return sql<CountRow>`
    select status, sum(n) as n from process_counts where scope = ${scope} ${only}
    group by status`.compile(db);
}

/**
 * The queries counting visible processes that match the filter (its status aside), per status;
 * their answers add up. With no filter but the definition, the counters answer: the viewer's
 * scope holds what they see (a manager: the processes they are a member of). A search that names
 * definitions counts those definitions' processes from the counters and the other matches by
 * query.
 */
export function countsQueries(
  db: Db,
  caps: DialectCapabilities,
  viewer: Viewer,
  filter: JournalFilter,
  now: number,
  search: Search,
  exact = true,
): CompiledQuery<CountRow>[] {
  if (countedByCounters(filter)) {
    return [countersQuery(db, viewer, filter.definitionId ? [filter.definitionId] : undefined)];
  }
  if (
    caps.name === 'postgres' &&
    (viewer.role === 'admin'
      ? filter.overdue === true && countedByCounters({ ...filter, overdue: false, definitionId: undefined })
      : countedByViewerRows(filter))
  ) {
    return [viewerRowsCountQuery(db, viewer, filter, now)];
  }
  const count = (counted: Search, excluded: readonly string[]): Count => ({
    db,
    caps,
    viewer,
    filter: { ...filter, status: undefined },
    now,
    // Counts read the text index whatever the size (a page's cap does not apply to them).
    use: { page: null, search: { ...counted, textIndex: true, capped: undefined } },
    excluded,
    bounded: !exact,
  });
  if (search.definitions.length > 0 && countedByCounters({ ...filter, q: undefined })) {
    const named = filter.definitionId
      ? search.definitions.filter((d) => d === filter.definitionId)
      : search.definitions;
    const rest = countQuery(count({ ...search, definitions: [] }, named));
    return named.length > 0 ? [countersQuery(db, viewer, named), rest] : [rest];
  }
  return [countQuery(count(search, []))];
}

/**
 * What one count query is made of: the filter (its status aside) as the viewer asks it at `now`,
 * how its rows are read, and the definitions whose processes the counters count instead.
 */
interface Count {
  readonly db: Db;
  readonly caps: DialectCapabilities;
  readonly viewer: Viewer;
  readonly filter: JournalFilter;
  readonly now: number;
  readonly use: Use;
  readonly excluded: readonly string[];
  /** A search too short for the text index may stop after `SHORT_SEARCH_SCAN` rows. */
  readonly bounded: boolean;
}

/** The processes matching a filter, read as `use` says. */
function matching(count: Count, filter: JournalFilter, use: Use): Q {
  return applyFilter(count.db.selectFrom('processes as p'), count.caps, count.viewer, filter, count.now, use);
}

/** Leaves out the processes of the definitions the counters count. */
function withoutExcluded(q: Q, excluded: readonly string[]): Q {
  return excluded.length > 0 ? q.where(notExcluded(excluded)) : q;
}

/** The process is of none of the definitions the counters count (`excluded` not empty). */
function notExcluded(excluded: readonly string[]) {
  return sql<boolean>`${unindexedText('p.definition_id')} not in (${sql.join([...excluded])})`;
}

function countQuery(count: Count): CompiledQuery<CountRow> {
  const { viewer, filter, use } = count;
  const { search } = use;
  if (filter.overdue) return overdueCountQuery(count);
  if (filter.mine) return mineCountQuery(count);
  // Grouped by an expression no index is ordered by, so the planner picks the filter's own
  // (covering) index instead of one that merely spares it sorting four groups.
  const status = unindexedText('p.status');
  // A manager's search too short for the text index, with no other filter: no index narrows the
  // processes, so the manager's own are read from the index of members instead of all of them.
  const fromMembers =
    viewer.role !== 'admin' &&
    search.text !== '' &&
    !indexableText(search.text) &&
    countedByCounters({ ...filter, q: undefined, definitionId: undefined });
  // PostgreSQL, any other count of a manager: membership is probed for each process the filter
  // gives (`offset 0` keeps the check from becoming a join). Left to itself the planner joins
  // with a hash of all her member rows (230,000 of them at a million processes), several times
  // the cost of probing the tens of thousands of rows of a responsible, an initiator, a stage or
  // a month.
  const probed = count.caps.name === 'postgres' && viewer.role !== 'admin' && !fromMembers;
  // A search too short for the text index compares each row's texts: unless the count must be
  // exact, it compares a bounded number of rows and says whether it stopped (`seen`).
  const bounded = count.bounded && search.text !== '' && !indexableText(search.text);
  const read = bounded ? { ...use, search: NO_SEARCH } : use;
  // SQLite, a bounded count of a manager's processes: her member rows walked in their index's
  // order, each process looked up as it comes, so the walk stops at the bound. An `in (…)` list of
  // them all would be built first (230,000 ids at a million processes: 30 ms before the first row).
  // With a definition too, its own index may be the narrower way in: left to the planner.
  const walked = bounded && fromMembers && count.caps.name === 'sqlite' && filter.definitionId === undefined;
  let q = walked
    ? applyFilter(
        count.db
          .selectFrom(
            count.db
              .selectFrom('process_members as m')
              .select('m.process_id as id')
              .distinct()
              .where('m.employee_id', '=', viewer.id)
              .as('mm'),
          )
          .innerJoin('processes as p', 'p.id', 'mm.id') as unknown as Q,
        count.caps,
        viewer,
        filter,
        count.now,
        { ...read, visible: true },
      )
    : matching(count, filter, fromMembers || probed ? { ...read, visible: true } : read);
  if (fromMembers && !walked) {
    q = q.where('p.id', 'in', (eb) =>
      eb.selectFrom('process_members as m').select('m.process_id').where('m.employee_id', '=', viewer.id),
    );
  }
  if (probed) {
    q = q.where(sql<boolean>`exists (select 1 from process_members m
      where m.process_id = p.id and m.employee_id = ${viewer.id} offset 0)`);
  }
  if (bounded) {
    // The definitions the counters count are no hit here, but their rows still count as compared:
    // left out by the WHERE, a definition holding most processes would make the walk read them all.
    const excluded = count.excluded.length > 0 ? sql`and ${notExcluded(count.excluded)}` : sql``;
    const rows = q
      .select([
        'p.status',
        sql<number>`case when ${mentions(count.caps, search, false)} ${excluded} then 1 else 0 end`.as('hit'),
      ])
      .limit(SHORT_SEARCH_SCAN + 1);
    return count.db
      .selectFrom(rows.as('s'))
      .select(['s.status', sql<number>`sum(s.hit)`.as('n'), (eb) => eb.fn.countAll<number>().as('seen')])
      .groupBy('s.status')
      .compile() as CompiledQuery<CountRow>;
  }
  return withoutExcluded(q, count.excluded)
    .select([status.as('status'), (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(status)
    .compile();
}

/**
 * The counts of "mine": the viewer's processes as responsible and as initiator, two ranges read
 * from their (covering) indexes and united by id; for a manager, membership is checked once per
 * process on the union rather than on each range.
 */
function mineCountQuery(count: Count): CompiledQuery<CountRow> {
  const { db, viewer } = count;
  const rest = { ...count.filter, mine: false };
  const checked: Use = { ...count.use, visible: true };
  const range = (column: 'p.responsible_id' | 'p.initiator_id') =>
    withoutExcluded(matching(count, rest, checked).where(column, '=', viewer.id), count.excluded).select([
      'p.id',
      'p.status',
    ]);
  let q = db.selectFrom(range('p.responsible_id').union(range('p.initiator_id')).as('u'));
  if (viewer.role !== 'admin') {
    q = q.where(sql<boolean>`exists (select 1 from process_members m
      where m.process_id = u.id and m.employee_id = ${viewer.id})`);
  }
  return q
    .select(['u.status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('u.status')
    .compile();
}

/**
 * The counts of overdue processes. Few processes are overdue, so they drive: the processes with a
 * task past due (`tasks_due_process`) and those whose stage is past its deadline (`processes_due`),
 * each then looked up by its key and checked against the other filters. For a manager, membership
 * is checked on that set before any process is read, so only visible processes are looked up.
 * With no other filter, the indexes give the statuses too and no process is looked up.
 */
function overdueCountQuery(count: Count): CompiledQuery<CountRow> {
  const { db, caps, viewer, now, use } = count;
  const rest = { ...count.filter, overdue: false };
  const checked: Use = { ...use, visible: true };
  const status = unindexedText('p.status');
  if (countedByCounters(rest) && rest.definitionId === undefined && count.excluded.length === 0) {
    return overdueOnlyCountQuery(db, caps, viewer, now);
  }
  const tasksDue = db
    .selectFrom('tasks as t')
    .select('t.process_id')
    .where(sql<boolean>`t.status <> 'done'`)
    .where('t.due_at', '<', now);
  if (caps.name === 'postgres') {
    // PostgreSQL matches the set against the manager's member rows (a hash semi-join over
    // `process_members_employee`) and looks each process up in a lateral join: "in (overdue
    // processes)" alone would be sized as a hash join over all processes.
    let overdue = db
      .selectFrom(
        tasksDue
          .union(db.selectFrom('processes as d').select('d.id as process_id').where('d.due_at', '<', now))
          .as('o'),
      )
      .select('o.process_id');
    if (viewer.role !== 'admin') {
      overdue = overdue.where('o.process_id', 'in', (eb) =>
        eb.selectFrom('process_members as m').select('m.process_id').where('m.employee_id', '=', viewer.id),
      );
    }
    const each = withoutExcluded(
      matching(count, rest, checked).where(sql<boolean>`p.id = v.process_id`),
      count.excluded,
    );
    return db
      .selectFrom(overdue.as('v'))
      .innerJoinLateral(
        // `offset 0` keeps the planner from flattening the lateral subquery back into a hash join.
        each.select('p.status').offset(0).as('s'),
        (join) => join.onTrue(),
      )
      .select(['s.status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('s.status')
      .compile();
  }
  // SQLite collects the rowids from both indexes (a MULTI-INDEX OR). Overdue alone, a manager's
  // membership is checked on each in the members' key before the process is read; with other
  // filters, which the process rows answer, the process is read first and membership last.
  const first = viewer.role !== 'admin' && countedByCounters(rest) && rest.definitionId === undefined;
  const member = (id: RawBuilder<string>) =>
    first
      ? sql<boolean>`exists (select 1 from process_members m
          where m.process_id = ${id} and m.employee_id = ${viewer.id})`
      : sql<boolean>`1 = 1`;
  const q = matching(count, rest, first ? checked : use).where((eb) =>
    eb.or([
      eb.and([eb('p.due_at', '<', now), member(sql.ref('p.id'))]),
      eb('p.id', 'in', tasksDue.where(member(sql.ref('t.process_id')))),
    ]),
  );
  return withoutExcluded(q, count.excluded)
    .select([status.as('status'), (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(status)
    .compile();
}

/**
 * The counts of overdue processes with no other filter, from two indexes alone: the open tasks
 * past due with their process's status (`tasks_due_process`; `tasks.process_status` is kept by
 * triggers, migration 010) and the processes past their stage's deadline (`processes_due`), united
 * by process, so no process row is read. For a manager, membership is checked on that set:
 * SQLite looks each process up in the members' key; PostgreSQL, for which a lookup per process
 * costs more, merges the set with the manager's member rows.
 */
function overdueOnlyCountQuery(
  db: Db,
  caps: DialectCapabilities,
  viewer: Viewer,
  now: number,
): CompiledQuery<CountRow> {
  const member =
    viewer.role === 'admin'
      ? sql``
      : caps.name === 'sqlite'
        ? sql`where exists (select 1 from process_members m where m.employee_id = ${viewer.id} and m.process_id = o.id)`
        : sql`where o.id in (select m.process_id from process_members m where m.employee_id = ${viewer.id})`;
  return sql<CountRow>`select o.status as status, count(*) as n from (
      select t.process_id as id, t.process_status as status from tasks t
        where t.status <> 'done' and t.due_at < ${now} and t.process_id is not null
      union
      select d.id, d.status from processes d where d.due_at < ${now}) o
    ${member}
    group by o.status`.compile(db);
}

/**
 * How many visible processes match the filter (its status aside), per status. Unless `exact`,
 * a search too short for the text index compares at most `SHORT_SEARCH_SCAN` rows; `atLeast`
 * then says the counts are lower bounds.
 */
export async function countByStatus(
  db: Db,
  caps: DialectCapabilities,
  viewer: Viewer,
  filter: JournalFilter,
  now: number,
  exact = true,
): Promise<Record<ProcessTable['status'], number> & { atLeast?: true }> {
  const counts = { active: 0, paused: 0, completed: 0, cancelled: 0 };
  const search = await prepareSearch(db, caps, filter.q, false);
  let atLeast = false;
  for (const query of countsQueries(db, caps, viewer, filter, now, search, exact)) {
    const { rows } = await db.executeQuery(query);
    let seen = 0;
    for (const r of rows) {
      counts[r.status] += Number(r.n);
      seen += Number(r.seen ?? 0);
    }
    if (seen > SHORT_SEARCH_SCAN) atLeast = true;
  }
  return atLeast ? { ...counts, atLeast } : counts;
}
