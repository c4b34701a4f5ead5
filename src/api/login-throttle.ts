/**
 * Slows password guessing: after MAX_PER_LOGIN failed logins for one login from one address (or
 * MAX_PER_ADDRESS from one address) within WINDOW_MS, further attempts get 429 until the window
 * passes. Unknown logins count exactly like known ones, so the answer reveals nothing. Counts are
 * per node and in memory: they protect, they are not business state.
 */
export const WINDOW_MS = 15 * 60 * 1000;
export const MAX_PER_LOGIN = 5;
export const MAX_PER_ADDRESS = 50;

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();

  #recent(key: string, now: number): number[] {
    const list = (this.#failures.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** Seconds until the caller may try again, or 0 when they may try now. */
  retryAfter(address: string, login: string, now = Date.now()): number {
    const perLogin = this.#recent(`${address}\u0000${login.toLowerCase()}`, now);
    const perAddress = this.#recent(address, now);
    const blocked = [
      perLogin.length >= MAX_PER_LOGIN ? perLogin : undefined,
      perAddress.length >= MAX_PER_ADDRESS ? perAddress : undefined,
    ].filter((l): l is number[] => l !== undefined);
    if (blocked.length === 0) return 0;
    const until = Math.max(...blocked.map((l) => (l[0] as number) + WINDOW_MS));
    return Math.max(1, Math.ceil((until - now) / 1000));
  }

  failed(address: string, login: string, now = Date.now()): void {
    for (const key of [`${address}\u0000${login.toLowerCase()}`, address]) {
      const list = this.#recent(key, now);
      list.push(now);
      this.#failures.set(key, list);
    }
    if (this.#failures.size > 100_000) this.#failures.clear();
  }

  succeeded(address: string, login: string): void {
    this.#failures.delete(`${address}\u0000${login.toLowerCase()}`);
  }
}
