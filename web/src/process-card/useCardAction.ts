import { useMutation, useQueryClient } from '@tanstack/react-query';
import { processKeys } from '../api/processes.ts';
import { taskKeys } from '../api/tasks.ts';
import type { ProcessCard } from '../api/types.ts';
import { isVersionConflict } from './apiErrorText.ts';

function isCard(value: unknown, processId: string): value is ProcessCard {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { id?: unknown }).id === processId &&
    typeof (value as { version?: unknown }).version === 'number'
  );
}

/**
 * A change to one process. Whatever happens, the card and everything hanging off it (protocol,
 * tasks, events) is refreshed afterwards: on success to show the result, on a version conflict to
 * show what the other person did.
 */
export function useCardAction<TVars = void>(
  processId: string,
  run: (vars: TVars) => Promise<unknown>,
  options?: { onSuccess?: (result: unknown) => void },
) {
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: processKeys.detail(processId) }),
      queryClient.invalidateQueries({ queryKey: processKeys.journal() }),
      queryClient.invalidateQueries({ queryKey: taskKeys.all }),
    ]);
  return useMutation({
    mutationFn: run,
    onSuccess: async (result) => {
      if (isCard(result, processId)) queryClient.setQueryData(processKeys.detail(processId), result);
      options?.onSuccess?.(result);
      await refresh();
    },
    onError: async (error) => {
      if (isVersionConflict(error)) await refresh();
    },
  });
}
