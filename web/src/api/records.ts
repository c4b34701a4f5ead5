/** CRM records (clients, projects, orders, documents): lists, one record, searches and labels. */
import { query } from './client.ts';

type Params = Parameters<typeof query>[0];

export const recordKeys = {
  all: ['records'] as const,
  /** Every list of one kind; a filter object is appended by each list. */
  lists: (kind: string) => [...recordKeys.all, kind, 'list'] as const,
  list: (kind: string, filter: Record<string, unknown>) => [...recordKeys.lists(kind), filter] as const,
  /** The client picker's choices (the search text is appended). */
  pick: () => [...recordKeys.lists('counterparties'), 'pick'] as const,
  detail: (kind: string, id: string) => [...recordKeys.all, kind, 'detail', id] as const,
  /** A record's name alone, as a filter or a prefilled field shows it. */
  label: (kind: string, id: string | undefined) => [...recordKeys.all, kind, 'label', id] as const,
  /** A process link's record label, by link type. */
  linkLabel: (type: string, id: string) => [...recordKeys.all, 'link-label', type, id] as const,
  /** A Combobox over records; the scope says which screen's choices, the text is appended. */
  search: (scope: string, ...context: string[]) => [...recordKeys.all, 'search', scope, ...context] as const,
};

export const recordPaths = {
  list: (kind: string, params: Params = {}) => `/api/${kind}${query(params)}`,
  one: (kind: string, id: string) => `/api/${kind}/${encodeURIComponent(id)}`,
} as const;
