/**
 * The durable timer worker: polls for due timer rows and fires them in batches. Business time lives
 * in the rows; the poll interval only decides how soon after its time a timer fires. Safe to run on
 * every node: batches are claimed with SKIP LOCKED on PostgreSQL.
 */
import type { EngineContext } from '../context.ts';
import { fireDueBatch } from '../engine/fire-due.ts';

export interface TimerWorkerOptions {
  readonly intervalMs?: number;
  readonly batchSize?: number;
  /**
   * Batches fired side by side. Only a store that claims with SKIP LOCKED gains from more than
   * one (SQLite serialises writers); default 4 there, 1 otherwise.
   */
  readonly concurrency?: number;
}

export class TimerWorker {
  readonly #ctx: EngineContext;
  readonly #intervalMs: number;
  readonly #batchSize: number;
  readonly #concurrency: number;
  #handle: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(ctx: EngineContext, options: TimerWorkerOptions = {}) {
    this.#ctx = ctx;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#batchSize = options.batchSize ?? 500;
    this.#concurrency = Math.max(1, options.concurrency ?? (ctx.store.caps.skipLocked ? 4 : 1));
  }

  /** Fires what is overdue at once, then keeps polling. */
  start(): void {
    this.#stopped = false;
    this.#tick();
    this.#handle = setInterval(() => this.#tick(), this.#intervalMs);
    this.#handle.unref();
  }

  /** Drains everything due now; returns how many timers fired. */
  async drain(): Promise<number> {
    const lanes = await Promise.all(Array.from({ length: this.#concurrency }, () => this.#drainLane()));
    return lanes.reduce((a, b) => a + b, 0);
  }

  async #drainLane(): Promise<number> {
    let fired = 0;
    for (;;) {
      if (this.#stopped) return fired;
      const batch = await fireDueBatch(this.#ctx, this.#batchSize);
      fired += batch.fired;
      if (batch.claimed < this.#batchSize) return fired;
    }
  }

  #tick(): void {
    if (this.#running) return;
    this.#running = this.drain()
      .then(() => undefined)
      .catch((err: unknown) => this.#ctx.log?.error({ err }, 'timer worker failed'))
      .finally(() => {
        this.#running = undefined;
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#handle) clearInterval(this.#handle);
    await this.#running;
  }
}
