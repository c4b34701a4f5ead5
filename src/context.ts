/** What every use case runs with: the store, the clock, the time zone, presence, and id generation. */
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from './domain/clock.ts';
import { DomainError } from './domain/errors.ts';
import type { EngineLimits } from './engine/limits.ts';
import { DefinitionCache } from './store/definition-cache.ts';
import type { Db, Store } from './store/store.ts';
import type { Viewer } from './store/visibility.ts';

/** The employee a command runs for. */
export interface Actor extends Viewer {
  readonly name: string;
}

/** The actor, if an administrator; `forbidden` (with the given text) for anyone else. */
export function requireAdmin<A extends Actor>(actor: A, text = 'Administrators only.'): A {
  if (actor.role !== 'admin') throw new DomainError('forbidden', text);
  return actor;
}

/** Who is online, as far as routing needs to know. */
/** How long routing and the card may go by what they last read of other nodes' presence. */
export const ROUTING_PRESENCE_MS = 2_000;

export interface Presence {
  /**
   * Which of these employees are online. `db` is the connection to read through: inside a
   * transaction, that transaction's own (a second pooled connection there could wait on itself).
   * `recentMs`: what other nodes said up to this long ago will do (routing and the card ask so;
   * the employee list asks for now).
   */
  onlineAmong(
    db: Db,
    employeeIds: readonly string[],
    options?: { readonly recentMs?: number },
  ): Promise<ReadonlySet<string>>;
}

/** A notification row that was committed, for live delivery. */
export interface CommittedNotification {
  readonly id: string;
  readonly employeeId: string;
  readonly kind: string;
  readonly processId: string | null;
  readonly text: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly at: number;
}

export interface EngineContext {
  readonly store: Store;
  readonly clock: Clock;
  /** IANA zone for calendar durations (STAGEFLOW_TIMEZONE). */
  readonly zone: string;
  readonly presence: Presence;
  readonly definitions: DefinitionCache;
  readonly newId: () => string;
  readonly log?: Logger | undefined;
  /** Called after a commit with the notifications it wrote. */
  readonly onNotifications?: ((rows: readonly CommittedNotification[]) => void) | undefined;
  /**
   * How long a stage whose listed responsibles are all offline waits for one to come online before
   * it goes to the first listed (STAGEFLOW_ROUTING_WAIT); 0 or absent: it goes at once.
   */
  readonly routingWaitMs?: number | undefined;
  /** Bounds on spawned children and timer retries; the defaults when absent (see limits.ts). */
  readonly limits?: EngineLimits | undefined;
}

export const NOBODY_ONLINE: Presence = { onlineAmong: async () => new Set() };

export function createEngineContext(
  parts: Pick<EngineContext, 'store' | 'clock'> & Partial<Omit<EngineContext, 'store' | 'clock'>>,
): EngineContext {
  return {
    zone: 'UTC',
    presence: NOBODY_ONLINE,
    definitions: new DefinitionCache(),
    newId: uuidv7,
    ...parts,
  };
}
