import type { ReactNode } from 'react';

/**
 * A button that shows only a symbol (× by default); `label` is what it is read out as, and with
 * `tooltip` also what a pointer shows. `small` and `danger` are the dense and destructive looks.
 */
export function IconButton({
  label,
  onClick,
  disabled,
  small,
  danger,
  tooltip,
  children = '×',
}: {
  label: string;
  onClick: () => void;
  disabled?: boolean | undefined;
  small?: boolean | undefined;
  danger?: boolean | undefined;
  tooltip?: boolean | undefined;
  children?: ReactNode;
}) {
  return (
    <button
      type="button"
      className={`icon${small ? ' small' : ''}${danger ? ' danger' : ''}`}
      disabled={disabled}
      onClick={onClick}
      aria-label={label}
      title={tooltip ? label : undefined}
    >
      {children}
    </button>
  );
}
