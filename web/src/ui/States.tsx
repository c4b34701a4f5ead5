import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="muted" aria-busy="true">
      {t('loading')}
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = error instanceof ApiError ? error.message : t('error');
  return (
    <div className="error-box" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  return <p className="empty muted">{children ?? t('empty')}</p>;
}

/** A problem with what was just tried, announced at once; nothing when there is none. */
export function Alert({ message, warning }: { message: ReactNode; warning?: boolean | undefined }) {
  if (message === null || message === undefined || message === false || message === '') return null;
  return (
    <p className={warning ? 'warning' : 'error'} role="alert">
      {message}
    </p>
  );
}

/** What a list's query has to say before there are rows: loading, failed (with a retry), or empty. */
export function QueryStates({
  query,
  empty,
  children,
}: {
  query: { isLoading: boolean; error: unknown; isSuccess: boolean; refetch: () => unknown };
  empty: boolean;
  /** The empty list's message (default: "Nothing here yet"). */
  children?: ReactNode;
}) {
  return (
    <>
      {query.isLoading && <Loading />}
      {query.error ? <ErrorBox error={query.error} onRetry={() => query.refetch()} /> : null}
      {query.isSuccess && empty && <Empty>{children}</Empty>}
    </>
  );
}
