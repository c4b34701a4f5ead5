import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { employeeDirectoryQuery } from './queries.ts';

/** Everyone a stage can be given to, sorted by name, and a lookup by id. */
export function useEmployeeDirectory() {
  const result = useQuery(employeeDirectoryQuery);
  const items = result.data?.items;
  return useMemo(() => {
    const list = [...(items ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    return {
      list,
      byId: new Map(list.map((e) => [e.id, e])),
      loaded: items !== undefined,
      error: result.error,
    };
  }, [items, result.error]);
}
