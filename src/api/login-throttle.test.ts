import { describe, expect, it } from 'vitest';
import {
  BASE_DELAY_MS,
  backoffMs,
  LoginThrottle,
  MAX_DELAY_MS,
  MAX_KEYS,
  MAX_PER_ADDRESS,
  MAX_PER_ADDRESS_LOGIN,
  MAX_WAIT_MS,
  WINDOW_MS,
} from './login-throttle.ts';

const START = 1_000_000_000;

/** `count` failures for `login`, each from its own address, one second apart; returns the next moment. */
function rotatedFailures(throttle: LoginThrottle, login: string, count: number, from = START): number {
  for (let i = 0; i < count; i++)
    throttle.failed(`198.18.${Math.floor(i / 250)}.${i % 250}`, login, from + i * 1000);
  return from + count * 1000;
}

describe('LoginThrottle', () => {
  it('given many failures for a login from rotated addresses, when the right address tries, then it goes at once', () => {
    const throttle = new LoginThrottle();
    const now = rotatedFailures(throttle, 'anna', 40);
    expect(throttle.check('192.0.2.10', 'anna', now)).toEqual({ delayMs: 0 });
    expect(throttle.check('192.0.2.10', 'ANNA', now)).toEqual({ delayMs: 0 });
  });

  it('given a login with failures, when an address that failed too tries it, then it waits a backoff growing to the cap', () => {
    const throttle = new LoginThrottle();
    // The attacker's address failed once, on another login.
    throttle.failed('203.0.113.5', 'somebody', START);
    let now = START + 1000;
    expect(throttle.check('203.0.113.5', 'anna', now)).toEqual({ delayMs: 0 });
    const delays: number[] = [];
    for (let n = 1; n <= 8; n++) {
      throttle.failed(`198.51.100.${n}`, 'anna', now);
      now += 10_000;
      delays.push(throttle.check('203.0.113.5', 'anna', now).delayMs as number);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3000, 3000, 3000]);
    expect(delays[0]).toBe(BASE_DELAY_MS);
    expect(Math.max(...delays)).toBe(MAX_DELAY_MS);
    expect(backoffMs(0)).toBe(0);
    // Another login from that address is not slowed by anna's failures.
    expect(throttle.check('203.0.113.5', 'boris', now)).toEqual({ delayMs: 0 });
  });

  it('given parallel attempts from failing addresses, when they arrive together, then they take turns, and 429 past the longest wait', () => {
    const throttle = new LoginThrottle();
    const now = rotatedFailures(throttle, 'anna', 10);
    // Each attempt waits one backoff more than the one before it.
    const waits: number[] = [];
    let verdict = throttle.check('198.18.0.1', 'anna', now);
    while (verdict.delayMs !== undefined) {
      waits.push(verdict.delayMs);
      verdict = throttle.check('198.18.0.1', 'anna', now);
    }
    expect(waits).toEqual([3000, 6000]);
    expect(waits.at(-1)).toBeLessThanOrEqual(MAX_WAIT_MS);
    expect(verdict.retryAfter).toBe(6);
    // Once the turns have passed, the next attempt waits one backoff again.
    expect(throttle.check('198.18.0.1', 'anna', now + 6000)).toEqual({ delayMs: 3000 });
    // The right address is not in the queue at all.
    expect(throttle.check('192.0.2.10', 'anna', now)).toEqual({ delayMs: 0 });
  });

  it('given five failures for a login from one address, when it tries again, then 429 until the window passes', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < MAX_PER_ADDRESS_LOGIN; i++) throttle.failed('203.0.113.5', 'Anna', START + i);
    const blocked = throttle.check('203.0.113.5', 'anna', START + 60_000);
    expect(blocked.retryAfter).toBe(Math.ceil((WINDOW_MS - 60_000) / 1000));
    // Other logins from there only wait their own (none) backoff; other addresses are not blocked.
    expect(throttle.check('203.0.113.5', 'boris', START + 60_000)).toEqual({ delayMs: 0 });
    expect(throttle.check('192.0.2.10', 'anna', START + 60_000)).toEqual({ delayMs: 0 });
    // The oldest failure leaves the window: one short of the limit, the address may try again.
    expect(throttle.check('203.0.113.5', 'anna', START + WINDOW_MS).retryAfter).toBeUndefined();
  });

  it('given fifty failures from one address on different logins, when it tries any login, then 429', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < MAX_PER_ADDRESS; i++) throttle.failed('203.0.113.5', `user${i}`, START + i * 1000);
    const now = START + MAX_PER_ADDRESS * 1000;
    expect(throttle.check('203.0.113.5', 'admin', now).retryAfter).toBe((WINDOW_MS - 50_000) / 1000);
    expect(throttle.check('192.0.2.10', 'admin', now)).toEqual({ delayMs: 0 });
  });

  it('given a success, when the same address tries again, then its failures for that login are forgotten', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < MAX_PER_ADDRESS_LOGIN; i++) throttle.failed('203.0.113.5', 'anna', START + i);
    throttle.succeeded('203.0.113.5', 'ANNA');
    expect(throttle.check('203.0.113.5', 'anna', START + 10_000).retryAfter).toBeUndefined();
  });

  it('given failures older than the window, when the login is tried, then nothing is held against it', () => {
    const throttle = new LoginThrottle();
    const after = rotatedFailures(throttle, 'anna', 10);
    throttle.failed('203.0.113.5', 'anna', after);
    const later = after + WINDOW_MS + 1;
    expect(throttle.check('203.0.113.5', 'anna', later)).toEqual({ delayMs: 0 });
  });

  it('given more counters than it may hold, when it overflows during an attack, then the oldest go and the attacked login stays slowed', () => {
    const throttle = new LoginThrottle();
    // Three counters per failure (address, address+login, login), nearly filling the table.
    const stale = Math.floor((MAX_KEYS - 10) / 3);
    for (let i = 0; i < stale; i++)
      throttle.failed(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, `user${i}`, START);
    const now = START + 60_000;
    for (let i = 0; i < 20; i++) throttle.failed(`192.0.2.${i}`, 'victim', now + i);
    expect(throttle.size).toBeLessThanOrEqual(MAX_KEYS);
    expect(throttle.check('192.0.2.1', 'victim', now + 100).delayMs).toBe(MAX_DELAY_MS);
    // The very first stale counters were evicted: that address is no longer known to have failed.
    expect(throttle.check('10.0.0.0', 'user0', now + 100)).toEqual({ delayMs: 0 });
  });
});
