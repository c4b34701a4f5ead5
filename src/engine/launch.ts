/** Launching processes: one, or one definition for a list of counterparties, all or nothing. */
import type { ProcessRow } from '../store/processes.ts';
import { launchInTransaction } from './apply-effects.ts';
import type { Actor, EngineContext } from './context.ts';
import { type LinkType, requireCounterparty, requireLinkTarget } from './references.ts';
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
    return launchInTransaction(
      tx,
      ctx,
      {
        definitionId: request.definitionId,
        actorId: actor.id,
        counterpartyId: request.counterpartyId ?? null,
        note: request.note ?? '',
        links,
        parentId: null,
      },
      log,
    );
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
    for (const counterpartyId of ids) {
      rows.push(
        await launchInTransaction(
          tx,
          ctx,
          {
            definitionId: request.definitionId,
            actorId: actor.id,
            counterpartyId,
            note: request.note ?? '',
            links: [],
            parentId: null,
          },
          log,
        ),
      );
    }
    return rows;
  });
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
