/** Process definitions: lists, one definition, one published version, searches. */
import { query } from './client.ts';

type Params = Parameters<typeof query>[0];

export const definitionKeys = {
  all: ['definitions'] as const,
  /** Every list and search; invalidated when a definition is created, saved or published. */
  lists: () => [...definitionKeys.all, 'list'] as const,
  /** The designer's list (every page), all or published only. */
  designerList: (status?: 'published') => [...definitionKeys.lists(), 'designer', status ?? 'all'] as const,
  /** One request for every definition: names for the journal and child processes. */
  names: () => [...definitionKeys.lists(), 'names'] as const,
  /** The published ones a bulk launch offers. */
  published: () => [...definitionKeys.lists(), 'published'] as const,
  /** A Combobox over published definitions (the search text is appended). */
  search: () => [...definitionKeys.lists(), 'search'] as const,
  /** One definition as the editor loaded it (the editor owns it once open: not under lists()). */
  detail: (id: string) => [...definitionKeys.all, 'detail', id] as const,
  version: (id: string | undefined, version: number | undefined) =>
    [...definitionKeys.all, 'version', id, version] as const,
};

export const definitionPaths = {
  list: (params: Params = {}) => `/api/definitions${query(params)}`,
  one: (id: string) => `/api/definitions/${encodeURIComponent(id)}`,
  publish: (id: string) => `/api/definitions/${encodeURIComponent(id)}/publish`,
  version: (id: string, version: number) => `/api/definitions/${encodeURIComponent(id)}/versions/${version}`,
} as const;
