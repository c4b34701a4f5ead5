/** The answer of the routes that change a process: the process card, as the caller now sees it. */
import type { FastifyRequest } from 'fastify';
import type { Actor, EngineContext } from '../context.ts';
import type { ProcessRow } from '../queries/process-card.ts';
import { processCard } from '../queries/process-card.ts';
import { actorOf } from './auth.ts';

/** Runs `command` as the request's actor, then answers with the card of the process it changed. */
export async function cardAfter(
  ctx: EngineContext,
  request: FastifyRequest,
  command: (actor: Actor) => Promise<ProcessRow>,
) {
  const actor = actorOf(request);
  const row = await command(actor);
  return processCard(ctx, actor, row.id, row);
}
