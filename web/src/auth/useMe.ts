import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { Employee } from '../api/types.ts';

/** The logged-in employee; `null` when nobody is logged in. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => (await api.get<{ employee: Employee | null }>('/api/auth/session')).employee,
    staleTime: 60_000,
  });
}
