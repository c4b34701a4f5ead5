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

/** The main action of a page, a panel or a form: without `onClick`, the submit button of the form around it. */
export function PrimaryButton({
  onClick,
  disabled,
  testId,
  children,
}: {
  onClick?: (() => void) | undefined;
  disabled?: boolean | undefined;
  testId?: string | undefined;
  children: ReactNode;
}) {
  return (
    <button
      type={onClick ? 'button' : 'submit'}
      className="primary"
      data-testid={testId}
      disabled={disabled}
      onClick={onClick}
    >
      {children}
    </button>
  );
}
