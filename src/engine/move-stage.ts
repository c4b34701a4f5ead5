/** Starting work on the current stage, or finishing it with a result. */

import type { Actor, EngineContext } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { DomainError } from '../domain/errors.ts';
import { mayMoveStage } from '../domain/process/stage-ownership.ts';
import { waitTimerKey } from '../domain/process/step.ts';
import type { ProcessRow } from '../store/processes.ts';
import { requireEmployee } from '../store/references.ts';
import type { Db } from '../store/store.ts';
import { findTimer } from '../store/timers.ts';
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
  { state, result, nextResponsibleId, expectedVersion }: MoveStageRequest,
): Promise<ProcessRow> {
  return inTransaction(ctx, async (tx, log) => {
    const row = await loadForWrite(tx, ctx, actor, processId, { expectedVersion });
    if (!mayMoveStage(actor, row.responsible_id)) {
      throw new DomainError('not_stage_responsible', undefined, { responsibleId: row.responsible_id });
    }
    if (nextResponsibleId) await requireEmployee(tx, nextResponsibleId, 'nextResponsibleId');
    const command =
      state === 'in_progress'
        ? ({ type: 'stage.start', actorId: actor.id } as const)
        : ({ type: 'stage.finish', actorId: actor.id, result, nextResponsibleId } as const);
    try {
      return (await applyCommand(tx, ctx, row, command, log)).row;
    } catch (error) {
      throw await withWaitEnd(tx, row, error);
    }
  });
}

/** A `stage_waiting` refusal says when the wait ends, so the caller knows when it moves on. */
async function withWaitEnd(tx: Db, row: ProcessRow, error: unknown): Promise<unknown> {
  if (!(error instanceof DomainError) || error.code !== 'stage_waiting') return error;
  const timer = await findTimer(tx, waitTimerKey(row.id, row.stage_key, row.visit));
  if (!timer) return error;
  const until = isoTime(Number(timer.due_at));
  return new DomainError(
    'stage_waiting',
    `This stage is waiting until ${until} and then continues by itself; it cannot be finished by hand.`,
    { ...error.details, until },
  );
}
