import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import type { Definition, Page } from '../api/types.ts';

const PAGE = 500;

/** Every definition (all pages), or only the published ones. */
export async function fetchAllDefinitions(status?: 'published'): Promise<Definition[]> {
  const items: Definition[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Definition> = await api.get(definitionPaths.list({ status, limit: PAGE, cursor }));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** The definitions the designer lists or can spawn. */
export function useDefinitionList(status?: 'published') {
  return useQuery({
    queryKey: definitionKeys.designerList(status),
    queryFn: () => fetchAllDefinitions(status),
  });
}
