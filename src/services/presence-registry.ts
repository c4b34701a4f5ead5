/**
 * Who is online: an employee with at least one open notification stream, on any node. Each node
 * counts its own streams in memory (a closed stream counts at once) and, when nodes share a
 * PostgreSQL, mirrors them into the `presence` table with a heartbeat, so a node that dies stops
 * counting within PRESENCE_TTL_MS. Presence uses wall time, never the business clock.
 *
 * Routing and the card ask on every move: for them, who is online on the other nodes is read in one
 * statement and kept for as long as they allow (ROUTING_PRESENCE_MS), and dropped at once when another node says (on
 * PRESENCE_CHANNEL, after writing its row) that someone came online there or went offline.
 */
import { randomUUID } from 'node:crypto';
import type { Presence } from '../context.ts';
import {
  deleteNodePresence,
  heartbeat,
  onlineElsewhere,
  onlineEmployees,
  setPresence,
} from '../store/presence.ts';
import type { Db, Store } from '../store/store.ts';

export const HEARTBEAT_MS = 15_000;
export const PRESENCE_TTL_MS = 45_000;
/** Where a node says that someone came online on it or went offline (payload: its node id). */
export const PRESENCE_CHANNEL = 'stageflow_presence';

export class PresenceRegistry implements Presence {
  readonly nodeId = randomUUID();
  readonly #store: Store;
  readonly #shared: boolean;
  readonly #local = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  /** Writes to the presence table, in order, so a quick connect/disconnect cannot be reordered. */
  #writes: Promise<void> = Promise.resolve();
  /** Who is online on the other nodes, as last read, and when. */
  #elsewhere: { readonly at: number; readonly ids: ReadonlySet<string> } | undefined;
  /** Counts the changes other nodes announced, so a read that overlapped one is not kept. */
  #changes = 0;

  constructor(store: Store) {
    this.#store = store;
    this.#shared = store.pubsub !== undefined;
  }

  /** Starts the heartbeat; resolves once the node listens for the other nodes' changes. */
  async start(): Promise<void> {
    if (!this.#shared) return;
    const listening = this.#store.pubsub
      ?.subscribe(PRESENCE_CHANNEL, (nodeId) => {
        if (nodeId === this.nodeId) return;
        this.#changes++;
        this.#elsewhere = undefined;
      })
      .catch(() => {
        // Not listening: what was read still ends within the time its readers allow.
      });
    this.#timer = setInterval(() => {
      this.#enqueue(async () => {
        const now = Date.now();
        await heartbeat(this.#store.db, this.nodeId, now, now - 10 * PRESENCE_TTL_MS);
      });
    }, HEARTBEAT_MS);
    this.#timer.unref();
    await listening;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#shared)
      this.#enqueue(async () => {
        await deleteNodePresence(this.#store.db, this.nodeId);
        await this.#store.pubsub?.publish(PRESENCE_CHANNEL, this.nodeId);
      });
    await this.#writes;
  }

  connect(employeeId: string): void {
    const count = (this.#local.get(employeeId) ?? 0) + 1;
    this.#local.set(employeeId, count);
    this.#mirror(employeeId, count);
  }

  disconnect(employeeId: string): void {
    const count = Math.max(0, (this.#local.get(employeeId) ?? 0) - 1);
    if (count === 0) this.#local.delete(employeeId);
    else this.#local.set(employeeId, count);
    this.#mirror(employeeId, count);
  }

  /** Resolves once the presence table reflects every connect and disconnect so far. */
  flushed(): Promise<void> {
    return this.#writes;
  }

  async onlineAmong(
    db: Db,
    employeeIds: readonly string[],
    options?: { readonly recentMs?: number },
  ): Promise<ReadonlySet<string>> {
    const online = new Set(employeeIds.filter((id) => this.#local.has(id)));
    if (!this.#shared || online.size === employeeIds.length || employeeIds.length === 0) return online;
    if (options?.recentMs !== undefined) {
      const elsewhere = await this.#onlineElsewhere(db, options.recentMs);
      for (const id of employeeIds) if (elsewhere.has(id)) online.add(id);
      return online;
    }
    const rows = await onlineEmployees(db, employeeIds, Date.now() - PRESENCE_TTL_MS);
    for (const r of rows) online.add(r.employee_id);
    return online;
  }

  async #onlineElsewhere(db: Db, recentMs: number): Promise<ReadonlySet<string>> {
    const now = Date.now();
    const known = this.#elsewhere;
    if (known && now - known.at <= recentMs) return known.ids;
    const changes = this.#changes;
    const rows = await onlineElsewhere(db, this.nodeId, now - PRESENCE_TTL_MS);
    const ids = new Set(rows.map((r) => r.employee_id));
    if (changes === this.#changes) this.#elsewhere = { at: now, ids };
    return ids;
  }

  #mirror(employeeId: string, count: number): void {
    if (!this.#shared) return;
    // Other nodes drop what they read when someone comes online here or goes offline.
    const announce = count <= 1;
    this.#enqueue(async () => {
      await setPresence(this.#store.db, this.nodeId, employeeId, count, Date.now());
      if (announce) await this.#store.pubsub?.publish(PRESENCE_CHANNEL, this.nodeId);
    });
  }

  #enqueue(write: () => Promise<unknown>): void {
    this.#writes = this.#writes.then(write).then(
      () => undefined,
      () => undefined,
    );
  }
}
