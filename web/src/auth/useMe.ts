import { useQuery } from '@tanstack/react-query';
import { authKeys, authPaths } from '../api/auth.ts';
import { api } from '../api/client.ts';
import type { Employee } from '../api/types.ts';

/** The logged-in employee; `null` when nobody is logged in. */
export function useMe() {
  return useQuery({
    queryKey: authKeys.me,
    queryFn: async () => (await api.get<{ employee: Employee | null }>(authPaths.session)).employee,
    staleTime: 60_000,
  });
}
