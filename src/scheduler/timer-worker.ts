/**
 * The durable timer worker: polls for due timer rows and fires them in batches. Business time lives
 * in the rows; the poll interval only decides how soon after its time a timer fires. Safe to run on
 * every node: batches are claimed with SKIP LOCKED on PostgreSQL.
 *
 * Between batches it also folds the journal's status-counter deltas and the analytics deltas (at
 * most every `foldIntervalMs`), so a burst of finished processes leaves the counters compact soon
 * after.
 */
import type { EngineContext } from '../context.ts';
import { fireDueBatch } from '../engine/fire-due.ts';
import { applyDueAbsences, routeAwaitingStages } from '../engine/time-control.ts';
import { foldAnalyticsRollups } from '../store/analytics-rollups.ts';
import { compactProcessCounts } from '../store/process-counts.ts';
import { every } from './every.ts';

export interface TimerWorkerOptions {
  readonly intervalMs?: number;
  readonly batchSize?: number;
  /**
   * Batches fired side by side. Only a store that claims with SKIP LOCKED gains from more than
   * one (SQLite serialises writers); default 3 there, 1 otherwise. Each lane's stepping runs on
   * the node's one thread, so more lanes fire a burst somewhat faster but make the requests
   * answered meanwhile wait longer: 100,000 due among a million on PostgreSQL (2 CPUs) took
   * 22–23.5 s with 2 lanes (API p99 55–57 ms meanwhile), 18.5–18.8 s with 3 (73–77 ms), 17.3 s
   * with 4 (92 ms).
   */
  readonly concurrency?: number;
  /**
   * How long one batch may work before it commits what fired and lets others have a turn
   * (milliseconds of work). Default 50 on a store that serialises writers, none otherwise.
   */
  readonly batchBudgetMs?: number;
  /** Least time between two folds of the status-counter deltas. */
  readonly foldIntervalMs?: number;
}

/** Lanes by default where the claim skips locked rows (see `concurrency`). */
const SKIP_LOCKED_LANES = 3;

/**
 * Lanes for a PostgreSQL pool of `poolSize`: each holds a pooled connection while it fires, so at
 * most a third of the pool (and the default 3), leaving the requests answered during a burst theirs.
 */
export function lanesForPool(poolSize: number): number {
  return Math.max(1, Math.min(SKIP_LOCKED_LANES, Math.floor(poolSize / 3)));
}

export class TimerWorker {
  readonly #ctx: EngineContext;
  readonly #intervalMs: number;
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #foldIntervalMs: number;
  readonly #budgetMs: number | undefined;
  #lastFold = 0;
  #folding = false;
  #handle: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(ctx: EngineContext, options: TimerWorkerOptions = {}) {
    this.#ctx = ctx;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#batchSize = options.batchSize ?? 500;
    this.#concurrency = Math.max(
      1,
      options.concurrency ?? (ctx.store.caps.skipLocked ? SKIP_LOCKED_LANES : 1),
    );
    this.#foldIntervalMs = options.foldIntervalMs ?? 2000;
    this.#budgetMs = options.batchBudgetMs ?? (ctx.store.caps.skipLocked ? undefined : 50);
  }

  /** Fires what is overdue at once, then keeps polling. */
  start(): void {
    this.#stopped = false;
    this.#handle = every(this.#intervalMs, () => this.#tick());
  }

  /** Drains everything due now; returns how many timers fired. */
  async drain(): Promise<number> {
    const absences = await applyDueAbsences(this.#ctx);
    const lanes = await Promise.all(Array.from({ length: this.#concurrency }, () => this.#drainLane()));
    const routed = this.#stopped ? 0 : await routeAwaitingStages(this.#ctx);
    await this.#fold();
    return absences + lanes.reduce((a, b) => a + b, 0) + routed;
  }

  async #drainLane(): Promise<number> {
    let fired = 0;
    for (;;) {
      if (this.#stopped) return fired;
      const batch = await fireDueBatch(this.#ctx, this.#batchSize, { budgetMs: this.#budgetMs });
      fired += batch.fired;
      if (batch.claimed < this.#batchSize && batch.left === 0) return fired;
      await this.#fold();
      // Requests that arrived meanwhile get their turn before the next batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Folds the counter deltas when the last fold is old enough; one lane folds at a time. */
  async #fold(): Promise<void> {
    if (this.#folding || this.#stopped) return;
    const now = Date.now();
    if (now - this.#lastFold < this.#foldIntervalMs) return;
    this.#folding = true;
    this.#lastFold = now;
    try {
      // Each fold on its own: one that fails leaves the other to run.
      try {
        await compactProcessCounts(this.#ctx.store, 5000, 20);
      } catch (err) {
        this.#ctx.log?.warn({ err }, 'status counters not folded');
      }
      try {
        await foldAnalyticsRollups(this.#ctx.store, 5000, 20);
      } catch (err) {
        this.#ctx.log?.warn({ err }, 'analytics deltas not folded');
      }
    } finally {
      this.#folding = false;
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
