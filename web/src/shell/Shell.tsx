import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useLocation } from 'react-router';
import { authPaths } from '../api/auth.ts';
import { api } from '../api/client.ts';
import type { Employee } from '../api/types.ts';
import { NotificationMonitor } from '../notifications/NotificationMonitor.tsx';
import { LanguageSwitcher } from '../ui/LanguageSwitcher.tsx';

const MENU = [
  ['processes', '/processes'],
  ['launch', '/launch'],
  ['tasks', '/tasks'],
  ['clients', '/clients'],
  ['orders', '/orders'],
  ['projects', '/projects'],
  ['documents', '/documents'],
  ['calendar', '/calendar'],
] as const;
const ADMIN_MENU = [
  ['designer', '/designer'],
  ['employees', '/employees'],
] as const;

export function Shell({ me, children }: { me: Employee; children: ReactNode }) {
  const { t } = useTranslation('shell');
  const queryClient = useQueryClient();
  const items = me.role === 'admin' ? [...MENU, ...ADMIN_MENU] : MENU;
  const location = useLocation();
  // On narrow screens the menu folds behind a button; it stays open on the page where it was
  // opened only, so it folds again as soon as any link is followed (or Back pressed).
  const [menuOpenOn, setMenuOpenOn] = useState<string | null>(null);
  const menuOpen = menuOpenOn === location.key;
  return (
    <div className="shell">
      <header className={`topbar${menuOpen ? ' menu-open' : ''}`}>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-menu"
          aria-label={t('openMenu')}
          data-testid="menu-toggle"
          onClick={() => setMenuOpenOn(menuOpen ? null : location.key)}
        >
          <span aria-hidden="true">{menuOpen ? '✕' : '☰'}</span>
        </button>
        <NavLink to="/processes" className="brand">
          {t('appName')}
        </NavLink>
        <div className="menu" id="main-menu">
          <nav aria-label="Main">
            {items.map(([key, to]) => (
              <NavLink key={key} to={to} className={({ isActive }) => (isActive ? 'active' : '')}>
                {t(`menu.${key}`)}
              </NavLink>
            ))}
          </nav>
          <div className="topbar-right">
            <LanguageSwitcher />
            <span className="me" title={me.login}>
              {me.name}
            </span>
            <button
              type="button"
              className="link logout"
              onClick={async () => {
                await api.post(authPaths.logout);
                queryClient.clear();
                window.location.assign('/');
              }}
            >
              {t('logout')}
            </button>
          </div>
        </div>
        <NotificationMonitor />
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
