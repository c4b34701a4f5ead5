/** Links from a process to invoices, orders, contracts, projects and waybills. */

import type { Actor, EngineContext } from '../context.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { requireUnfinished } from '../domain/process/step.ts';
import { inTransaction, loadForWrite, recordActorChange } from '../engine/run-command.ts';
import { deleteLink, findLink, insertLink } from '../store/links.ts';
import type { ProcessRow } from '../store/processes.ts';
import { type LinkType, requireLinkTarget } from '../store/references.ts';
import type { Db } from '../store/store.ts';

/** Loads the process for writing, refuses a finished one, changes its links and records the change. */
async function changeLinks(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  action: 'link.added' | 'link.removed',
  link: { readonly type: string; readonly id: string },
  change: (tx: Db) => Promise<void>,
): Promise<ProcessRow> {
  return inTransaction(ctx, async (tx) => {
    const row = await loadForWrite(tx, ctx, actor, processId);
    requireUnfinished(row.status);
    await change(tx);
    const now = await recordActorChange(tx, ctx, actor, processId, action, { type: link.type, id: link.id });
    return { ...row, updated_at: now };
  });
}

export async function addLink(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  type: LinkType,
  linkedId: string,
): Promise<ProcessRow> {
  return changeLinks(ctx, actor, processId, 'link.added', { type, id: linkedId }, async (tx) => {
    await requireLinkTarget(tx, type, linkedId);
    if (await findLink(tx, processId, type, linkedId))
      throw new DomainError('duplicate', 'The process is linked to this record already.', {
        type,
        id: linkedId,
      });
    await insertLink(tx, processId, type, linkedId);
  });
}

export const removeLink = (
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  type: string,
  linkedId: string,
): Promise<ProcessRow> =>
  changeLinks(ctx, actor, processId, 'link.removed', { type, id: linkedId }, async (tx) => {
    if (!(await deleteLink(tx, processId, type as LinkType, linkedId)))
      throw notFound('Link', `${type}/${linkedId}`);
  });
