/** Logging in and out, Bearer tokens and the session cookie, CSRF refusal, and employees. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus } from '../support/api-helpers.ts';
import { type Client, client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

/** Logs in with fetch itself, to see the raw Set-Cookie header. */
async function rawLogin(url: string, login: string, password: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  return { status: res.status, body: (await res.json()) as any, cookies: res.headers.getSetCookie() };
}

for (const store of STORES) {
  describe(`${store}: authentication and employees`, () => {
    let t: TestServer;
    let manager: Client & { id: string };
    let anonymous: Client;

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('olga', 'manager', 'Olga Manager');
      anonymous = client(t.url, '');
    });
    afterAll(async () => t?.close());

    it('answers 401 unauthorized without a token, or with one it does not know', async () => {
      expectError(await anonymous.get('/api/me'), 401, 'unauthorized');
      expectError(await anonymous.get('/api/processes'), 401, 'unauthorized');
      expectError(await anonymous.post('/api/counterparties', { name: 'Sneaky' }), 401, 'unauthorized');
      expectError(await anonymous.get('/api/employees'), 401, 'unauthorized');
      const forged = client(t.url, 'not-a-real-token');
      expectError(await forged.get('/api/me'), 401, 'unauthorized');
      expectError(
        await anonymous.request('GET', '/api/me', undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' }),
        401,
        'unauthorized',
      );
      expect((await t.admin.get('/api/counterparties')).body.items).toEqual([]);
      // Health, login and the API description are public.
      expectStatus(await anonymous.get('/api/health'), 200);
    });

    it('logs in with a token and the employee', async () => {
      const res = await anonymous.post('/api/auth/login', { login: 'olga', password: 'olga-password' });
      expectStatus(res, 200);
      expect(typeof res.body.token).toBe('string');
      expect(res.body.employee).toMatchObject({
        id: manager.id,
        login: 'olga',
        name: 'Olga Manager',
        role: 'manager',
      });
      expect(typeof res.body.employee.online).toBe('boolean');
      const me = await client(t.url, res.body.token).get('/api/me');
      expectStatus(me, 200);
      expect(me.body).toMatchObject({ id: manager.id, login: 'olga', role: 'manager' });
      expect(me.body.passwordHash ?? me.body.password_hash ?? me.body.password).toBeUndefined();
    });

    it('answers a wrong password and an unknown login alike: 401 invalid_credentials', async () => {
      const wrong = await anonymous.post('/api/auth/login', { login: 'olga', password: 'wrong-password' });
      const unknown = await anonymous.post('/api/auth/login', {
        login: 'nobody-here',
        password: 'wrong-password',
      });
      expectError(wrong, 401, 'invalid_credentials');
      expectError(unknown, 401, 'invalid_credentials');
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.headers.get('set-cookie')).toBeNull();
      expectError(await anonymous.post('/api/auth/login', { login: 'olga' }), 400, 'validation_failed');
      expectError(
        await anonymous.post('/api/auth/login', { login: '', password: 'x' }),
        400,
        'validation_failed',
      );
    });

    it('sets an HttpOnly SameSite=Lax session cookie that works on its own', async () => {
      const res = await rawLogin(t.url, 'olga', 'olga-password');
      expect(res.status).toBe(200);
      const cookie = res.cookies.find((c) => c.startsWith('sf_session='));
      expect(cookie).toBeDefined();
      const attributes = cookie!.split(';').map((a) => a.trim().toLowerCase());
      expect(attributes).toContain('httponly');
      expect(attributes).toContain('samesite=lax');
      expect(attributes).toContain('path=/');
      const value = cookie!.split(';')[0]!;
      expect(value).toBe(`sf_session=${res.body.token}`);

      const byCookie = client(t.url, '');
      const me = await byCookie.request('GET', '/api/me', undefined, { cookie: value });
      expectStatus(me, 200);
      expect(me.body.id).toBe(manager.id);
      // A cookie write from our own pages, or with no Fetch Metadata at all, is fine.
      const sameSite = await byCookie.request(
        'POST',
        '/api/counterparties',
        { name: 'Same site' },
        {
          cookie: value,
          'sec-fetch-site': 'same-origin',
        },
      );
      expectStatus(sameSite, 201);
      expectError(
        await byCookie.request('GET', '/api/me', undefined, { cookie: 'sf_session=forged' }),
        401,
        'unauthorized',
      );
    });

    it('refuses a cookie-authenticated write from another site with 403', async () => {
      const { body } = await rawLogin(t.url, 'olga', 'olga-password');
      const cookie = `sf_session=${body.token}`;
      const byCookie = client(t.url, '');
      const before = (await t.admin.get('/api/counterparties?limit=500')).body.items.length;
      for (const site of ['cross-site', 'same-site']) {
        const res = await byCookie.request(
          'POST',
          '/api/counterparties',
          { name: 'Forged' },
          {
            cookie,
            'sec-fetch-site': site,
          },
        );
        expectError(res, 403, 'forbidden');
      }
      expect((await t.admin.get('/api/counterparties?limit=500')).body.items.length).toBe(before);
      // Reading cross-site is harmless; a Bearer token is never sent by a browser on its own.
      expectStatus(
        await byCookie.request('GET', '/api/me', undefined, { cookie, 'sec-fetch-site': 'cross-site' }),
        200,
      );
      const bearer = await manager.request(
        'POST',
        '/api/counterparties',
        { name: 'With a token' },
        {
          'sec-fetch-site': 'cross-site',
        },
      );
      expectStatus(bearer, 201);
    });

    it('logs out: the token and the cookie stop working', async () => {
      const session = await t.login('olga', 'olga-password');
      expectStatus(await session.get('/api/me'), 200);
      const out = await session.post('/api/auth/logout');
      expectStatus(out, 200);
      const cleared = out.headers.get('set-cookie') ?? '';
      expect(cleared).toMatch(/sf_session=;/);
      expectError(await session.get('/api/me'), 401, 'unauthorized');
      expectError(await session.post('/api/auth/logout'), 401, 'unauthorized');
      // Other sessions of the same employee live on.
      expectStatus(await manager.get('/api/me'), 200);

      const { body } = await rawLogin(t.url, 'olga', 'olga-password');
      const cookie = `sf_session=${body.token}`;
      const byCookie = client(t.url, '');
      expectStatus(await byCookie.request('POST', '/api/auth/logout', undefined, { cookie }), 200);
      expectError(await byCookie.request('GET', '/api/me', undefined, { cookie }), 401, 'unauthorized');
    });

    it('lets only an administrator create employees; a taken login is 409 duplicate', async () => {
      const byManager = await manager.post('/api/employees', {
        login: 'sneaky',
        name: 'Sneaky',
        password: 'sneaky-password',
        role: 'admin',
      });
      expectError(byManager, 403, 'forbidden');
      const failed = await anonymous.post('/api/auth/login', {
        login: 'sneaky',
        password: 'sneaky-password',
      });
      expectError(failed, 401, 'invalid_credentials');

      const created = await t.admin.post('/api/employees', {
        login: 'petr',
        name: 'Petr Petrov',
        password: 'petr-password',
        role: 'manager',
      });
      expectStatus(created, 201);
      expect(created.body).toEqual({
        id: expect.any(String),
        login: 'petr',
        name: 'Petr Petrov',
        role: 'manager',
        online: false,
      });
      expectStatus(
        await anonymous.post('/api/auth/login', { login: 'petr', password: 'petr-password' }),
        200,
      );

      const again = await t.admin.post('/api/employees', {
        login: 'petr',
        name: 'Another Petr',
        password: 'other-password',
        role: 'manager',
      });
      expectError(again, 409, 'duplicate');
      expectError(
        await t.admin.post('/api/employees', {
          login: 'short',
          name: 'Short',
          password: 'short',
          role: 'manager',
        }),
        400,
        'validation_failed',
      );
      expectError(
        await t.admin.post('/api/employees', {
          login: 'has space',
          name: 'S',
          password: 'long-enough',
          role: 'manager',
        }),
        400,
        'validation_failed',
      );
      const logins = (await t.admin.get('/api/employees')).body.items.map((e: any) => e.login);
      expect(logins.filter((l: string) => l === 'petr')).toHaveLength(1);
      expect(logins).not.toContain('sneaky');
    });

    it('lists employees as {id, login, name, role, online}, to managers too', async () => {
      const res = await manager.get('/api/employees');
      expectStatus(res, 200);
      expect(res.body.items.length).toBeGreaterThanOrEqual(2);
      for (const e of res.body.items) {
        expect(e).toMatchObject({
          id: expect.any(String),
          login: expect.any(String),
          name: expect.any(String),
          role: expect.stringMatching(/^(admin|manager)$/),
          online: expect.any(Boolean),
        });
        expect(Object.keys(e).some((k) => /password|hash/i.test(k))).toBe(false);
      }
      const admin = res.body.items.find((e: any) => e.login === 'admin');
      expect(admin).toMatchObject({ role: 'admin' });
      const olga = await manager.get(`/api/employees/${manager.id}`);
      expectStatus(olga, 200);
      expect(olga.body).toMatchObject({
        id: manager.id,
        login: 'olga',
        name: 'Olga Manager',
        role: 'manager',
      });
    });
  });
}
