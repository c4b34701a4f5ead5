/**
 * Who is online: an employee with at least one open notification stream, on any node. Each node
 * counts its own streams in memory (a closed stream counts at once) and, when nodes share a
 * PostgreSQL, mirrors them into the `presence` table with a heartbeat, so a node that dies stops
 * counting within PRESENCE_TTL_MS. Presence uses wall time, never the business clock.
 */
import { randomUUID } from 'node:crypto';
import type { Presence } from '../context.ts';
import { deleteNodePresence, heartbeat, onlineEmployees, setPresence } from '../store/presence.ts';
import type { Db, Store } from '../store/store.ts';

export const HEARTBEAT_MS = 15_000;
export const PRESENCE_TTL_MS = 45_000;

export class PresenceRegistry implements Presence {
  readonly nodeId = randomUUID();
  readonly #store: Store;
  readonly #shared: boolean;
  readonly #local = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  /** Writes to the presence table, in order, so a quick connect/disconnect cannot be reordered. */
  #writes: Promise<void> = Promise.resolve();

  constructor(store: Store) {
    this.#store = store;
    this.#shared = store.pubsub !== undefined;
  }

  start(): void {
    if (!this.#shared) return;
    this.#timer = setInterval(() => {
      this.#enqueue(async () => {
        const now = Date.now();
        await heartbeat(this.#store.db, this.nodeId, now, now - 10 * PRESENCE_TTL_MS);
      });
    }, HEARTBEAT_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#shared) this.#enqueue(() => deleteNodePresence(this.#store.db, this.nodeId));
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

  async onlineAmong(db: Db, employeeIds: readonly string[]): Promise<ReadonlySet<string>> {
    const online = new Set(employeeIds.filter((id) => this.#local.has(id)));
    if (!this.#shared || online.size === employeeIds.length || employeeIds.length === 0) return online;
    const rows = await onlineEmployees(db, employeeIds, Date.now() - PRESENCE_TTL_MS);
    for (const r of rows) online.add(r.employee_id);
    return online;
  }

  #mirror(employeeId: string, count: number): void {
    if (!this.#shared) return;
    this.#enqueue(() => setPresence(this.#store.db, this.nodeId, employeeId, count, Date.now()));
  }

  #enqueue(write: () => Promise<unknown>): void {
    this.#writes = this.#writes.then(write).then(
      () => undefined,
      () => undefined,
    );
  }
}
