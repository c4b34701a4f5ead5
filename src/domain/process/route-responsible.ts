/** Who gets a stage when a process enters it. */
import type { Stage } from '../definition/types.ts';

export interface RoutingInput {
  readonly stage: Stage;
  /** A hand pick by the manager who finished the previous stage; always wins. */
  readonly handPick?: string | undefined;
  /** The employee who made the move; the fallback when the stage lists nobody. */
  readonly moverId: string | null;
  readonly isOnline: (employeeId: string) => boolean;
  /**
   * When set, a stage whose listed responsibles are all offline waits for the first of them to come
   * online instead of going to the first listed at once.
   */
  readonly waitForOnline?: boolean | undefined;
}

export type RoutingReason =
  | 'hand_pick'
  | 'first_online'
  | 'first_listed'
  | 'mover'
  | 'none'
  | 'awaiting_online'
  | 'came_online'
  | 'first_listed_after_wait'
  | 'escalated';

export interface Routing {
  readonly responsibleId: string | null;
  readonly reason: RoutingReason;
}

/**
 * A hand pick wins; else the first online employee in the stage's list order; else, when waiting for
 * someone to come online is on, nobody yet; else the first in the list (they find it when they come
 * back); else the employee who made the move.
 */
export function routeResponsible(input: RoutingInput): Routing {
  if (input.handPick) return { responsibleId: input.handPick, reason: 'hand_pick' };
  const list = input.stage.responsibles ?? [];
  const online = list.find((id) => input.isOnline(id));
  if (online) return { responsibleId: online, reason: 'first_online' };
  const first = list[0];
  if (first && input.waitForOnline) return { responsibleId: null, reason: 'awaiting_online' };
  if (first) return { responsibleId: first, reason: 'first_listed' };
  if (input.moverId) return { responsibleId: input.moverId, reason: 'mover' };
  return { responsibleId: null, reason: 'none' };
}

/** Who does the work of an employee: the employee, or the deputy acting for them while they are away. */
export interface Delegation {
  readonly employeeId: string;
  /** The absent employee the deputy acts for; null when the employee works for themselves. */
  readonly actingForId: string | null;
}

/**
 * The employee who takes work meant for `employeeId`: their deputy while they are absent (and the
 * deputy's deputy if the deputy is away too, never going round in a circle), else themselves.
 */
export function delegate(
  employeeId: string,
  deputyOf: ((employeeId: string) => string | null) | undefined,
): Delegation {
  if (!deputyOf) return { employeeId, actingForId: null };
  let current = employeeId;
  const seen = new Set([employeeId]);
  for (let next = deputyOf(current); next !== null && !seen.has(next); next = deputyOf(current)) {
    seen.add(next);
    current = next;
  }
  return current === employeeId
    ? { employeeId, actingForId: null }
    : { employeeId: current, actingForId: employeeId };
}

/**
 * The next employee after `currentId` in the stage's list (going round) who is online; else the next
 * listed; null when the list has nobody else.
 */
export function nextInList(
  list: readonly string[],
  currentId: string | null,
  isOnline: (employeeId: string) => boolean,
): string | null {
  const at = currentId === null ? -1 : list.indexOf(currentId);
  const order = [...list.slice(at + 1), ...list.slice(0, Math.max(0, at))].filter((id) => id !== currentId);
  return order.find((id) => isOnline(id)) ?? order[0] ?? null;
}
