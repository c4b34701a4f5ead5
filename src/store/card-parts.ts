/**
 * What the process card shows besides the process row, read in ONE statement: the viewer's member
 * roles, the children, the links, the files, the granted access list and the names the card
 * mentions. Each part is a JSON array built by the database, ordered as the per-part queries
 * (childrenOf, linksOf, attachmentsOf, grantedAccess) order it. The statement is built and
 * compiled once per dialect and number of names asked for, then run with each card's values.
 */
import { type RawBuilder, sql } from 'kysely';
import { runCompiledOnce } from './compiled-once.ts';
import type { ProcessRow } from './processes.ts';
import type { LinkType } from './references.ts';
import type { Db } from './store.ts';

export interface CardParts {
  /** The viewer's member roles on the process (any order). */
  readonly viewerRoles: string[];
  readonly children: {
    id: string;
    status: ProcessRow['status'];
    definition_id: string;
    definition_version: number;
    name: string;
  }[];
  readonly links: { type: LinkType; linked_id: string }[];
  readonly attachments: {
    id: string;
    name: string;
    size: number;
    content_type: string;
    created_at: number;
  }[];
  readonly members: { employee_id: string; role: string }[];
  /** Names of the employees asked for, by id (unknown ids are absent). */
  readonly employees: Map<string, string>;
  /** Names of the counterparties asked for, by id. */
  readonly counterparties: Map<string, string>;
}

interface PartsQuery {
  readonly processId: string;
  readonly viewerId: string;
  readonly employeeIds: readonly string[];
  readonly counterpartyIds: readonly string[];
}

type Dialect = 'sqlite' | 'postgres';

/** A JSON array aggregate of `items`, `[]` when there are no rows, in each dialect's spelling. */
function agg(dialect: Dialect, items: RawBuilder<unknown>[], orderBy?: RawBuilder<unknown>) {
  const order = orderBy ? sql` order by ${orderBy}` : sql``;
  return dialect === 'sqlite'
    ? sql`json_group_array(json_array(${sql.join(items)})${order})`
    : sql`coalesce(json_agg(json_build_array(${sql.join(items)})${order}), '[]'::json)`;
}

function idList(ids: readonly string[]) {
  return ids.length > 0 ? sql.join(ids.map((id) => sql`${id}`)) : sql`null`;
}

/** A JSON column: text on SQLite, already parsed on PostgreSQL. */
function parsed(value: unknown): unknown[] {
  return (typeof value === 'string' ? JSON.parse(value) : value) as unknown[];
}

/** The statement with a placeholder per value: `values` name them in the order the statement binds them. */
function partsQuery(dialect: Dialect, values: readonly string[], employees: number, counterparties: number) {
  const ref = sql.ref;
  const [pid, viewerId] = values;
  const employeeIds = values.slice(2, 2 + employees);
  const counterpartyIds = values.slice(2 + employees, 2 + employees + counterparties);
  const roleAgg =
    dialect === 'sqlite' ? sql`json_group_array(role)` : sql`coalesce(json_agg(role), '[]'::json)`;
  return sql<Record<string, unknown>>`select
    (select ${roleAgg} from process_members
      where process_id = ${pid} and employee_id = ${viewerId}) as viewer_roles,
    (select ${agg(
      dialect,
      [ref('c.id'), ref('c.status'), ref('c.definition_id'), ref('c.definition_version'), ref('v.name')],
      sql`c.started_at, c.id`,
    )}
      from processes as c
      inner join definition_versions as v on v.definition_id = c.definition_id and v.version = c.definition_version
      where c.parent_id = ${pid}) as children,
    (select ${agg(dialect, [ref('type'), ref('linked_id')], sql`type, linked_id`)}
      from process_links where process_id = ${pid}) as links,
    (select ${agg(
      dialect,
      [ref('id'), ref('name'), ref('size'), ref('content_type'), ref('created_at')],
      sql`created_at, id`,
    )}
      from attachments where process_id = ${pid}) as attachments,
    (select ${agg(dialect, [ref('employee_id'), ref('role')], sql`employee_id`)}
      from process_members where process_id = ${pid} and role in ('view', 'edit')) as members,
    (select ${agg(dialect, [ref('id'), ref('name')])}
      from employees where id in (${idList(employeeIds)})) as employees,
    (select ${agg(dialect, [ref('id'), ref('name')])}
      from counterparties where id in (${idList(counterpartyIds)})) as counterparties`;
}

export async function cardParts(db: Db, dialect: Dialect, q: PartsQuery): Promise<CardParts> {
  const employees = q.employeeIds.length;
  const counterparties = q.counterpartyIds.length;
  const result = await runCompiledOnce(
    db,
    `card-parts:${dialect}:${employees}:${counterparties}`,
    [q.processId, q.viewerId, ...q.employeeIds, ...q.counterpartyIds],
    (values) => partsQuery(dialect, values, employees, counterparties).compile(db),
  );
  const row = result.rows[0] ?? {};
  const names = (value: unknown) =>
    new Map((parsed(value) as [string, string][]).map(([id, name]) => [id, name] as const));
  return {
    viewerRoles: parsed(row.viewer_roles) as string[],
    children: (parsed(row.children) as [string, ProcessRow['status'], string, number, string][]).map(
      ([id, status, definition_id, definition_version, name]) => ({
        id,
        status,
        definition_id,
        definition_version: Number(definition_version),
        name,
      }),
    ),
    links: (parsed(row.links) as [LinkType, string][]).map(([type, linked_id]) => ({ type, linked_id })),
    attachments: (parsed(row.attachments) as [string, string, number, string, number][]).map(
      ([id, name, size, content_type, created_at]) => ({
        id,
        name,
        size: Number(size),
        content_type,
        created_at: Number(created_at),
      }),
    ),
    members: (parsed(row.members) as [string, string][]).map(([employee_id, role]) => ({
      employee_id,
      role,
    })),
    employees: names(row.employees),
    counterparties: names(row.counterparties),
  };
}
