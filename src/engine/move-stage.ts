/** Starting work on the current stage, or finishing it with a result. */
import { DomainError } from '../domain/errors.ts';
import { mayMoveStage } from '../domain/process/stage-ownership.ts';
import type { ProcessRow } from '../store/processes.ts';
import type { Actor, EngineContext } from './context.ts';
import { requireEmployee } from './references.ts';
import { applyCommand, inTransaction, loadForWrite } from './run-command.ts';

export interface MoveStageRequest {
  readonly state: 'in_progress' | 'done';
  readonly result?: string | undefined;
  readonly nextResponsibleId?: string | undefined;
  readonly expectedVersion?: number | undefined;
}

export async function moveStage(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  request: MoveStageRequest,
): Promise<ProcessRow> {
  return inTransaction(ctx, async (tx, log) => {
    const row = await loadForWrite(tx, ctx, actor, processId, { expectedVersion: request.expectedVersion });
    if (!mayMoveStage(actor, row.responsible_id)) {
      throw new DomainError('not_stage_responsible', undefined, { responsibleId: row.responsible_id });
    }
    if (request.nextResponsibleId) await requireEmployee(tx, request.nextResponsibleId, 'nextResponsibleId');
    const command =
      request.state === 'in_progress'
        ? ({ type: 'stage.start', actorId: actor.id } as const)
        : ({
            type: 'stage.finish',
            actorId: actor.id,
            result: request.result,
            nextResponsibleId: request.nextResponsibleId,
          } as const);
    return (await applyCommand(tx, ctx, row, command, log)).row;
  });
}
