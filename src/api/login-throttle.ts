/**
 * Slows password guessing: after MAX_PER_LOGIN failed logins for one login from one address (or
 * MAX_PER_ADDRESS from one address) within WINDOW_MS, further attempts get 429 until the window
 * passes. The address comes from X-Forwarded-For (the server trusts its proxy), which a client can
 * vary at will, so one login also has a cap over all addresses together (MAX_PER_LOGIN_ANY_ADDRESS).
 * Unknown logins count exactly like known ones, so the answer reveals nothing. Counts are per node
 * and in memory: they protect, they are not business state.
 */
export const WINDOW_MS = 15 * 60 * 1000;
export const MAX_PER_LOGIN = 5;
export const MAX_PER_ADDRESS = 50;
export const MAX_PER_LOGIN_ANY_ADDRESS = 20;
/** Counters kept in memory at most. */
export const MAX_KEYS = 100_000;

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();

  #recent(key: string, now: number): number[] {
    const list = (this.#failures.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** The counters a failure adds to, each with the count at which it blocks. */
  #keys(address: string, login: string): [string, number][] {
    const name = login.toLowerCase();
    return [
      [`${address}\u0000${name}`, MAX_PER_LOGIN],
      [address, MAX_PER_ADDRESS],
      [`\u0000${name}`, MAX_PER_LOGIN_ANY_ADDRESS],
    ];
  }

  /** Seconds until the caller may try again, or 0 when they may try now. */
  retryAfter(address: string, login: string, now = Date.now()): number {
    const blocked = this.#keys(address, login)
      .map(([key, max]) => {
        const list = this.#recent(key, now);
        return list.length >= max ? list : undefined;
      })
      .filter((l): l is number[] => l !== undefined);
    if (blocked.length === 0) return 0;
    const until = Math.max(...blocked.map((l) => (l[0] as number) + WINDOW_MS));
    return Math.max(1, Math.ceil((until - now) / 1000));
  }

  failed(address: string, login: string, now = Date.now()): void {
    for (const [key] of this.#keys(address, login)) {
      const list = this.#recent(key, now);
      list.push(now);
      this.#failures.set(key, list);
    }
    if (this.#failures.size > MAX_KEYS) this.#prune(now);
  }

  /**
   * Bounds memory: drops the counters whose failures have all left the window, and only when that
   * frees too little (a tenth, so the sweep stays rare), everything. Clearing at once would also
   * forget the logins under attack.
   */
  #prune(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key, now);
    if (this.#failures.size > MAX_KEYS * 0.9) this.#failures.clear();
  }

  succeeded(address: string, login: string): void {
    this.#failures.delete(`${address}\u0000${login.toLowerCase()}`);
  }
}
