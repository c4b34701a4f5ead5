/** A real Stageflow server on a free port over a fresh database, and a small JSON client for it. */

import { type RunningServer, startServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createTestDatabase, type StoreKind, type TestDatabase } from './stores.ts';

export const ADMIN_PASSWORD = 'admin-password-1';

export interface TestServer {
  readonly url: string;
  readonly server: RunningServer;
  readonly database: TestDatabase;
  /** The admin's client. */
  readonly admin: Client;
  login(login: string, password: string): Promise<Client>;
  /** Creates an employee through the API and returns their client. */
  employee(login: string, role?: 'admin' | 'manager', name?: string): Promise<Client & { id: string }>;
  /** Stops the server, keeping the database (for restart tests). */
  stop(): Promise<void>;
  /** Stops the server and drops the database. */
  close(): Promise<void>;
}

export interface Response<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface Client {
  readonly token: string;
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response<T>>;
  get<T = any>(path: string): Promise<Response<T>>;
  post<T = any>(path: string, body?: unknown): Promise<Response<T>>;
  put<T = any>(path: string, body?: unknown): Promise<Response<T>>;
  patch<T = any>(path: string, body?: unknown): Promise<Response<T>>;
  delete<T = any>(path: string): Promise<Response<T>>;
}

/** Reads an answer: JSON when it parses, the text otherwise, null when empty. */
export async function readAnswer(res: globalThis.Response): Promise<Response> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, headers: res.headers };
}

/** A login answer with the cookies it set. */
export interface LoginAnswer extends Response {
  readonly cookies: string[];
}

/** POSTs a login with extra headers (a forwarded address, a scheme) and keeps what it set. */
export async function rawLogin(
  url: string,
  loginName: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<LoginAnswer> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ login: loginName, password }),
  });
  return { ...(await readAnswer(res)), cookies: res.headers.getSetCookie() };
}

export function client(url: string, token: string): Client {
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const init: RequestInit = {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    return readAnswer(await fetch(url + path, init));
  };
  return {
    token,
    request,
    get: (p) => request('GET', p),
    post: (p, b) => request('POST', p, b),
    put: (p, b) => request('PUT', p, b),
    patch: (p, b) => request('PATCH', p, b),
    delete: (p) => request('DELETE', p),
  };
}

export async function login(url: string, loginName: string, password: string): Promise<Client> {
  const res = await client(url, '').post('/api/auth/login', { login: loginName, password });
  if (res.status !== 200)
    throw new Error(`login ${loginName} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return client(url, res.body.token as string);
}

export async function startTestServer(
  kind: StoreKind,
  env: Record<string, string> = {},
  existing?: TestDatabase,
): Promise<TestServer> {
  const database = existing ?? (await createTestDatabase(kind));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: database.dataDir,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    STAGEFLOW_ADMIN_PASSWORD: ADMIN_PASSWORD,
    STAGEFLOW_DEMO: '0',
    STAGEFLOW_TEST_CLOCK: '1',
    // Nobody is online in most tests: stages go to the first listed at once unless a test waits.
    STAGEFLOW_ROUTING_WAIT: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await startServer(config, { logger: false, workerIntervalMs: 200 });
  const url = server.url;
  const admin = await login(url, 'admin', ADMIN_PASSWORD);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
  };
  return {
    url,
    server,
    database,
    admin,
    login: (l, p) => login(url, l, p),
    async employee(loginName, role = 'manager', name) {
      const res = await admin.post('/api/employees', {
        login: loginName,
        name: name ?? loginName,
        password: `${loginName}-password`,
        role,
      });
      if (res.status !== 201)
        throw new Error(`creating ${loginName}: ${res.status} ${JSON.stringify(res.body)}`);
      const c = await login(url, loginName, `${loginName}-password`);
      return { ...c, id: res.body.id as string };
    },
    stop,
    async close() {
      await stop();
      await database.drop();
    },
  };
}
