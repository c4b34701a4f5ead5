/** Notifications: the bell's list, marking read, and the live stream. */
import { api } from './client.ts';

export const notificationKeys = {
  all: ['notifications'] as const,
  list: () => [...notificationKeys.all, 'list'] as const,
};

export const notificationPaths = {
  list: '/api/notifications?limit=30',
  read: (id: string) => `/api/notifications/${encodeURIComponent(id)}/read`,
  readAll: '/api/notifications/read-all',
  stream: '/api/notifications/stream',
} as const;

export const markNotificationRead = (id: string) => api.post(notificationPaths.read(id));
export const markAllNotificationsRead = () => api.post(notificationPaths.readAll);
