import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Notification } from '../api/types.ts';

/**
 * Keeps the live notification stream open while the app is open (which is what makes the employee
 * "online"), refreshes the notification list when one arrives, and remembers the ids that arrived
 * live so the monitor can highlight them.
 */
export function useNotificationStream(enabled: boolean): ReadonlySet<string> {
  const queryClient = useQueryClient();
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/api/notifications/stream');
    source.addEventListener('notification', (e) => {
      const n = JSON.parse((e as MessageEvent<string>).data) as Notification;
      setFresh((prev) => new Set(prev).add(n.id));
      void queryClient.invalidateQueries({ queryKey: ['notifications'] });
      if (n.processId) void queryClient.invalidateQueries({ queryKey: ['process', n.processId] });
      void queryClient.invalidateQueries({ queryKey: ['journal'] });
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
    });
    return () => source.close();
  }, [enabled, queryClient]);
  return fresh;
}
