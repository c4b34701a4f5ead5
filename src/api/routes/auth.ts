import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import {
  authenticate,
  createEmployee,
  getEmployee,
  listEmployees,
  login,
  logout,
} from '../../services/employees.ts';
import { actorOf, requireAdmin, SESSION_COOKIE } from '../auth.ts';
import {
  employeePageSchema,
  employeeSchema,
  errorResponses,
  loginAnswerSchema,
  logoutAnswerSchema,
  sessionAnswerSchema,
} from '../contract.ts';
import { LoginThrottle } from '../login-throttle.ts';
import { idParams } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

export const loginBody = z.strictObject({
  login: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});

/** Login is public; it answers the same for an unknown login and a wrong password. */
export async function publicAuthRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  const throttle = new LoginThrottle();
  const schema = {
    body: loginBody,
    tags: ['auth'],
    response: { 200: loginAnswerSchema, ...errorResponses },
  };
  app.post('/api/auth/login', { schema }, async (request, reply) => {
    const verdict = throttle.check(request.ip, request.body.login);
    if (verdict.retryAfter !== undefined) {
      reply.header('retry-after', String(verdict.retryAfter));
      throw new DomainError('rate_limited', 'Too many failed logins; try again later.', {
        retryAfter: verdict.retryAfter,
      });
    }
    // A backoff, not a business timer: it holds this one request for at most a few seconds.
    if (verdict.delayMs > 0) await sleep(verdict.delayMs);
    let session: Awaited<ReturnType<typeof login>>;
    try {
      session = await login(ctx, request.body.login, request.body.password);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid_credentials')
        throttle.failed(request.ip, request.body.login);
      throw error;
    }
    throttle.succeeded(request.ip, request.body.login);
    reply.setCookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
      path: '/',
      maxAge: 30 * 24 * 3600,
    });
    return session;
  });
}

/** Who is logged in, answering 200 either way (the web app asks before it knows). */
export async function sessionRoute(app: App, { ctx }: RouteDeps): Promise<void> {
  const schema = { tags: ['auth'], response: { 200: sessionAnswerSchema, ...errorResponses } };
  app.get('/api/auth/session', { schema }, async (request) => {
    const token = request.cookies?.[SESSION_COOKIE];
    const actor = token ? await authenticate(ctx, token) : undefined;
    return { employee: (actor ? await getEmployee(ctx, actor.id) : undefined) ?? null };
  });
}

export async function authRoutes(app: App, { ctx, live }: RouteDeps): Promise<void> {
  const tags = ['auth'];
  app.get(
    '/api/me',
    { schema: { tags, response: { 200: employeeSchema, ...errorResponses } } },
    async (request) => {
      const actor = actorOf(request);
      const me = await getEmployee(ctx, actor.id);
      if (!me) throw new DomainError('unauthorized');
      return me;
    },
  );

  const logoutSchema = { tags, response: { 200: logoutAnswerSchema, ...errorResponses } };
  app.post('/api/auth/logout', { schema: logoutSchema }, async (request, reply) => {
    if (request.sessionToken) {
      await logout(ctx, request.sessionToken);
      // Its notification streams end now, on every node, not at their next keepalive.
      await live?.hub
        .endSession(request.sessionToken)
        .catch((err) => request.log.warn({ err }, 'session end not announced'));
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  app.get(
    '/api/employees',
    // One page holds every employee, so no cursor is ever handed out and none is valid.
    {
      schema: {
        tags: ['employees'],
        querystring: z.object({ cursor: z.string().max(500).optional() }),
        response: { 200: employeePageSchema, ...errorResponses },
      },
    },
    async (request) => {
      if (request.query.cursor)
        throw new DomainError('invalid_cursor', 'The employee list is a single page; it takes no cursor.');
      const items = await listEmployees(ctx);
      return { items, nextCursor: null };
    },
  );

  app.post(
    '/api/employees',
    {
      schema: {
        tags: ['employees'],
        body: z.strictObject({
          login: z
            .string()
            .min(1)
            .max(100)
            .regex(/^[\p{L}\p{N}._@-]+$/u, 'letters, digits and . _ @ - only'),
          name: z.string().trim().min(1).max(200),
          password: z.string().min(8).max(200),
          role: z.enum(['admin', 'manager']),
        }),
        response: { 201: employeeSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      reply.code(201);
      return createEmployee(ctx, request.body);
    },
  );

  app.get(
    '/api/employees/:id',
    {
      schema: {
        tags: ['employees'],
        params: idParams,
        response: { 200: employeeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const employee = await getEmployee(ctx, request.params.id);
      if (!employee) throw new DomainError('not_found', 'Employee not found.');
      return employee;
    },
  );
}
