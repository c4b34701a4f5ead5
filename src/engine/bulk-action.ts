/**
 * One item of a bulk action from the journal: the same command, under the same access rules, as
 * the single-process route (reassign = PATCH responsibleId, pause, resume, cancel), in its own
 * transaction. A reason, when given, is recorded in the protocol in that same transaction.
 */

import type { Actor, EngineContext } from '../context.ts';
import type { Command } from '../domain/process/step.ts';
import { insertProtocol, type ProcessRow } from '../store/processes.ts';
import { requireEmployee } from '../store/references.ts';
import { applyCommand, type CommandOptions, inTransaction, loadForWrite } from './run-command.ts';

export type BulkCommand =
  | { readonly type: 'reassign'; readonly responsibleId: string }
  | { readonly type: 'pause'; readonly until: number }
  | { readonly type: 'resume' }
  | { readonly type: 'cancel' };

/** Who may run each command: as on the single-process routes (cancelling is for administrators). */
const REQUIRES: Record<BulkCommand['type'], CommandOptions['requires']> = {
  reassign: 'edit',
  pause: 'edit',
  resume: 'edit',
  cancel: 'admin',
};

function commandOf(action: BulkCommand, actorId: string): Command {
  switch (action.type) {
    case 'reassign':
      return { type: 'responsible.set', actorId, responsibleId: action.responsibleId };
    case 'pause':
      return { type: 'pause', actorId, until: action.until };
    case 'resume':
      return { type: 'resume', actorId };
    case 'cancel':
      return { type: 'cancel', actorId };
  }
}

/** Applies one bulk command to one process; throws the command's DomainError when it is refused. */
export async function applyBulkAction(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  action: BulkCommand,
  reason?: string,
): Promise<ProcessRow> {
  return inTransaction(ctx, async (tx, log) => {
    const row = await loadForWrite(tx, ctx, actor, processId, { requires: REQUIRES[action.type] });
    if (action.type === 'reassign') await requireEmployee(tx, action.responsibleId, 'responsibleId');
    const outcome = await applyCommand(tx, ctx, row, commandOf(action, actor.id), log);
    if (outcome.changed && reason !== undefined && reason.trim() !== '') {
      await insertProtocol(tx, [
        {
          process_id: row.id,
          at: ctx.clock.now(),
          actor_id: actor.id,
          action: 'reason.given',
          details: JSON.stringify({ for: action.type, reason: reason.trim() }),
        },
      ]);
    }
    return outcome.row;
  });
}
