/** Who gets a stage when a process enters it. */
import type { Stage } from '../definition/types.ts';

export interface RoutingInput {
  readonly stage: Stage;
  /** A hand pick by the manager who finished the previous stage; always wins. */
  readonly handPick?: string | undefined;
  /** The employee who made the move; the fallback when the stage lists nobody. */
  readonly moverId: string | null;
  readonly isOnline: (employeeId: string) => boolean;
}

export type RoutingReason = 'hand_pick' | 'first_online' | 'first_listed' | 'mover' | 'none';

export interface Routing {
  readonly responsibleId: string | null;
  readonly reason: RoutingReason;
}

/**
 * A hand pick wins; else the first online employee in the stage's list order; else the first in
 * the list (they find it when they come back); else the employee who made the move.
 */
export function routeResponsible(input: RoutingInput): Routing {
  if (input.handPick) return { responsibleId: input.handPick, reason: 'hand_pick' };
  const list = input.stage.responsibles ?? [];
  const online = list.find((id) => input.isOnline(id));
  if (online) return { responsibleId: online, reason: 'first_online' };
  const first = list[0];
  if (first) return { responsibleId: first, reason: 'first_listed' };
  if (input.moverId) return { responsibleId: input.moverId, reason: 'mover' };
  return { responsibleId: null, reason: 'none' };
}
