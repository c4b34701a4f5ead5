import { type QueryClient, queryOptions } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import { employeeKeys, fetchEmployees } from '../api/employees.ts';
import type { Definition, Page } from '../api/types.ts';
import { warmUpLayout } from './layout.ts';

const PAGE = 500;

/** Every definition (all pages), or only the published ones. */
async function fetchAllDefinitions(status?: 'published'): Promise<Definition[]> {
  const items: Definition[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Definition> = await api.get(definitionPaths.list({ status, limit: PAGE, cursor }));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** The definition the editor opens. The editor owns the draft once open: no refetch behind the user's back. */
export const definitionQuery = (id: string) =>
  queryOptions({
    queryKey: definitionKeys.detail(id),
    queryFn: () => api.get<Definition>(definitionPaths.one(id)),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });

/** Everyone a stage can be given to. */
export const employeeDirectoryQuery = queryOptions({
  queryKey: employeeKeys.list(),
  queryFn: fetchEmployees,
  staleTime: 60_000,
});

/** The definitions the designer lists or can spawn. */
export const designerListQuery = (status?: 'published') =>
  queryOptions({
    queryKey: definitionKeys.designerList(status),
    queryFn: () => fetchAllDefinitions(status),
  });

const EDITOR_PATH = /^\/designer\/([^/]+)\/?$/;

/**
 * A page opened straight at a definition (a reload, a link) asks for what the editor needs while
 * the session is still being checked, instead of after it: the editor then draws in the same pass
 * as the shell around it. Nothing is shown from these answers until the session says who is
 * there; a refused one is asked again when the editor mounts.
 */
export function prefetchDesignerRoute(queryClient: QueryClient, pathname: string): void {
  const match = EDITOR_PATH.exec(pathname);
  if (!match?.[1]) return;
  const id = decodeURIComponent(match[1]);
  void queryClient.prefetchQuery(definitionQuery(id));
  void queryClient.prefetchQuery(employeeDirectoryQuery);
  void queryClient.prefetchQuery(designerListQuery());
  warmUpLayout();
}
