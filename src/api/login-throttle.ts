/**
 * Slows password guessing without letting anyone lock a real user out.
 *
 * - Per address: an address with MAX_PER_ADDRESS failed logins (any logins), or MAX_PER_ADDRESS_LOGIN
 *   for one login, within WINDOW_MS gets 429 until the oldest of those failures leaves the window.
 * - Per login: every failure for a login, from wherever, lengthens a backoff (BASE_DELAY_MS doubling,
 *   capped at MAX_DELAY_MS) that attempts for that login must wait out — but only attempts from
 *   addresses that themselves failed recently. Waiting attempts for one login take turns, one per
 *   backoff, so parallel requests gain nothing; a turn further off than MAX_WAIT_MS gets 429 instead
 *   of a held connection. The right password from an address with no recent failures logs in at
 *   once, however many failures other addresses piled on the login.
 *
 * The address is Fastify's `request.ip`, which honours X-Forwarded-For only from TRUST_PROXY.
 * Logins are counted by name whether or not they exist, so unknown logins are answered and delayed
 * exactly like known ones. Counts are per node and in memory (MAX_KEYS counters at most, the least
 * recently failed evicted first): they protect, they are not business state, and a restart forgets
 * them.
 */
export const WINDOW_MS = 15 * 60 * 1000;
export const MAX_PER_ADDRESS_LOGIN = 5;
export const MAX_PER_ADDRESS = 50;
/** The backoff after a login's first failure; it doubles with each further one. */
export const BASE_DELAY_MS = 100;
export const MAX_DELAY_MS = 3_000;
/** The longest an attempt is held waiting for its turn; further off, it gets 429. */
export const MAX_WAIT_MS = 2 * MAX_DELAY_MS;
/** Failures remembered per login: enough to reach MAX_DELAY_MS. */
const LOGIN_HISTORY = Math.ceil(Math.log2(MAX_DELAY_MS / BASE_DELAY_MS)) + 1;
/** Counters kept in memory at most. */
export const MAX_KEYS = 100_000;

/** What to do with an attempt: refuse it for `retryAfter` seconds, or hold it `delayMs` first. */
export type ThrottleVerdict =
  | { readonly retryAfter: number; readonly delayMs?: undefined }
  | { readonly retryAfter?: undefined; readonly delayMs: number };

interface Counter {
  /** Times of recent failures, oldest first, at most the counter's limit. */
  failures: number[];
  /** Per login: when the latest waiting attempt was given its turn. */
  lastTurn: number;
}

/** The backoff a login's `failures` recent failures impose. */
export function backoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (failures - 1));
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class LoginThrottle {
  /** Insertion order is the order of last failure, so the first key is the one to evict. */
  readonly #counters = new Map<string, Counter>();

  /** How many counters are held. */
  get size(): number {
    return this.#counters.size;
  }

  /**
   * Decides on an attempt to log in as `login` from `address`. A delay it returns is a turn taken:
   * call it once per attempt, then wait `delayMs` before checking the password.
   */
  check(address: string, login: string, now = Date.now()): ThrottleVerdict {
    for (const [key, max] of this.#addressKeys(address, login)) {
      const list = this.#recent(key, now)?.failures ?? [];
      if (list.length >= max)
        return { retryAfter: seconds((list[list.length - max] as number) + WINDOW_MS - now) };
    }
    if (!this.#recent(addressKey(address), now)) return { delayMs: 0 };
    const counter = this.#recent(loginKey(login), now);
    if (!counter) return { delayMs: 0 };
    const delay = backoffMs(counter.failures.length);
    const turn = Math.max(now, counter.lastTurn) + delay;
    if (turn - now > MAX_WAIT_MS) return { retryAfter: seconds(turn - delay - now) };
    counter.lastTurn = turn;
    return { delayMs: turn - now };
  }

  failed(address: string, login: string, now = Date.now()): void {
    for (const [key, max] of [
      ...this.#addressKeys(address, login),
      [loginKey(login), LOGIN_HISTORY] as const,
    ]) {
      const counter = this.#recent(key, now) ?? { failures: [], lastTurn: 0 };
      counter.failures.push(now);
      if (counter.failures.length > max) counter.failures.splice(0, counter.failures.length - max);
      this.#counters.delete(key);
      this.#counters.set(key, counter);
    }
    for (const key of this.#counters.keys()) {
      if (this.#counters.size <= MAX_KEYS) break;
      this.#counters.delete(key);
    }
  }

  /** The right password: this address's failures for this login are forgotten. */
  succeeded(address: string, login: string): void {
    this.#counters.delete(pairKey(address, login));
  }

  /** The counters that can refuse an address outright, each with the count at which it does. */
  #addressKeys(address: string, login: string): (readonly [string, number])[] {
    return [
      [pairKey(address, login), MAX_PER_ADDRESS_LOGIN],
      [addressKey(address), MAX_PER_ADDRESS],
    ];
  }

  /** The counter under `key` with only its failures inside the window; undefined (and dropped) when none are. */
  #recent(key: string, now: number): Counter | undefined {
    const counter = this.#counters.get(key);
    if (!counter) return undefined;
    const from = counter.failures.findIndex((t) => t > now - WINDOW_MS);
    if (from < 0) {
      this.#counters.delete(key);
      return undefined;
    }
    if (from > 0) counter.failures.splice(0, from);
    return counter;
  }
}

const addressKey = (address: string) => `a\u0000${address}`;
const loginKey = (login: string) => `l\u0000${login.toLowerCase()}`;
const pairKey = (address: string, login: string) => `p\u0000${address}\u0000${login.toLowerCase()}`;
