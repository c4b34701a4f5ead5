import { queryOptions, useQuery } from '@tanstack/react-query';
import { authKeys, authPaths } from '../api/auth.ts';
import { api } from '../api/client.ts';
import type { Employee } from '../api/types.ts';

/** Who is logged in, asked as the page starts. */
export const meQuery = queryOptions({
  queryKey: authKeys.me,
  queryFn: async () => (await api.get<{ employee: Employee | null }>(authPaths.session)).employee,
  staleTime: 60_000,
});

/** The logged-in employee; `null` when nobody is logged in. */
export function useMe() {
  return useQuery(meQuery);
}
