import { type QueryKey, useQueries } from '@tanstack/react-query';

/**
 * One cached query per distinct id (empty ids skipped), and their answers by id: the map holds an
 * id once its answer has come. The result keeps its identity while the answers do not change.
 */
export function useQueriesById<T>(
  ids: readonly (string | null | undefined)[],
  query: (id: string) => { queryKey: QueryKey; queryFn: () => Promise<T>; staleTime: number },
): { byId: ReadonlyMap<string, T>; loading: boolean } {
  const unique = [...new Set(ids.filter((id): id is string => !!id))];
  return useQueries({
    queries: unique.map(query),
    combine: (results) => {
      const byId = new Map<string, T>();
      results.forEach((r, i) => {
        const id = unique[i];
        if (id !== undefined && r.data !== undefined) byId.set(id, r.data);
      });
      return { byId, loading: results.some((r) => r.isLoading) };
    },
  });
}
