/** Tasks: the Tasks page's list and completing a task. */
import { query } from './client.ts';

export const taskKeys = {
  all: ['tasks'] as const,
  list: (filter: { scope: string; status: string; me: string }) => [...taskKeys.all, 'list', filter] as const,
};

export const taskPaths = {
  list: (params: Parameters<typeof query>[0]) => `/api/tasks${query(params)}`,
  complete: (id: string) => `/api/tasks/${encodeURIComponent(id)}/complete`,
} as const;
