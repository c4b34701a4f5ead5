import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** What opens and closes a dialog, as its owner passes it down. */
export interface DialogProps {
  open: boolean;
  onClose: () => void;
}

/** A dialog's open state as the props it takes, and `show` for the button that opens it. */
export function useDialog(): DialogProps & { show: () => void } {
  const [open, setOpen] = useState(false);
  return { open, onClose: () => setOpen(false), show: () => setOpen(true) };
}

/**
 * A modal dialog on the native <dialog> element: focus moves into it, Escape closes it, focus
 * returns where it was, and it is labelled by its title.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  wide,
}: DialogProps & {
  title: string;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' wide' : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon" aria-label="×" onClick={onClose}>
              ×
            </button>
          </header>
          <div className="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}

/**
 * A dialog's closing row: the way out (left out without `onCancel`), then the one action, a submit
 * button of the form around it unless `onConfirm` is given.
 */
export function DialogActions({
  onCancel,
  cancelLabel,
  confirmLabel,
  onConfirm,
  disabled,
  danger,
  testId,
}: {
  onCancel?: (() => void) | undefined;
  cancelLabel?: string | undefined;
  confirmLabel: string;
  onConfirm?: (() => void) | undefined;
  disabled?: boolean | undefined;
  /** The action cannot be undone: drawn filled in the danger colour. */
  danger?: boolean | undefined;
  testId?: string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <div className="dialog-actions">
      {onCancel && (
        <button type="button" onClick={onCancel}>
          {cancelLabel ?? t('common:cancel')}
        </button>
      )}
      <button
        type={onConfirm ? 'button' : 'submit'}
        className={danger ? 'primary danger-fill' : 'primary'}
        data-testid={testId}
        disabled={disabled}
        onClick={onConfirm}
      >
        {confirmLabel}
      </button>
    </div>
  );
}
