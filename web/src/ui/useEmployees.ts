import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { authKeys } from '../api/auth.ts';
import { employeeKeys, fetchEmployees } from '../api/employees.ts';
import type { Employee } from '../api/types.ts';

/**
 * Every employee with their presence (online while their app is open). Refreshed now and then so
 * the online dots stay roughly current; one request for the whole screen, never one per row.
 */
export function useEmployees() {
  const query = useQuery({
    queryKey: employeeKeys.list(),
    queryFn: fetchEmployees,
    staleTime: 15_000,
    refetchInterval: 30_000,
  });
  // Whoever is looking at this screen has the app open, so is online, even if the list was read
  // a moment before their notification stream connected.
  const meId = useQueryClient().getQueryData<Employee | null>(authKeys.me)?.id;
  const fetched = query.data?.items;
  return useMemo(() => {
    const list = (fetched ?? []).map((e) => (e.id === meId && !e.online ? { ...e, online: true } : e));
    return { list, byId: new Map(list.map((e) => [e.id, e])), isLoading: query.isLoading };
  }, [fetched, meId, query.isLoading]);
}
