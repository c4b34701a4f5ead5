import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { authPaths } from '../api/auth.ts';
import { ApiError, api } from '../api/client.ts';
import { LanguageSwitcher } from '../ui/LanguageSwitcher.tsx';
import { Alert } from '../ui/States.tsx';
import { TextField } from '../ui/TextField.tsx';

export function LoginPage() {
  const { t } = useTranslation('shell');
  const queryClient = useQueryClient();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(authPaths.login, { login, password });
      await queryClient.invalidateQueries();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('login.throttled') : t('login.failed'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        <TextField
          label={t('login.login')}
          name="login"
          autoComplete="username"
          value={login}
          onChange={setLogin}
          required
        />
        <TextField
          label={t('login.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          required
        />
        <Alert message={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('login.submit')}
        </button>
        <LanguageSwitcher />
      </form>
    </main>
  );
}
