/** Changing the running note and the current stage's responsible. */

import type { Actor, EngineContext } from '../context.ts';
import type { ProcessRow } from '../store/processes.ts';
import { requireEmployee } from '../store/references.ts';
import { applyCommand, inTransaction, loadForWrite } from './run-command.ts';

export async function updateProcess(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  request: UpdateProcessRequest,
): Promise<ProcessRow> {
  return inTransaction(ctx, async (tx, log) => {
    let row = await loadForWrite(tx, ctx, actor, processId, { expectedVersion: request.expectedVersion });
    if (request.note !== undefined) {
      row = (
        await applyCommand(tx, ctx, row, { type: 'note.set', actorId: actor.id, note: request.note }, log)
      ).row;
    }
    if (request.responsibleId !== undefined) {
      await requireEmployee(tx, request.responsibleId, 'responsibleId');
      const command = {
        type: 'responsible.set',
        actorId: actor.id,
        responsibleId: request.responsibleId,
      } as const;
      row = (await applyCommand(tx, ctx, row, command, log)).row;
    }
    return row;
  });
}

export interface UpdateProcessRequest {
  readonly note?: string | undefined;
  readonly responsibleId?: string | undefined;
  readonly expectedVersion?: number | undefined;
}
