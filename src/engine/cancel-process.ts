/** Cancelling a process: administrators only; its timers go with it. */

import type { Actor, EngineContext } from '../context.ts';
import type { ProcessRow } from '../store/processes.ts';
import { runProcessCommand } from './run-command.ts';

export async function cancelProcess(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  expectedVersion?: number,
): Promise<ProcessRow> {
  return runProcessCommand(
    ctx,
    actor,
    processId,
    { type: 'cancel', actorId: actor.id },
    {
      expectedVersion,
      requires: 'admin',
    },
  );
}
