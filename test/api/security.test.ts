/**
 * Security over HTTP: the login rate limit (and that it reveals nothing about which logins exist),
 * the cookie session's flags, CSRF protection of cookie-authenticated writes via Fetch Metadata,
 * security headers, and strict request bodies that cannot set server-owned fields — on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition, twoStageBody } from '../support/api-helpers.ts';
import {
  ADMIN_PASSWORD,
  type LoginAnswer,
  type Response,
  rawLogin,
  startTestServer,
  type TestServer,
} from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const SESSION_COOKIE = 'sf_session';

for (const store of STORES) {
  describe(`${store}: security`, () => {
    let t: TestServer;
    let definitionId: string;

    const login = (loginName: string, password: string, headers: Record<string, string> = {}) =>
      rawLogin(t.url, loginName, password, headers);

    /** The session token from a login answer's Set-Cookie. */
    function sessionOf(answer: LoginAnswer): string {
      const cookie = answer.cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
      expect(cookie, JSON.stringify(answer.cookies)).toBeDefined();
      return (cookie as string).slice(SESSION_COOKIE.length + 1).split(';')[0] as string;
    }

    /** A request authenticated by the session cookie alone, as the browser sends it. */
    async function withCookie(
      token: string,
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<Response> {
      const res = await fetch(t.url + path, {
        method,
        headers: {
          cookie: `${SESSION_COOKIE}=${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? null : JSON.parse(text), headers: res.headers };
    }

    async function processCount(): Promise<number> {
      const res = await t.admin.get('/api/processes/counts');
      expectStatus(res, 200);
      return Object.values(res.body as Record<string, number>).reduce((a, b) => a + b, 0);
    }

    beforeAll(async () => {
      t = await startTestServer(store);
      definitionId = await publishDefinition(t.admin, 'Guarded', twoStageBody());
    });
    afterAll(async () => t?.close());

    it('locks a login after five failures, even for the right password, with Retry-After', async () => {
      await t.employee('sasha', 'manager', 'Sasha');
      for (let i = 0; i < 5; i++) {
        expectError(await login('sasha', `wrong-${i}`), 401, 'invalid_credentials');
      }
      const locked = await login('sasha', 'sasha-password');
      expectError(locked, 429, 'rate_limited');
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(locked.body.error.details.retryAfter).toBe(retryAfter);
      expect(locked.cookies).toEqual([]);
      expect(locked.body.token).toBeUndefined();
      // The lock ignores letter case, and other logins from the same address still work.
      expectError(await login('SASHA', 'sasha-password'), 429, 'rate_limited');
      expectStatus(await login('admin', ADMIN_PASSWORD), 200);
    });

    it('answers an unknown login exactly as a known one, attempt by attempt', async () => {
      await t.employee('tanya', 'manager', 'Tanya');
      const run = async (loginName: string, rightPassword: string) => {
        const answers: { status: number; body: any; retryAfter: string | null }[] = [];
        for (let i = 0; i < 5; i++) {
          const res = await login(loginName, `guess-${i}`);
          answers.push({ status: res.status, body: res.body, retryAfter: res.headers.get('retry-after') });
        }
        const last = await login(loginName, rightPassword);
        answers.push({ status: last.status, body: last.body, retryAfter: last.headers.get('retry-after') });
        return answers;
      };
      const known = await run('tanya', 'tanya-password');
      const unknown = await run('no-such-login', 'tanya-password');
      expect(known.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429]);
      expect(unknown.map((a) => a.status)).toEqual(known.map((a) => a.status));
      // Identical bodies; the seconds to wait are the one thing that may tick between the two runs.
      const normalised = (answers: typeof known) =>
        answers.map((a) => ({
          ...a,
          retryAfter: a.retryAfter === null ? null : 'n',
          body:
            a.body?.error?.details?.retryAfter === undefined
              ? a.body
              : { error: { ...a.body.error, details: { ...a.body.error.details, retryAfter: 'n' } } },
        }));
      expect(normalised(unknown)).toEqual(normalised(known));
      expect(Math.abs(Number(known[5]?.retryAfter) - Number(unknown[5]?.retryAfter))).toBeLessThanOrEqual(1);
    });

    it('does not let a rotating, untrusted X-Forwarded-For reset the count of one login', async () => {
      await t.employee('vika', 'manager', 'Vika');
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) {
        const res = await login('vika', 'wrong-password', { 'x-forwarded-for': `203.0.113.${i + 1}` });
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
      expect(statuses.at(-1)).toBe(429);
      const right = await login('vika', 'vika-password', { 'x-forwarded-for': '198.51.100.7' });
      expectError(right, 429, 'rate_limited');
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('sets the session cookie HttpOnly and SameSite=Lax; not Secure on a forged X-Forwarded-Proto', async () => {
      await t.employee('rita', 'manager', 'Rita');
      const plain = await login('rita', 'rita-password');
      expectStatus(plain, 200);
      const cookie = plain.cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '';
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\//i);
      expect(cookie).not.toMatch(/;\s*Secure/i);
      expect(sessionOf(plain)).toBe(plain.body.token);

      // Without TRUST_PROXY the header is the client's word, not a proxy's (throttle.test.ts has the
      // trusted proxy, whose https does set Secure).
      const forged = await login('rita', 'rita-password', { 'x-forwarded-proto': 'https' });
      expectStatus(forged, 200);
      const forgedCookie = forged.cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '';
      expect(forgedCookie).not.toMatch(/;\s*Secure/i);
      expect(forgedCookie).toMatch(/;\s*HttpOnly/i);
      expect(forgedCookie).toMatch(/;\s*SameSite=Lax/i);

      // The cookie alone authenticates.
      const me = await withCookie(sessionOf(plain), 'GET', '/api/me');
      expectStatus(me, 200);
      expect(me.body.login).toBe('rita');
    });

    it('refuses cookie-authenticated writes from another site and changes nothing', async () => {
      const kira = await t.employee('kira', 'manager', 'Kira');
      const session = sessionOf(await login('kira', 'kira-password'));
      const card = (await kira.post('/api/processes', { definitionId, note: 'original' })).body;

      // Reading cross-site is harmless and allowed.
      expectStatus(
        await withCookie(session, 'GET', '/api/me', undefined, { 'sec-fetch-site': 'cross-site' }),
        200,
      );

      for (const site of ['cross-site', 'same-site']) {
        const headers = { 'sec-fetch-site': site };
        expectError(
          await withCookie(session, 'POST', '/api/counterparties', { name: `Forged ${site}` }, headers),
          403,
          'forbidden',
        );
        expectError(
          await withCookie(session, 'PATCH', `/api/processes/${card.id}`, { note: 'forged' }, headers),
          403,
          'forbidden',
        );
        expectError(
          await withCookie(session, 'POST', `/api/processes/${card.id}/stage`, { state: 'done' }, headers),
          403,
          'forbidden',
        );
        expectError(await withCookie(session, 'POST', '/api/auth/logout', {}, headers), 403, 'forbidden');
      }
      const forged = await t.admin.get('/api/counterparties?q=Forged');
      expect(forged.body.items).toEqual([]);
      const unchanged = (await kira.get(`/api/processes/${card.id}`)).body;
      expect(unchanged).toMatchObject({ note: 'original', version: card.version, stage: { key: 'a' } });
      expectStatus(await withCookie(session, 'GET', '/api/me'), 200);

      // From our own pages it works.
      const own = await withCookie(
        session,
        'POST',
        '/api/counterparties',
        { name: 'Own page Ltd' },
        {
          'sec-fetch-site': 'same-origin',
        },
      );
      expectStatus(own, 201);
      const patched = await withCookie(
        session,
        'PATCH',
        `/api/processes/${card.id}`,
        { note: 'edited' },
        {
          'sec-fetch-site': 'same-origin',
        },
      );
      expectStatus(patched, 200);
      expect(patched.body.note).toBe('edited');
    });

    it('does not apply the Fetch Metadata check to Bearer-authenticated requests', async () => {
      const lena = await t.employee('lena', 'manager', 'Lena');
      const created = await lena.request(
        'POST',
        '/api/counterparties',
        { name: 'Integration Inc' },
        {
          'sec-fetch-site': 'cross-site',
        },
      );
      expectStatus(created, 201);
      const card = (await lena.post('/api/processes', { definitionId })).body;
      const moved = await lena.request(
        'POST',
        `/api/processes/${card.id}/stage`,
        { state: 'done' },
        { 'sec-fetch-site': 'cross-site' },
      );
      expectStatus(moved, 200);
      expect(moved.body.status).toBe('completed');
    });

    it('sends security headers on API answers, errors included', async () => {
      const answers: [string, Response][] = [
        ['me', await t.admin.get('/api/me')],
        ['health', await t.admin.get('/api/health')],
        ['not found', await t.admin.get('/api/no-such-route')],
        [
          'unauthorized',
          await fetch(`${t.url}/api/me`).then(async (r) => ({
            status: r.status,
            body: await r.json(),
            headers: r.headers,
          })),
        ],
      ];
      for (const [what, res] of answers) {
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp, what).toContain("default-src 'self'");
        expect(csp, what).toContain("frame-ancestors 'none'");
        expect(csp, what).not.toContain("'unsafe-eval'");
        expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
        expect(res.headers.get('x-frame-options'), what).toMatch(/^(DENY|SAMEORIGIN)$/);
      }
      expect(answers[2]?.[1].status).toBe(404);
      expectError(answers[3]?.[1] as Response, 401, 'unauthorized');
    });

    it('rejects server-owned fields on launch with 400 and launches nothing', async () => {
      const mira = await t.employee('mira', 'manager', 'Mira');
      const adminId = (await t.admin.get('/api/me')).body.id as string;
      const before = await processCount();
      const forged: Record<string, unknown>[] = [
        { version: 42 },
        { status: 'completed' },
        { initiatorId: adminId },
        { stageKey: 'b' },
      ];
      for (const extra of forged) {
        const res = await mira.post('/api/processes', { definitionId, ...extra });
        expectError(res, 400, 'validation_failed');
      }
      expect(await processCount()).toBe(before);
      expect((await mira.get('/api/processes')).body.items).toEqual([]);
    });

    it('rejects unknown fields on PATCH and on a stage move, leaving the process as it was', async () => {
      const nina = await t.employee('nina', 'manager', 'Nina');
      const card = (await nina.post('/api/processes', { definitionId, note: 'steady' })).body;
      const attempts: [string, Response][] = [
        ['version', await nina.patch(`/api/processes/${card.id}`, { version: 99 })],
        ['status', await nina.patch(`/api/processes/${card.id}`, { note: 'changed', status: 'completed' })],
        ['stageKey', await nina.patch(`/api/processes/${card.id}`, { stageKey: 'b' })],
        ['stage', await nina.post(`/api/processes/${card.id}/stage`, { state: 'in_progress', stage: 'b' })],
      ];
      for (const [what, res] of attempts) {
        expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.error.code, what).toBe('validation_failed');
      }
      const after = (await nina.get(`/api/processes/${card.id}`)).body;
      expect(after).toEqual(card);
      const protocol = (await nina.get(`/api/processes/${card.id}/protocol`)).body.items;
      expect(protocol.map((i: any) => i.action)).toEqual(['process.launched', 'stage.entered']);
    });

    it('rejects a chosen id on employee and record create, and on record PATCH', async () => {
      const employeesBefore = (await t.admin.get('/api/employees')).body.items;
      const employee = await t.admin.post('/api/employees', {
        id: 'chosen-id',
        login: 'mallory',
        name: 'Mallory',
        password: 'mallory-password',
        role: 'admin',
      });
      expectError(employee, 400, 'validation_failed');
      expect((await t.admin.get('/api/employees')).body.items).toEqual(employeesBefore);
      expectError(await t.admin.get('/api/employees/chosen-id'), 404, 'not_found');
      expectError(await login('mallory', 'mallory-password'), 401, 'invalid_credentials');

      expectError(
        await t.admin.post('/api/counterparties', { id: 'chosen-id', name: 'Chosen Ltd' }),
        400,
        'validation_failed',
      );
      expect((await t.admin.get('/api/counterparties?q=Chosen')).body.items).toEqual([]);
      const record = (await t.admin.post('/api/counterparties', { name: 'Stable Ltd' })).body;
      expectError(
        await t.admin.patch(`/api/counterparties/${record.id}`, { id: 'other-id', name: 'Renamed' }),
        400,
        'validation_failed',
      );
      expect((await t.admin.get(`/api/counterparties/${record.id}`)).body).toEqual(record);
    });
  });
}
