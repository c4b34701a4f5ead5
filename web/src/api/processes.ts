/** Processes: the journal, one process card and what hangs off it, a record's processes. */
import { query } from './client.ts';

type Params = Parameters<typeof query>[0];

export const processKeys = {
  all: ['processes'] as const,
  /** The journal: its list and its status counts. */
  journal: () => [...processKeys.all, 'journal'] as const,
  list: (params: Params, sort: string) => [...processKeys.journal(), 'list', params, sort] as const,
  counts: (params: Params) => [...processKeys.journal(), 'counts', params] as const,
  /** The processes of one CRM record. */
  ofRecord: (kind: string, id: string) => [...processKeys.all, 'record', kind, id] as const,
  /** One process card; its protocol, tasks and events live under it. */
  detail: (id: string) => [...processKeys.all, 'detail', id] as const,
  protocol: (id: string) => [...processKeys.detail(id), 'protocol'] as const,
  tasks: (id: string) => [...processKeys.detail(id), 'tasks'] as const,
  events: (id: string) => [...processKeys.detail(id), 'events'] as const,
  /** A process as the Tasks page shows it (null when gone or hidden). */
  brief: (id: string) => [...processKeys.all, 'brief', id] as const,
};

export const processPaths = {
  list: (params: Params = {}) => `/api/processes${query(params)}`,
  counts: (params: Params) => `/api/processes/counts${query(params)}`,
  bulk: '/api/processes/bulk',
  one: (id: string) => `/api/processes/${encodeURIComponent(id)}`,
  events: (id: string) => `/api/events?processId=${encodeURIComponent(id)}&limit=500`,
  tasks: (id: string) => `/api/tasks?processId=${encodeURIComponent(id)}&limit=500`,
} as const;
