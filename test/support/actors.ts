import type { Actor, EngineContext } from '../../src/context.ts';
import { createEmployee } from '../../src/services/employees.ts';

/** Creates an administrator (password `<login>-password`) and answers them as an actor. */
export async function createAdminActor(ctx: EngineContext, login: string, name = login): Promise<Actor> {
  const admin = await createEmployee(ctx, { login, name, password: `${login}-password`, role: 'admin' });
  return { id: admin.id, role: admin.role, name: admin.name };
}
