import type { MouseEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

/**
 * A list as a table: a header cell per column (or `head`, for headers that need more than a label),
 * an unlabelled-to-the-eye actions column when `actions` names it, then one row per item.
 */
export function ListTable({
  className,
  columns,
  head,
  actions,
  children,
  testId,
  busy,
}: {
  className: string;
  columns?: readonly ReactNode[] | undefined;
  head?: ReactNode;
  actions?: string | undefined;
  children: ReactNode;
  testId?: string | undefined;
  busy?: boolean | undefined;
}) {
  return (
    <table className={className} data-testid={testId} aria-busy={busy}>
      <thead>
        <tr>
          {columns?.map((label, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed for a table
            <th key={i} scope="col">
              {label}
            </th>
          ))}
          {head}
          {actions !== undefined && (
            <th scope="col">
              <span className="visually-hidden">{actions}</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/**
 * A row that opens `to` when clicked outside its links, buttons and checkboxes. The first cell's
 * link is the keyboard way in; the row click is a mouse shortcut.
 */
export function ClickableRow({ to, testId, children }: { to: string; testId: string; children: ReactNode }) {
  const navigate = useNavigate();
  const open = (e: MouseEvent<HTMLTableRowElement>) => {
    // Links inside the row handle themselves (and middle/ctrl clicks open a new tab).
    if ((e.target as HTMLElement).closest('a, button, input, label')) return;
    navigate(to);
  };
  return (
    <tr className="clickable" data-testid={testId} onClick={open}>
      {children}
    </tr>
  );
}

/** "Load more" under a paged list, while there is more. */
export function MoreButton({
  list,
  className,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  className: string;
}) {
  const { t } = useTranslation();
  if (!list.hasNextPage) return null;
  return (
    <div className={className}>
      <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
        {list.isFetchingNextPage ? t('common:loading') : t('common:more')}
      </button>
    </div>
  );
}
