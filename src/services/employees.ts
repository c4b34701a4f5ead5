/** Employees, passwords (argon2id) and sessions (random tokens, stored only as their hash). */
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Actor, EngineContext } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { isUniqueViolation } from '../store/store.ts';

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
      tx
        .insertInto('employees')
        .values({
          id,
          login: input.login,
          name: input.name,
          role: input.role,
          password_hash: passwordHash,
          active: 1,
          created_at: ctx.clock.now(),
        })
        .execute(),
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
  const row = await ctx.store.db
    .selectFrom('employees')
    .select(['id', 'login', 'name', 'role', 'password_hash'])
    .where('login', '=', loginName)
    .where('active', '=', 1)
    .executeTakeFirst();
  dummyHash ??= hash(randomBytes(16).toString('hex'));
  const ok = await verify(row?.password_hash ?? (await dummyHash), password).catch(() => false);
  if (!row || !ok) throw new DomainError('invalid_credentials');
  const token = randomBytes(32).toString('base64url');
  // Sessions live in real time, not in the engine's (possibly test-advanced) business time.
  const now = Date.now();
  await ctx.store.transaction(async (tx) => {
    // Expired sessions of this employee go as a new one starts, so the table does not grow for ever.
    await tx
      .deleteFrom('sessions')
      .where('employee_id', '=', row.id)
      .where('expires_at', '<=', now)
      .execute();
    await tx
      .insertInto('sessions')
      .values({
        token_hash: hashToken(token),
        employee_id: row.id,
        created_at: now,
        expires_at: now + SESSION_TTL_MS,
      })
      .execute();
  });
  const online = (await ctx.presence.onlineAmong(ctx.store.db, [row.id])).has(row.id);
  return { token, employee: { id: row.id, login: row.login, name: row.name, role: row.role, online } };
}

export async function logout(ctx: EngineContext, token: string): Promise<void> {
  await ctx.store.transaction((tx) =>
    tx.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute(),
  );
}

/** The employee a session token belongs to, or undefined when it is unknown or expired. */
export async function authenticate(
  ctx: EngineContext,
  token: string,
): Promise<(Actor & { login: string }) | undefined> {
  const row = await ctx.store.db
    .selectFrom('sessions as s')
    .innerJoin('employees as e', 'e.id', 's.employee_id')
    .select(['e.id', 'e.login', 'e.name', 'e.role', 's.expires_at'])
    .where('s.token_hash', '=', hashToken(token))
    .where('e.active', '=', 1)
    .executeTakeFirst();
  if (!row || row.expires_at <= Date.now()) return undefined;
  return { id: row.id, login: row.login, name: row.name, role: row.role };
}

export async function listEmployees(ctx: EngineContext): Promise<EmployeeView[]> {
  const rows = await ctx.store.db
    .selectFrom('employees')
    .select(['id', 'login', 'name', 'role'])
    .where('active', '=', 1)
    .orderBy('name')
    .execute();
  const online = await ctx.presence.onlineAmong(
    ctx.store.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, online: online.has(r.id) }));
}

export async function getEmployee(ctx: EngineContext, id: string): Promise<EmployeeView | undefined> {
  const row = await ctx.store.db
    .selectFrom('employees')
    .select(['id', 'login', 'name', 'role'])
    .where('id', '=', id)
    .executeTakeFirst();
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
  const any = await ctx.store.db
    .selectFrom('employees')
    .select('id')
    .where('login', '=', 'admin')
    .executeTakeFirst();
  if (any) return undefined;
  const chosen = password ?? randomBytes(12).toString('base64url');
  const name = language === 'ru' ? 'Администратор' : 'Administrator';
  await createEmployee(ctx, { login: 'admin', name, password: chosen, role: 'admin' });
  return password ? undefined : chosen;
}
