import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import type { Definition, Page } from '../api/types.ts';

/** Every process definition (one request, cached): the journal's filter and child-process names. */
export function useDefinitions() {
  return useQuery({
    queryKey: definitionKeys.names(),
    queryFn: () => api.get<Page<Definition>>(definitionPaths.list({ limit: 500 })),
    staleTime: 60_000,
  });
}

/** Names of the process definitions by id. */
export function usePublishedNames(): ReadonlyMap<string, string> {
  const definitions = useDefinitions();
  const items = definitions.data?.items;
  return useMemo(() => new Map((items ?? []).map((d) => [d.id, d.name])), [items]);
}
