import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { api } from '../api/client.ts';
import type { Employee } from '../api/types.ts';
import { NotificationMonitor } from '../notifications/NotificationMonitor.tsx';
import { LanguageSwitcher } from './LanguageSwitcher.tsx';

const MENU = [
  ['processes', '/processes'],
  ['launch', '/launch'],
  ['tasks', '/tasks'],
  ['clients', '/clients'],
  ['orders', '/orders'],
  ['projects', '/projects'],
  ['documents', '/documents'],
] as const;
const ADMIN_MENU = [
  ['designer', '/designer'],
  ['employees', '/employees'],
] as const;

export function Shell({ me, children }: { me: Employee; children: ReactNode }) {
  const { t } = useTranslation('shell');
  const queryClient = useQueryClient();
  const items = me.role === 'admin' ? [...MENU, ...ADMIN_MENU] : MENU;
  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to="/processes" className="brand">
          {t('appName')}
        </NavLink>
        <nav aria-label="Main">
          {items.map(([key, to]) => (
            <NavLink key={key} to={to} className={({ isActive }) => (isActive ? 'active' : '')}>
              {t(`menu.${key}`)}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-right">
          <LanguageSwitcher />
          <NotificationMonitor />
          <span className="me" title={me.login}>
            {me.name}
          </span>
          <button
            type="button"
            className="link"
            onClick={async () => {
              await api.post('/api/auth/logout');
              queryClient.clear();
              window.location.assign('/');
            }}
          >
            {t('logout')}
          </button>
        </div>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
