import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { notificationKeys, notificationPaths } from '../api/notifications.ts';
import { processKeys } from '../api/processes.ts';
import { taskKeys } from '../api/tasks.ts';
import type { Notification } from '../api/types.ts';

/**
 * Keeps the live notification stream open while the app is open (which is what makes the employee
 * "online"), refreshes the notification list when one arrives, remembers the ids that arrived
 * live so the monitor can highlight them, and hands each arrival to `onArrive` (the corner pop-up).
 */
export function useNotificationStream(
  enabled: boolean,
  onArrive?: (n: Notification) => void,
): ReadonlySet<string> {
  const queryClient = useQueryClient();
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const arrive = useRef(onArrive);
  arrive.current = onArrive;
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource(notificationPaths.stream);
    source.addEventListener('notification', (e) => {
      const n = JSON.parse((e as MessageEvent<string>).data) as Notification;
      setFresh((prev) => new Set(prev).add(n.id));
      arrive.current?.(n);
      void queryClient.invalidateQueries({ queryKey: notificationKeys.all });
      if (n.processId) void queryClient.invalidateQueries({ queryKey: processKeys.detail(n.processId) });
      for (const id of processIdsOf(n))
        void queryClient.invalidateQueries({ queryKey: processKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: processKeys.journal() });
      void queryClient.invalidateQueries({ queryKey: taskKeys.all });
    });
    return () => source.close();
  }, [enabled, queryClient]);
  return fresh;
}

function processIdsOf(n: Notification): string[] {
  const ids = n.details?.processIds;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string').slice(0, 50) : [];
}
