/**
 * Live delivery of committed notifications to the open streams of their employees. With a shared
 * PostgreSQL every node publishes on one channel and delivers to its own streams; with SQLite
 * (one node) delivery is direct.
 */
import type { CommittedNotification } from '../engine/context.ts';
import type { Store } from '../store/store.ts';

const CHANNEL = 'stageflow_notifications';

export type LiveListener = (notification: CommittedNotification) => void;

export class LiveHub {
  readonly #store: Store;
  readonly #listeners = new Map<string, Set<LiveListener>>();

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
