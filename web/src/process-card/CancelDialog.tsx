import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { processPaths } from '../api/processes.ts';
import type { ProcessCard } from '../api/types.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { apiErrorText } from './apiErrorText.ts';
import { useCardAction } from './useCardAction.ts';

/** Cancel the process for good (administrators). */
export function CancelDialog({
  open,
  onClose,
  card,
}: {
  open: boolean;
  onClose: () => void;
  card: ProcessCard;
}) {
  const { t } = useTranslation('card');
  const cancel = useCardAction(
    card.id,
    () => api.post(`${processPaths.one(card.id)}/cancel`, { expectedVersion: card.version }),
    { onSuccess: onClose },
  );
  return (
    <Dialog open={open} onClose={onClose} title={t('cancelProcess.title')}>
      <p>{t('cancelProcess.text', { name: card.definition.name })}</p>
      {cancel.isError && (
        <p className="error" role="alert">
          {apiErrorText(t, cancel.error)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('cancelProcess.keep')}
        </button>
        <button
          type="button"
          className="primary danger-fill"
          data-testid="cancel-confirm"
          disabled={cancel.isPending}
          onClick={() => cancel.mutate()}
        >
          {t('cancelProcess.confirm')}
        </button>
      </div>
    </Dialog>
  );
}
