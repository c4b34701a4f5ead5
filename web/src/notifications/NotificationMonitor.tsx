import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import {
  markAllNotificationsRead,
  markNotificationRead,
  notificationKeys,
  notificationPaths,
} from '../api/notifications.ts';
import type { Notification } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { IconButton } from '../ui/IconButton.tsx';
import { useNotificationStream } from './useNotificationStream.ts';

interface NotificationList {
  items: Notification[];
  unread: number;
}

/** A notification in the reader's language: what happened, and who and what it is about. */
export function useNotificationText() {
  const { t } = useTranslation('shell');
  return (n: Notification): { text: string; who: string } => {
    const d = n.details ?? {};
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    const key = `notifications.kinds.${n.kind}`;
    const options: Record<string, unknown> = {
      definition: str(d.definitionName),
      stage: str(d.stageName) || str(d.stage),
      title: str(d.title),
      actor: str(d.actorName) || t('notifications.someone'),
    };
    if (n.kind === 'processes.launched') options.count = Number(d.count ?? 0);
    if (n.kind === 'access.granted') options.context = d.level === 'edit' ? 'edit' : 'view';
    const text = t(key, options);
    const known = text !== key && !text.startsWith(`${key}_`) && d.definitionName;
    const record = d.record as { type?: unknown; label?: unknown } | null | undefined;
    const parts: string[] = [];
    if (str(d.counterpartyName)) parts.push(t('notifications.client', { name: str(d.counterpartyName) }));
    else if (record && typeof record.label === 'string' && typeof record.type === 'string')
      parts.push(t(`notifications.record.${record.type}`, { label: record.label }));
    if (str(d.initiatorName)) parts.push(t('notifications.launchedBy', { name: str(d.initiatorName) }));
    return { text: known ? text : n.text, who: known ? parts.join(' \u00b7 ') : '' };
  };
}

/** Where a notification leads: its process, or for a grouped launch the caller's processes of it. */
export function notificationTarget(n: Notification): string | null {
  if (n.processId) return `/processes/${n.processId}`;
  const definitionId = n.details?.definitionId;
  if (n.kind === 'processes.launched' && typeof definitionId === 'string')
    return `/processes?definitionId=${encodeURIComponent(definitionId)}&mine=1`;
  return null;
}

/** How long the corner pop-up stays (a screen effect only; nothing business-related waits on it). */
const POPUP_MS = 8000;

/** The bell: unread count, a list with unread rows in orange, a click opens the process card. */
export function NotificationMonitor() {
  const { t } = useTranslation('shell');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [popups, setPopups] = useState<Notification[]>([]);
  const fresh = useNotificationStream(true, (n) => setPopups((prev) => [...prev.slice(-2), n]));
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const text = useNotificationText();
  const list = useQuery({
    queryKey: notificationKeys.list(),
    queryFn: () => api.get<NotificationList>(notificationPaths.list),
    refetchInterval: 60_000,
  });
  const read = useMutation({
    mutationFn: (id: string) => markNotificationRead(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
  const readAll = useMutation({
    mutationFn: () => markAllNotificationsRead(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
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

  useEffect(() => {
    if (popups.length === 0) return;
    const timer = window.setTimeout(() => setPopups((prev) => prev.slice(1)), POPUP_MS);
    return () => window.clearTimeout(timer);
  }, [popups]);

  const unread = list.data?.unread ?? 0;
  useEffect(() => {
    // The unread count in the tab title: "(3) Stageflow".
    const base = document.title.replace(/^\(\d+\) /, '');
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
  }, [unread]);
  const go = (n: Notification) => {
    if (!n.read) read.mutate(n.id);
    const target = notificationTarget(n);
    if (target) navigate(target);
  };
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
              <button
                type="button"
                className="link mark-all"
                data-testid="mark-all-read"
                onClick={() => readAll.mutate()}
              >
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
                    setOpen(false);
                    go(n);
                  }}
                >
                  <NotificationBody parts={text(n)} />
                  <time dateTime={n.at}>{formatDateTime(n.at)}</time>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {popups.length > 0 && (
        <div
          className="notification-popups"
          role="status"
          aria-live="polite"
          aria-label={t('notifications.popup')}
        >
          {popups.map((n) => (
            <div key={n.id} className="notification-popup" data-testid="notification-popup">
              <button
                type="button"
                className="notification-popup-body"
                onClick={() => {
                  setPopups((prev) => prev.filter((p) => p.id !== n.id));
                  go(n);
                }}
              >
                <NotificationBody parts={text(n)} />
              </button>
              <IconButton
                label={t('notifications.dismiss')}
                onClick={() => setPopups((prev) => prev.filter((p) => p.id !== n.id))}
              />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

function NotificationBody({ parts }: { parts: { text: string; who: string } }) {
  return (
    <>
      <span className="notification-text">{parts.text}</span>
      {parts.who && <span className="notification-who">{parts.who}</span>}
    </>
  );
}
