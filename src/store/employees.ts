/** Employees: accounts, logins and the roster. */
import type { Insertable } from 'kysely';
import type { EmployeeTable } from './schema.ts';
import type { Db } from './store.ts';

export async function insertEmployee(db: Db, row: Insertable<EmployeeTable>): Promise<void> {
  await db.insertInto('employees').values(row).execute();
}

/** An active employee by login, with the password hash to check. */
export async function findActiveByLogin(db: Db, login: string) {
  return db
    .selectFrom('employees')
    .select(['id', 'login', 'name', 'role', 'password_hash'])
    .where('login', '=', login)
    .where('active', '=', 1)
    .executeTakeFirst();
}

/** Active employees by name. */
export async function listActiveEmployees(db: Db) {
  return db
    .selectFrom('employees')
    .select(['id', 'login', 'name', 'role'])
    .where('active', '=', 1)
    .orderBy('name')
    .execute();
}

export async function activeEmployeeIds(db: Db): Promise<{ id: string }[]> {
  return db.selectFrom('employees').select('id').where('active', '=', 1).execute();
}

/** An employee, active or not. */
export async function findEmployee(db: Db, id: string) {
  return db
    .selectFrom('employees')
    .select(['id', 'login', 'name', 'role'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Whether an account with this login exists, active or not. */
export async function findIdByLogin(db: Db, login: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('employees').select('id').where('login', '=', login).executeTakeFirst();
}

/** Which of the ids are active employees. */
export async function activeEmployeesAmong(db: Db, ids: readonly string[]): Promise<{ id: string }[]> {
  return db
    .selectFrom('employees')
    .select('id')
    .where('id', 'in', [...ids])
    .where('active', '=', 1)
    .execute();
}

/** The ids of the active administrators, for notifications addressed to all of them. */
export async function activeAdminIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('employees')
    .select('id')
    .where('role', '=', 'admin')
    .where('active', '=', 1)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
