import { describe, expect, it } from 'vitest';
import { LoginThrottle, MAX_KEYS, MAX_PER_LOGIN_ANY_ADDRESS, WINDOW_MS } from './login-throttle.ts';

describe('LoginThrottle', () => {
  it('given a table full of stale counters, when it overflows during an attack, then the login stays locked', () => {
    const throttle = new LoginThrottle();
    const start = 1_000_000_000;
    // Failures long past, from many addresses: three counters each, nearly filling the table.
    for (let i = 0; i < Math.floor((MAX_KEYS - 10) / 3); i++) throttle.failed(`10.${i}`, `user${i}`, start);
    // Now one login is guessed at from rotating addresses; the table overflows on the way.
    const now = start + 2 * WINDOW_MS;
    for (let i = 0; i < MAX_PER_LOGIN_ANY_ADDRESS; i++) throttle.failed(`192.0.2.${i}`, 'victim', now + i);
    expect(throttle.retryAfter('198.51.100.1', 'victim', now + 100)).toBeGreaterThan(0);
  });
});
