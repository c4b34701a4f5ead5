/** Employees, passwords (argon2id) and sessions (random tokens, stored only as their hash). */
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { EngineContext } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import {
  findActiveByLogin,
  findEmployee,
  findIdByLogin,
  insertEmployee,
  listActiveEmployees,
} from '../store/employees.ts';
import { deleteSession, findSessionEmployee, openSession } from '../store/sessions.ts';
import { isUniqueViolation } from '../store/store.ts';
import { type SessionActor, sessionCacheOf } from './session-cache.ts';

/** How long a session lasts without use. */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export interface EmployeeView {
  readonly id: string;
  readonly login: string;
  readonly name: string;
  readonly role: 'admin' | 'manager';
  readonly online: boolean;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A hash to verify against when the login is unknown, so both cases take the same time. */
let dummyHash: Promise<string> | undefined;

export async function createEmployee(
  ctx: EngineContext,
  input: { login: string; name: string; password: string; role: 'admin' | 'manager' },
): Promise<EmployeeView> {
  const id = ctx.newId();
  const passwordHash = await hash(input.password);
  try {
    await ctx.store.transaction((tx) =>
      insertEmployee(tx, {
        id,
        login: input.login,
        name: input.name,
        role: input.role,
        password_hash: passwordHash,
        active: 1,
        created_at: ctx.clock.now(),
      }),
    );
  } catch (error) {
    if (isUniqueViolation(error))
      throw new DomainError('duplicate', `The login "${input.login}" is taken.`, { field: 'login' });
    throw error;
  }
  return { id, login: input.login, name: input.name, role: input.role, online: false };
}

/** Checks a login and password and opens a session; the same answer for an unknown login and a wrong password. */
export async function login(ctx: EngineContext, loginName: string, password: string) {
  const row = await findActiveByLogin(ctx.store.db, loginName);
  dummyHash ??= hash(randomBytes(16).toString('hex'));
  const ok = await verify(row?.password_hash ?? (await dummyHash), password).catch(() => false);
  if (!row || !ok) throw new DomainError('invalid_credentials');
  const token = randomBytes(32).toString('base64url');
  // Sessions live in real time, not in the engine's (possibly test-advanced) business time.
  const now = Date.now();
  // Expired sessions of this employee go as a new one starts, so the table does not grow for ever.
  await ctx.store.transaction((tx) =>
    openSession(
      tx,
      {
        token_hash: hashToken(token),
        employee_id: row.id,
        created_at: now,
        expires_at: now + SESSION_TTL_MS,
      },
      now,
    ),
  );
  const online = (await ctx.presence.onlineAmong(ctx.store.db, [row.id])).has(row.id);
  return { token, employee: { id: row.id, login: row.login, name: row.name, role: row.role, online } };
}

export async function logout(ctx: EngineContext, token: string): Promise<void> {
  const tokenHash = hashToken(token);
  await ctx.store.transaction((tx) => deleteSession(tx, tokenHash));
  sessionCacheOf(ctx.store).forget(tokenHash);
}

/**
 * The employee a session token belongs to, or undefined when it is unknown or expired. Answers from
 * the node's session cache when it read the session in the last few seconds (see session-cache.ts).
 */
export async function authenticate(ctx: EngineContext, token: string): Promise<SessionActor | undefined> {
  const tokenHash = hashToken(token);
  const cache = sessionCacheOf(ctx.store);
  const cached = cache.get(tokenHash, Date.now());
  if (cached) return cached;
  const mark = cache.mark();
  const row = await findSessionEmployee(ctx.store.db, tokenHash);
  // Read after the lookup: a session that expired while it was read is expired.
  const now = Date.now();
  if (!row || row.expires_at <= now) return undefined;
  const actor: SessionActor = { id: row.id, login: row.login, name: row.name, role: row.role };
  cache.set(tokenHash, actor, row.expires_at, now, mark);
  return actor;
}

export async function listEmployees(ctx: EngineContext): Promise<EmployeeView[]> {
  const rows = await listActiveEmployees(ctx.store.db);
  const online = await ctx.presence.onlineAmong(
    ctx.store.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, online: online.has(r.id) }));
}

export async function getEmployee(ctx: EngineContext, id: string): Promise<EmployeeView | undefined> {
  const row = await findEmployee(ctx.store.db, id);
  if (!row) return undefined;
  const online = await ctx.presence.onlineAmong(ctx.store.db, [row.id]);
  return { ...row, online: online.has(row.id) };
}

/**
 * Creates the `admin` account on the first start. Returns the password when it was generated, so
 * the caller can print it once.
 */
export async function bootstrapAdmin(
  ctx: EngineContext,
  password: string | undefined,
  language: 'en' | 'ru' = 'en',
): Promise<string | undefined> {
  const any = await findIdByLogin(ctx.store.db, 'admin');
  if (any) return undefined;
  const chosen = password ?? randomBytes(12).toString('base64url');
  const name = language === 'ru' ? 'Администратор' : 'Administrator';
  await createEmployee(ctx, { login: 'admin', name, password: chosen, role: 'admin' });
  return password ? undefined : chosen;
}
