/** Launching processes: one, or one definition for a list of counterparties, all or nothing. */
import type { Insertable } from 'kysely';
import type { Actor, EngineContext } from '../context.ts';
import { notificationText } from '../domain/notification-text.ts';
import { insertNotifications } from '../store/notifications.ts';
import type { ProcessRow } from '../store/processes.ts';
import { type LinkType, requireCounterparty, requireLinkTarget } from '../store/references.ts';
import type { NotificationTable } from '../store/schema.ts';
import { launchInTransaction, logNotifications, writeScope } from './apply-effects.ts';
import { inTransaction } from './run-command.ts';

export interface LaunchRequest {
  readonly definitionId: string;
  readonly counterpartyId?: string | undefined;
  readonly note?: string | undefined;
  readonly links?: readonly { readonly type: LinkType; readonly id: string }[] | undefined;
}

/** Starts a process of the latest published version at its start stage. */
export async function launchProcess(
  ctx: EngineContext,
  actor: Actor,
  request: LaunchRequest,
): Promise<ProcessRow> {
  return inTransaction(ctx, async (tx, log) => {
    if (request.counterpartyId) await requireCounterparty(tx, request.counterpartyId);
    const links = dedupe(request.links ?? []);
    for (const link of links) await requireLinkTarget(tx, link.type, link.id);
    return launchInTransaction(writeScope(tx, ctx, log), {
      definitionId: request.definitionId,
      actorId: actor.id,
      counterpartyId: request.counterpartyId ?? null,
      note: request.note ?? '',
      links,
      parentId: null,
    });
  });
}

export interface BulkLaunchRequest {
  readonly definitionId: string;
  readonly counterpartyIds: readonly string[];
  readonly note?: string | undefined;
}

/**
 * Launches one process per counterparty in one transaction: all of them, or none. Each
 * counterparty's launch is one launch for STAGEFLOW_MAX_SPAWN_PER_LAUNCH (it gets its own count,
 * as if launched alone), so a definition that may be launched may be launched in bulk; the size of
 * the list is bounded by the request schema (1000). When any one launch would exceed the limit,
 * the whole bulk is refused and nothing is written.
 */
export async function bulkLaunch(
  ctx: EngineContext,
  actor: Actor,
  request: BulkLaunchRequest,
): Promise<ProcessRow[]> {
  return inTransaction(ctx, async (tx, log) => {
    const ids = [...new Set(request.counterpartyIds)];
    for (const id of ids) await requireCounterparty(tx, id, 'counterpartyIds');
    const rows: ProcessRow[] = [];
    log.heldLaunches = [];
    for (const counterpartyId of ids) {
      rows.push(
        await launchInTransaction(writeScope(tx, ctx, log), {
          definitionId: request.definitionId,
          actorId: actor.id,
          counterpartyId,
          note: request.note ?? '',
          links: [],
          parentId: null,
        }),
      );
    }
    const grouped = groupLaunchNotices(log.heldLaunches, ctx.newId);
    log.heldLaunches = undefined;
    await insertNotifications(tx, grouped);
    logNotifications(log, grouped);
    return rows;
  });
}

/** How many process ids a grouped launch notification lists; `count` is always the full number. */
const MAX_GROUPED_IDS = 50;

/**
 * One bulk launch tells each recipient once per definition: a single `process.launched` row stays
 * as it is; several become one `processes.launched` row with their `count` and (the first 50)
 * `processIds`.
 */
export function groupLaunchNotices(
  held: readonly Insertable<NotificationTable>[],
  newId: () => string,
): Insertable<NotificationTable>[] {
  const groups = new Map<string, Insertable<NotificationTable>[]>();
  for (const n of held) {
    const details = JSON.parse(n.details) as Record<string, unknown>;
    const key = JSON.stringify([n.employee_id, details.definitionId ?? null]);
    const group = groups.get(key);
    if (group) group.push(n);
    else groups.set(key, [n]);
  }
  const out: Insertable<NotificationTable>[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    if (!first) continue;
    if (group.length === 1) {
      out.push(first);
      continue;
    }
    const d = JSON.parse(first.details) as Record<string, unknown>;
    const details = {
      count: group.length,
      // The first few only: the row travels whole through LISTEN/NOTIFY (8000 bytes at most).
      processIds: group.slice(0, MAX_GROUPED_IDS).map((n) => n.process_id),
      definitionId: d.definitionId,
      definitionName: d.definitionName,
      stage: d.stage,
      stageName: d.stageName,
      initiatorName: d.initiatorName,
    };
    out.push({
      id: newId(),
      employee_id: first.employee_id,
      kind: 'processes.launched',
      process_id: null,
      text: notificationText('processes.launched', details),
      details: JSON.stringify(details),
      read: 0,
      at: first.at,
    });
  }
  return out;
}

function dedupe<T extends { type: string; id: string }>(links: readonly T[]): T[] {
  const seen = new Set<string>();
  return links.filter((l) => {
    const key = `${l.type}:${l.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
