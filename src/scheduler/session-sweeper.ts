/**
 * Housekeeping: deletes expired sessions, so the table does not keep the sessions of employees who
 * never log in again (a login only clears its own employee's), and idempotency keys past their
 * 24 hours. An interval is fine here: nothing
 * business-related waits on it, and a missed sweep is caught up by the next (on any node).
 */
import { sweepIdempotencyKeys } from '../store/idempotency-keys.ts';
import { deleteExpiredSessions } from '../store/sessions.ts';
import type { Store } from '../store/store.ts';
import { every } from './every.ts';

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface SessionSweeperOptions {
  readonly intervalMs?: number;
  readonly batchSize?: number;
  /** Batches one sweep deletes at most; the rest wait for the next sweep. */
  readonly maxBatches?: number;
  /** Told of a failed sweep; the next interval tries again. */
  readonly onError?: (error: unknown) => void;
}

export class SessionSweeper {
  readonly #store: Store;
  readonly #intervalMs: number;
  readonly #batchSize: number;
  readonly #maxBatches: number;
  readonly #onError: (error: unknown) => void;
  #handle: NodeJS.Timeout | undefined;
  /** The sweep under way (or done); sweeps run one after another. */
  #last: Promise<unknown> = Promise.resolve();
  #ticking = false;
  #stopped = false;

  constructor(store: Store, options: SessionSweeperOptions = {}) {
    this.#store = store;
    this.#intervalMs = options.intervalMs ?? 10 * 60 * 1000;
    this.#batchSize = options.batchSize ?? 1000;
    this.#maxBatches = options.maxBatches ?? 100;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Sweeps once now, then every interval. */
  start(): void {
    this.#stopped = false;
    this.#handle = every(this.#intervalMs, () => this.#tick());
  }

  /** Stops sweeping and waits for a sweep under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#handle);
    await this.#last;
  }

  /**
   * Deletes the sessions expired by `now` (default: when this sweep starts), batch by batch, after
   * any sweep under way; returns how many went.
   */
  sweep(now?: number): Promise<number> {
    const run = this.#last.then(() => this.#sweep(now ?? Date.now()));
    this.#last = run.catch(() => undefined);
    return run;
  }

  async #sweep(now: number): Promise<number> {
    let deleted = 0;
    for (let batch = 0; batch < this.#maxBatches && !this.#stopped; batch++) {
      const count = await deleteExpiredSessions(this.#store, now, this.#batchSize);
      deleted += count;
      if (count < this.#batchSize) break;
    }
    if (!this.#stopped) await sweepIdempotencyKeys(this.#store, now - IDEMPOTENCY_TTL_MS);
    return deleted;
  }

  #tick(): void {
    if (this.#ticking) return;
    this.#ticking = true;
    this.sweep()
      .catch(this.#onError)
      .finally(() => {
        this.#ticking = false;
      });
  }
}
