import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { processPaths } from '../api/processes.ts';
import type { ProcessCard } from '../api/types.ts';
import { Dialog, DialogActions, type DialogProps } from '../ui/Dialog.tsx';
import { Alert } from '../ui/States.tsx';
import { apiErrorText } from './apiErrorText.ts';
import { useCardAction } from './useCardAction.ts';

/** Cancel the process for good (administrators). */
export function CancelDialog({ open, onClose, card }: DialogProps & { card: ProcessCard }) {
  const { t } = useTranslation('card');
  const cancel = useCardAction(
    card.id,
    () => api.post(`${processPaths.one(card.id)}/cancel`, { expectedVersion: card.version }),
    { onSuccess: onClose },
  );
  return (
    <Dialog open={open} onClose={onClose} title={t('cancelProcess.title')}>
      <p>{t('cancelProcess.text', { name: card.definition.name })}</p>
      <Alert message={cancel.isError && apiErrorText(t, cancel.error)} />
      <DialogActions
        onCancel={onClose}
        cancelLabel={t('cancelProcess.keep')}
        confirmLabel={t('cancelProcess.confirm')}
        onConfirm={() => cancel.mutate()}
        danger
        disabled={cancel.isPending}
        testId="cancel-confirm"
      />
    </Dialog>
  );
}
