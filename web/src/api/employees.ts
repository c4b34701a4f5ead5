/** Employees: one cache entry for the whole directory (`GET /api/employees?limit=500`). */
import { api } from './client.ts';
import type { Employee, Page } from './types.ts';

export const employeeKeys = {
  all: ['employees'] as const,
  /** The whole directory: every screen that lists employees shares this one entry. */
  list: () => [...employeeKeys.all, 'list'] as const,
  /** A Combobox over employees already loaded (filtered locally). */
  pick: (scope: string, ids: string) => [...employeeKeys.all, 'pick', scope, ids] as const,
};

export const employeePaths = {
  list: '/api/employees',
} as const;

export const fetchEmployees = () => api.get<Page<Employee>>(`${employeePaths.list}?limit=500`);
export const createEmployee = <T>(body: unknown) => api.post<T>(employeePaths.list, body);
