/**
 * Who a session token belongs to, remembered for a few seconds per node so that a request does
 * not look its session up in the database every time. Keyed by the token's hash, never the token.
 *
 * - Logout drops the entry on the node that logged out before it answers; other nodes drop it when
 *   the logout is announced on the store's channel (PostgreSQL), and at the latest after
 *   SESSION_CACHE_TTL_MS, when the entry is read again from the database.
 * - Expiry needs no lookup: the cached entry carries the session's expiry and is checked on every use.
 * - Nothing business-related lives here: the sessions table stays the truth; this is a read cache.
 */
import type { Actor } from '../context.ts';
import type { Store } from '../store/store.ts';

/** How long a node trusts what it read about a session (the bound for a logout or deactivation on another node). */
export const SESSION_CACHE_TTL_MS = 5_000;
/** At most this many sessions are remembered; the oldest go first. */
const MAX_ENTRIES = 10_000;
/** The channel a logout is announced on to every node (the live hub publishes on it). */
const SESSION_ENDED_CHANNEL = 'stageflow_session_ended';

export type SessionActor = Actor & { login: string };

interface Entry {
  readonly actor: SessionActor;
  readonly expiresAt: number;
  readonly readAt: number;
}

export class SessionCache {
  readonly #entries = new Map<string, Entry>();
  #forgotten = 0;

  /**
   * Taken before reading a session from the database and handed to `set`: a logout that lands
   * while the read is under way keeps what was read out of the cache.
   */
  mark(): number {
    return this.#forgotten;
  }

  /** The cached actor for a token hash; undefined when unknown, stale or expired (then forgotten). */
  get(tokenHash: string, now: number): SessionActor | undefined {
    const entry = this.#entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.expiresAt <= now || entry.readAt + SESSION_CACHE_TTL_MS <= now || entry.readAt > now) {
      this.#entries.delete(tokenHash);
      return undefined;
    }
    return entry.actor;
  }

  set(tokenHash: string, actor: SessionActor, expiresAt: number, now: number, mark: number): void {
    if (mark !== this.#forgotten) return;
    this.#entries.delete(tokenHash);
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(tokenHash, { actor: Object.freeze(actor), expiresAt, readAt: now });
  }

  forget(tokenHash: string): void {
    this.#forgotten++;
    this.#entries.delete(tokenHash);
  }
}

const caches = new WeakMap<Store, SessionCache>();

/** The cache of the node that owns `store`; on a shared store it listens for logouts on other nodes. */
export function sessionCacheOf(store: Store): SessionCache {
  let cache = caches.get(store);
  if (!cache) {
    const created = new SessionCache();
    cache = created;
    caches.set(store, created);
    store.pubsub
      ?.subscribe(SESSION_ENDED_CHANNEL, (tokenHash) => created.forget(tokenHash))
      .catch(() => {
        // Not listening: entries still end within SESSION_CACHE_TTL_MS.
      });
  }
  return cache;
}
