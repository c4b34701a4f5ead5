import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import type { Notification } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useNotificationStream } from './useNotificationStream.ts';

interface NotificationList {
  items: Notification[];
  unread: number;
}

/** The text of a notification in the reader's language, from its kind and details. */
export function useNotificationText() {
  const { t } = useTranslation('shell');
  return (n: Notification) => {
    const d = n.details ?? {};
    const key = `notifications.kinds.${n.kind}`;
    const text = t(key, {
      definition: String(d.definitionName ?? ''),
      stage: String(d.stageName ?? d.stage ?? ''),
      title: String(d.title ?? ''),
    });
    return text === key || !d.definitionName ? n.text : text;
  };
}

/** The bell: unread count, a list with unread rows in orange, a click opens the process card. */
export function NotificationMonitor() {
  const { t } = useTranslation('shell');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const fresh = useNotificationStream(true);
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const text = useNotificationText();
  const list = useQuery({
    queryKey: ['notifications'],
    queryFn: () => api.get<NotificationList>('/api/notifications?limit=30'),
    refetchInterval: 60_000,
  });
  const read = useMutation({
    mutationFn: (id: string) => api.post(`/api/notifications/${id}/read`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const readAll = useMutation({
    mutationFn: () => api.post('/api/notifications/read-all'),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onClick = (e: MouseEvent) => {
      if (panel.current && !panel.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  const unread = list.data?.unread ?? 0;
  return (
    <div className="notifications" ref={panel}>
      <button
        type="button"
        className={`bell${unread > 0 ? ' has-unread' : ''}`}
        aria-label={t('notifications.open', { count: unread })}
        aria-expanded={open}
        aria-controls="notification-panel"
        data-testid="notification-bell"
        onClick={() => setOpen((v) => !v)}
      >
        <svg
          aria-hidden="true"
          width="20"
          height="20"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {unread > 0 && <span className="badge">{unread}</span>}
      </button>
      {open && (
        <div
          className="notification-panel"
          id="notification-panel"
          role="dialog"
          aria-label={t('notifications.title')}
        >
          <header>
            <strong>{t('notifications.title')}</strong>
            {unread > 0 && (
              <button type="button" className="link" onClick={() => readAll.mutate()}>
                {t('notifications.markAll')}
              </button>
            )}
          </header>
          {list.data?.items.length === 0 && <p className="muted">{t('notifications.empty')}</p>}
          <ul>
            {list.data?.items.map((n) => (
              <li key={n.id}>
                <button
                  type="button"
                  className={`notification${n.read ? '' : ' unread'}${fresh.has(n.id) ? ' fresh' : ''}`}
                  data-testid="notification"
                  onClick={() => {
                    if (!n.read) read.mutate(n.id);
                    setOpen(false);
                    if (n.processId) navigate(`/processes/${n.processId}`);
                  }}
                >
                  <span className="notification-text">{text(n)}</span>
                  <time dateTime={n.at}>{formatDateTime(n.at)}</time>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
