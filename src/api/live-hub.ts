/**
 * Live delivery of committed notifications to the open streams of their employees, and of logouts
 * to the streams of the ended session. With a shared PostgreSQL every node publishes on one channel
 * and delivers to its own streams; with SQLite (one node) delivery is direct.
 */
import { createHash } from 'node:crypto';
import type { CommittedNotification } from '../context.ts';
import type { Store } from '../store/store.ts';

const CHANNEL = 'stageflow_notifications';
/** Carries the hash of a session token that was just logged out (never the token itself). */
const SESSION_CHANNEL = 'stageflow_session_ended';

const sessionKey = (token: string) => createHash('sha256').update(token).digest('hex');

export type LiveListener = (notification: CommittedNotification) => void;

export class LiveHub {
  readonly #store: Store;
  readonly #listeners = new Map<string, Set<LiveListener>>();
  readonly #sessionWatchers = new Map<string, Set<() => void>>();

  constructor(store: Store) {
    this.#store = store;
  }

  async start(): Promise<void> {
    await this.#store.pubsub?.subscribe(CHANNEL, (payload) => {
      try {
        this.#deliver(JSON.parse(payload) as CommittedNotification);
      } catch {
        // a message we did not write
      }
    });
    await this.#store.pubsub?.subscribe(SESSION_CHANNEL, (key) => this.#sessionEnded(key));
  }

  /** Announces that the session with this token was logged out, so its streams on every node end now. */
  async endSession(token: string): Promise<void> {
    const key = sessionKey(token);
    if (this.#store.pubsub) await this.#store.pubsub.publish(SESSION_CHANNEL, key);
    else this.#sessionEnded(key);
  }

  /** Calls `onEnd` when the session with this token is logged out on any node; returns the unwatch. */
  watchSession(token: string, onEnd: () => void): () => void {
    const key = sessionKey(token);
    const set = this.#sessionWatchers.get(key) ?? new Set();
    set.add(onEnd);
    this.#sessionWatchers.set(key, set);
    return () => {
      set.delete(onEnd);
      if (set.size === 0 && this.#sessionWatchers.get(key) === set) this.#sessionWatchers.delete(key);
    };
  }

  #sessionEnded(key: string): void {
    for (const onEnd of [...(this.#sessionWatchers.get(key) ?? [])]) onEnd();
  }

  /** Announces notifications that have just been committed. */
  publish(rows: readonly CommittedNotification[]): void {
    for (const row of rows) {
      if (this.#store.pubsub)
        void this.#store.pubsub.publish(CHANNEL, JSON.stringify(row)).catch(() => undefined);
      else this.#deliver(row);
    }
  }

  listen(employeeId: string, listener: LiveListener): () => void {
    const set = this.#listeners.get(employeeId) ?? new Set();
    set.add(listener);
    this.#listeners.set(employeeId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(employeeId);
    };
  }

  #deliver(row: CommittedNotification): void {
    for (const listener of this.#listeners.get(row.employeeId) ?? []) listener(row);
  }
}
