import type { ReactNode } from 'react';

/** A page's title, what more it says about the page, then its actions (if any) at the far end. */
export function PageHeader({
  title,
  titleId,
  meta,
  children,
}: {
  title: ReactNode;
  titleId?: string | undefined;
  meta?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <div className="page-header">
      <h1 id={titleId}>{title}</h1>
      {meta}
      {children && <div className="actions">{children}</div>}
    </div>
  );
}

/** The main action of a page or a panel. */
export function PrimaryButton({
  onClick,
  testId,
  children,
}: {
  onClick: () => void;
  testId?: string | undefined;
  children: ReactNode;
}) {
  return (
    <button type="button" className="primary" data-testid={testId} onClick={onClick}>
      {children}
    </button>
  );
}
