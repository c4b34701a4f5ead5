import { useQuery } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import type { Definition, Page } from '../api/types.ts';

const PAGE = 500;

/** Every definition (all pages), or only the published ones. */
export async function fetchAllDefinitions(status?: 'published'): Promise<Definition[]> {
  const items: Definition[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Definition> = await api.get(`/api/definitions${query({ status, limit: PAGE, cursor })}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Cache key of one definition as the editor loaded it. */
export const definitionKey = (id: string) => ['definition', id] as const;

export const definitionsKey = (status?: 'published') => ['definitions', 'designer', status ?? 'all'] as const;

/** The definitions the designer lists or can spawn. */
export function useDefinitionList(status?: 'published') {
  return useQuery({ queryKey: definitionsKey(status), queryFn: () => fetchAllDefinitions(status) });
}
