/** Read models of processes: the card, the journal rows and the protocol, as the API shows them. */

import { type Actor, type EngineContext, ROUTING_PRESENCE_MS } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { mayMoveStage } from '../domain/process/stage-ownership.ts';
import { waitTimerKey } from '../domain/process/step.ts';
import { cardParts } from '../store/card-parts.ts';
import { decodeSortCursor, encodeSortCursor, pageOf } from '../store/cursor.ts';
import type { LoadedVersion } from '../store/definition-cache.ts';
import { countByStatus, type JournalFilter, type JournalSort, listProcesses } from '../store/journal.ts';
import { linkLabels } from '../store/links.ts';
import { accessOf, findProcess, listProtocol, type ProcessRow } from '../store/processes.ts';
import { namesByIds } from '../store/records.ts';
import type { LinkType } from '../store/references.ts';
import type { Db } from '../store/store.ts';
import { timerDueTimes } from '../store/timers.ts';
import { EDIT_ROLES } from '../store/visibility.ts';

export type { JournalFilter, ProcessRow };

export interface Ref {
  readonly id: string;
  readonly name: string;
}

async function namesOf(db: Db, table: 'employees' | 'counterparties', ids: Iterable<string | null>) {
  const wanted = [...new Set([...ids].filter((id): id is string => id !== null))];
  const map = new Map<string, string>();
  if (wanted.length === 0) return map;
  const rows = await namesByIds(db, table, wanted);
  for (const r of rows) map.set(r.id, r.name);
  return map;
}

function ref(map: Map<string, string>, id: string | null): Ref | null {
  if (id === null) return null;
  return { id, name: map.get(id) ?? '' };
}

/** Each link with the number (documents) or name (projects) a person recognises it by. */
async function labelLinks(db: Db, links: readonly { type: LinkType; linked_id: string }[]) {
  const labels = new Map<string, string>();
  for (const type of new Set(links.map((l) => l.type))) {
    const ids = links.filter((l) => l.type === type).map((l) => l.linked_id);
    const rows = await linkLabels(db, type, ids);
    for (const r of rows) labels.set(`${type}:${r.id}`, r.label);
  }
  return links.map((l) => ({
    type: l.type,
    id: l.linked_id,
    label: labels.get(`${l.type}:${l.linked_id}`) ?? null,
  }));
}

/** The key of the wait timer the process sleeps on, or null when its stage does not wait. */
function waitKeyOf(row: ProcessRow, def: LoadedVersion): string | null {
  if (row.status !== 'active' && row.status !== 'paused') return null;
  if (def.compiled.stages.get(row.stage_key)?.wait === undefined) return null;
  return waitTimerKey(row.id, row.stage_key, row.visit);
}

/** When each waiting process's wait ends (epoch ms), by process id. */
async function waitingUntilOf(
  db: Db,
  rows: readonly { row: ProcessRow; def: LoadedVersion }[],
): Promise<Map<string, number>> {
  const keys = new Map<string, string>();
  for (const { row, def } of rows) {
    const key = waitKeyOf(row, def);
    if (key) keys.set(key, row.id);
  }
  const due = await timerDueTimes(db, [...keys.keys()]);
  const byProcess = new Map<string, number>();
  for (const [key, at] of due) {
    const id = keys.get(key);
    if (id) byProcess.set(id, at);
  }
  return byProcess;
}

/** The journal's view of a process. */
function summary(
  row: ProcessRow,
  def: LoadedVersion,
  employees: Map<string, string>,
  counterparties: Map<string, string>,
  waitingUntil: number | null,
  now: number,
) {
  const stage = def.compiled.stages.get(row.stage_key);
  return {
    id: row.id,
    version: row.version,
    definition: { id: def.id, name: def.name, version: def.version },
    status: row.status,
    counterparty: ref(counterparties, row.counterparty_id),
    initiator: ref(employees, row.initiator_id) as Ref,
    note: row.note,
    stage: {
      key: row.stage_key,
      name: stage?.name ?? row.stage_key,
      kind: stage?.kind ?? 'normal',
      state: row.stage_state,
      responsible: ref(employees, row.responsible_id),
      enteredAt: isoTime(row.entered_at),
      /** When a waiting stage continues by itself; null when the stage is not waiting. */
      waitingUntil: isoTime(waitingUntil),
      /** When the stage falls due (its deadline); null without one, or while the process is paused. */
      dueAt: isoTime(row.due_at),
      /** Whether the stage is past its deadline now. */
      overdue: row.due_at !== null && row.due_at <= now,
      /** The absent employee the responsible stands in for as deputy. */
      actingFor: ref(employees, row.acting_for_id),
      /** While nobody listed is online: until when the stage waits for one before it goes to the first listed. */
      awaitingResponsibleUntil: isoTime(row.routing_until),
    },
    parentId: row.parent_id,
    pausedUntil: isoTime(row.paused_until),
    startedAt: isoTime(row.started_at),
    updatedAt: isoTime(row.updated_at),
    completedAt: isoTime(row.completed_at),
  };
}

export type ProcessSummary = ReturnType<typeof summary>;

/** The viewer's access to a process from their member roles: admins may always edit. */
function accessFrom(viewer: Actor, roles: readonly string[]): 'none' | 'view' | 'edit' {
  if (viewer.role === 'admin') return 'edit';
  if (roles.length === 0) return 'none';
  return roles.some((r) => (EDIT_ROLES as readonly string[]).includes(r)) ? 'edit' : 'view';
}

/**
 * The process card: everything the card shows about one process (its stage, people, links, files,
 * access). `known` is the row as a command just wrote it, so it is not read again; the rest comes
 * in one statement.
 */
export async function processCard(ctx: EngineContext, viewer: Actor, processId: string, known?: ProcessRow) {
  const db = ctx.store.db;
  const row = known ?? (await findProcess(db, processId));
  if (!row) throw notFound('Process', processId);
  const def = await ctx.definitions.load(db, row.definition_id, row.definition_version);
  const outgoing =
    row.status === 'active' || row.status === 'paused'
      ? (def.compiled.outgoing.get(row.stage_key) ?? [])
      : [];
  const nextResponsibles = outgoing.flatMap((t) => def.compiled.stages.get(t.to)?.responsibles ?? []);
  const employeeIds = new Set(
    [row.initiator_id, row.responsible_id, row.acting_for_id, ...nextResponsibles].filter(
      (id): id is string => id !== null,
    ),
  );
  const [parts, online] = await Promise.all([
    cardParts(db, ctx.store.caps.name, {
      processId: row.id,
      viewerId: viewer.id,
      employeeIds: [...employeeIds],
      counterpartyIds: row.counterparty_id === null ? [] : [row.counterparty_id],
    }),
    nextResponsibles.length > 0
      ? ctx.presence.onlineAmong(db, nextResponsibles, { recentMs: ROUTING_PRESENCE_MS })
      : Promise.resolve(new Set<string>()),
  ]);
  const access = accessFrom(viewer, parts.viewerRoles);
  if (access === 'none') throw notFound('Process', processId);
  const { employees, counterparties, children, attachments, members } = parts;
  const waiting = await waitingUntilOf(db, [{ row, def }]);
  return {
    ...summary(row, def, employees, counterparties, waiting.get(row.id) ?? null, ctx.clock.now()),
    next: outgoing.map((t) => {
      const stage = def.compiled.stages.get(t.to);
      return {
        result: t.result,
        stage: { key: t.to, name: stage?.name ?? t.to, kind: stage?.kind ?? 'normal' },
        responsibles: (stage?.responsibles ?? []).map((id) => ({
          id,
          name: employees.get(id) ?? '',
          online: online.has(id),
        })),
      };
    }),
    children: children.map((c) => ({
      id: c.id,
      definition: { id: c.definition_id, name: c.name, version: c.definition_version },
      status: c.status,
    })),
    links: await labelLinks(db, parts.links),
    attachments: attachments.map((a) => ({
      id: a.id,
      name: a.name,
      size: a.size,
      contentType: a.content_type,
      createdAt: isoTime(a.created_at),
    })),
    access: members.map((m) => ({ employeeId: m.employee_id, level: m.role as 'view' | 'edit' })),
    myAccess: access,
    /** Whether the viewer may start or finish the current stage (its responsible, or an admin). */
    mayMoveStage: access === 'edit' && mayMoveStage(viewer, row.responsible_id),
    /** Whether finishing the stage by hand is possible at all: not while it waits (`stage_waiting`). */
    mayFinishStage: row.status === 'active' && def.compiled.stages.get(row.stage_key)?.wait === undefined,
  };
}

export type ProcessCard = Awaited<ReturnType<typeof processCard>>;

export interface JournalQuery {
  readonly filter: JournalFilter;
  readonly sort: JournalSort;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** A page of the journal, as summaries. */
export async function journal(ctx: EngineContext, viewer: Actor, query: JournalQuery) {
  const db = ctx.store.db;
  const now = ctx.clock.now();
  const page = await listProcesses(db, ctx.store.caps, viewer, query.filter, {
    sort: query.sort,
    limit: query.limit,
    after: query.cursor ? decodeSortCursor(query.cursor) : undefined,
    now,
  });
  const employees = await namesOf(
    db,
    'employees',
    page.rows.flatMap((r) => [r.initiator_id, r.responsible_id, r.acting_for_id]),
  );
  const counterparties = await namesOf(
    db,
    'counterparties',
    page.rows.map((r) => r.counterparty_id),
  );
  const loaded: { row: ProcessRow; def: LoadedVersion }[] = [];
  for (const row of page.rows) {
    loaded.push({ row, def: await ctx.definitions.load(db, row.definition_id, row.definition_version) });
  }
  const waiting = await waitingUntilOf(db, loaded);
  const items: ProcessSummary[] = loaded.map(({ row, def }) =>
    summary(row, def, employees, counterparties, waiting.get(row.id) ?? null, now),
  );
  return { items, nextCursor: page.next ? encodeSortCursor(page.next) : null };
}

/** Counts per status of what the journal filter matches (lower bounds for a short search, unless `exact`). */
export async function journalCounts(
  ctx: EngineContext,
  viewer: Actor,
  filter: JournalFilter,
  exact: boolean,
) {
  return countByStatus(ctx.store.db, ctx.store.caps, viewer, filter, ctx.clock.now(), exact);
}

/** The protocol of a process, oldest first. */
export async function protocolOf(
  ctx: EngineContext,
  viewer: Actor,
  processId: string,
  limit: number,
  after?: string,
) {
  const db = ctx.store.db;
  const access = await accessOf(db, processId, viewer);
  const exists = await findProcess(db, processId);
  if (!exists || access === 'none') throw notFound('Process', processId);
  let afterId = 0;
  if (after !== undefined) {
    afterId = Number.parseInt(after, 10);
    if (!Number.isSafeInteger(afterId) || afterId < 0 || String(afterId) !== after)
      throw new DomainError('invalid_cursor');
  }
  const rows = await listProtocol(db, processId, afterId, limit + 1);
  const { page, nextCursor } = pageOf(rows, limit, (last) => String(last.id));
  return {
    items: page.map((r) => ({
      id: String(r.id),
      at: isoTime(r.at),
      actor: r.actor_id ? { id: r.actor_id, name: r.actor_name ?? '' } : null,
      action: r.action,
      details: JSON.parse(r.details) as Record<string, unknown>,
    })),
    nextCursor,
  };
}
