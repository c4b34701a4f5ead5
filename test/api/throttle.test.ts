/**
 * The login throttle and TRUST_PROXY over HTTP, on both stores: guessing one login from many
 * addresses slows the guesser but never locks the real user out; X-Forwarded-For and
 * X-Forwarded-Proto count only from a trusted proxy, for the throttle's address, the cookie's
 * Secure flag and Strict-Transport-Security alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus } from '../support/api-helpers.ts';
import { type LoginAnswer, rawLogin, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

function login(t: TestServer, loginName: string, password: string, headers: Record<string, string> = {}) {
  return rawLogin(t.url, loginName, password, headers);
}

const from = (address: string) => ({ 'x-forwarded-for': address });
const sessionCookie = (answer: LoginAnswer) => answer.cookies.find((c) => c.startsWith('sf_session=')) ?? '';

for (const store of STORES) {
  describe(`${store}: login throttle and trusted proxies`, () => {
    /** TRUST_PROXY=127.0.0.1: the test client is the proxy. */
    let trusted: TestServer;
    /** TRUST_PROXY unset. */
    let plain: TestServer;

    beforeAll(async () => {
      [trusted, plain] = await Promise.all([
        startTestServer(store, { TRUST_PROXY: '127.0.0.1' }),
        startTestServer(store),
      ]);
    });
    afterAll(async () => {
      await Promise.all([trusted?.close(), plain?.close()]);
    });

    it('lets the right password in from a fresh address after 22 failures from rotated addresses', async () => {
      await trusted.employee('anna', 'manager', 'Anna');
      for (let i = 1; i <= 22; i++) {
        expectError(
          await login(trusted, 'anna', `guess-${i}`, from(`203.0.113.${i}`)),
          401,
          'invalid_credentials',
        );
      }
      const right = await login(trusted, 'anna', 'anna-password', from('192.0.2.77'));
      expectStatus(right, 200);
      expect(right.body.employee.login).toBe('anna');
      // Even an address that guessed wrong is slowed, not locked out.
      expectStatus(await login(trusted, 'anna', 'anna-password', from('203.0.113.5')), 200);
    });

    it('refuses an address after five failures for one login, with Retry-After, and only that address', async () => {
      await trusted.employee('boris', 'manager', 'Boris');
      for (let i = 0; i < 5; i++) {
        expectError(
          await login(trusted, 'boris', `guess-${i}`, from('203.0.113.200')),
          401,
          'invalid_credentials',
        );
      }
      const refused = await login(trusted, 'boris', 'boris-password', from('203.0.113.200'));
      expectError(refused, 429, 'rate_limited');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(refused.body.error.details.retryAfter).toBe(retryAfter);
      expectStatus(await login(trusted, 'boris', 'boris-password', from('198.51.100.9')), 200);
    });

    it('without TRUST_PROXY, a forged X-Forwarded-For does not evade the per-address limit', async () => {
      await plain.employee('carl', 'manager', 'Carl');
      for (let i = 0; i < 5; i++) {
        expectError(
          await login(plain, 'carl', `guess-${i}`, from(`203.0.113.${i + 1}`)),
          401,
          'invalid_credentials',
        );
      }
      const refused = await login(plain, 'carl', 'carl-password', from('192.0.2.99'));
      expectError(refused, 429, 'rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('with TRUST_PROXY, X-Forwarded-Proto: https sets Secure and Strict-Transport-Security', async () => {
      await trusted.employee('dina', 'manager', 'Dina');
      const https = await login(trusted, 'dina', 'dina-password', { 'x-forwarded-proto': 'https' });
      expectStatus(https, 200);
      expect(sessionCookie(https)).toMatch(/;\s*Secure/i);
      expect(https.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      const health = await fetch(`${trusted.url}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(health.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);

      // Plain http through the same proxy: neither.
      const http = await login(trusted, 'dina', 'dina-password');
      expectStatus(http, 200);
      expect(sessionCookie(http)).not.toMatch(/;\s*Secure/i);
      expect(http.headers.get('strict-transport-security')).toBeNull();
    });

    it('without TRUST_PROXY, a forged X-Forwarded-Proto: https sets neither Secure nor Strict-Transport-Security', async () => {
      await plain.employee('egor', 'manager', 'Egor');
      const forged = await login(plain, 'egor', 'egor-password', { 'x-forwarded-proto': 'https' });
      expectStatus(forged, 200);
      expect(sessionCookie(forged)).toMatch(/;\s*HttpOnly/i);
      expect(sessionCookie(forged)).not.toMatch(/;\s*Secure/i);
      expect(forged.headers.get('strict-transport-security')).toBeNull();
      const health = await fetch(`${plain.url}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(health.status).toBe(200);
      expect(health.headers.get('strict-transport-security')).toBeNull();
    });
  });
}
