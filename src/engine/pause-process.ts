/** Manual pause until a time or for a duration, and resuming early. */

import type { Actor, EngineContext } from '../context.ts';
import { addDuration, mustParseDuration, parseDuration, WAIT_MAX } from '../domain/duration.ts';
import { DomainError } from '../domain/errors.ts';
import type { ProcessRow } from '../store/processes.ts';
import { runProcessCommand } from './run-command.ts';

export interface PauseRequest {
  /** ISO 8601 time the process resumes by itself. */
  readonly until?: string | undefined;
  /** Or an ISO 8601 duration from now. */
  readonly for?: string | undefined;
  readonly expectedVersion?: number | undefined;
}

/** Longest manual pause: ten years, like the longest wait. */
const MAX_PAUSE = mustParseDuration(WAIT_MAX);

export async function pauseProcess(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  request: PauseRequest,
): Promise<ProcessRow> {
  const until = pauseEnd(ctx, request);
  return runProcessCommand(ctx, actor, processId, { type: 'pause', actorId: actor.id, until }, request);
}

/** When a pause asked for `until` a time or `for` a duration ends; 422 when that is no valid end. */
export function pauseEnd(ctx: EngineContext, request: Pick<PauseRequest, 'until' | 'for'>): number {
  const now = ctx.clock.now();
  let until: number;
  if ((request.until === undefined) === (request.for === undefined)) {
    throw new DomainError('validation_failed', 'Give either "until" or "for".');
  }
  if (request.for !== undefined) {
    const parsed = parseDuration(request.for);
    if (!parsed) throw new DomainError('invalid_duration', `"${request.for}" is not an ISO 8601 duration.`);
    until = addDuration(now, parsed, ctx.zone);
  } else {
    until = Date.parse(request.until ?? '');
    if (Number.isNaN(until))
      throw new DomainError('invalid_time', `"${request.until}" is not an ISO 8601 time.`);
  }
  // Negated, so a duration too large to land on any instant (NaN) is refused too.
  if (!(until <= addDuration(now, MAX_PAUSE, ctx.zone))) {
    throw new DomainError('invalid_time', 'A pause lasts at most ten years.');
  }
  return until;
}

export async function resumeProcess(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  expectedVersion?: number,
): Promise<ProcessRow> {
  return runProcessCommand(ctx, actor, processId, { type: 'resume', actorId: actor.id }, { expectedVersion });
}
