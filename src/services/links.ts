/** Links from a process to invoices, orders, contracts, projects and waybills. */

import type { Actor, EngineContext } from '../context.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { requireUnfinished } from '../domain/process/step.ts';
import { inTransaction, loadForWrite } from '../engine/run-command.ts';
import { type ProcessRow, recordChange } from '../store/processes.ts';
import { type LinkType, requireLinkTarget } from '../store/references.ts';

export async function addLink(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  type: LinkType,
  linkedId: string,
): Promise<ProcessRow> {
  return inTransaction(ctx, async (tx) => {
    const row = await loadForWrite(tx, ctx, actor, processId);
    requireUnfinished(row.status);
    await requireLinkTarget(tx, type, linkedId);
    const existing = await tx
      .selectFrom('process_links')
      .select('linked_id')
      .where('process_id', '=', processId)
      .where('type', '=', type)
      .where('linked_id', '=', linkedId)
      .executeTakeFirst();
    if (existing)
      throw new DomainError('duplicate', 'The process is linked to this record already.', {
        type,
        id: linkedId,
      });
    const now = ctx.clock.now();
    await tx
      .insertInto('process_links')
      .values({ process_id: processId, type, linked_id: linkedId })
      .execute();
    await recordChange(tx, {
      processId,
      at: now,
      actorId: actor.id,
      action: 'link.added',
      details: { type, id: linkedId },
    });
    return { ...row, updated_at: now };
  });
}

export async function removeLink(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  type: string,
  linkedId: string,
): Promise<ProcessRow> {
  return inTransaction(ctx, async (tx) => {
    const row = await loadForWrite(tx, ctx, actor, processId);
    requireUnfinished(row.status);
    const removed = await tx
      .deleteFrom('process_links')
      .where('process_id', '=', processId)
      .where('type', '=', type as LinkType)
      .where('linked_id', '=', linkedId)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw notFound('Link', `${type}/${linkedId}`);
    const now = ctx.clock.now();
    await recordChange(tx, {
      processId,
      at: now,
      actorId: actor.id,
      action: 'link.removed',
      details: { type, id: linkedId },
    });
    return { ...row, updated_at: now };
  });
}
