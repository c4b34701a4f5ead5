import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { processPaths } from '../api/processes.ts';
import type { ProcessCard } from '../api/types.ts';
import { Dialog, DialogActions, type DialogProps } from '../ui/Dialog.tsx';
import { PauseFields, usePauseChoice } from '../ui/PauseFields.tsx';
import { Alert } from '../ui/States.tsx';
import { apiErrorText } from './apiErrorText.ts';
import { useCardAction } from './useCardAction.ts';

/** Pause the process until a date or for a while; it resumes by itself when the time comes. */
export function PauseDialog({ open, onClose, card }: DialogProps & { card: ProcessCard }) {
  const { t } = useTranslation('card');
  return (
    <Dialog open={open} onClose={onClose} title={t('pause.title')}>
      <PauseForm card={card} onClose={onClose} />
    </Dialog>
  );
}

function PauseForm({ card, onClose }: { card: ProcessCard; onClose: () => void }) {
  const { t } = useTranslation('card');
  const choice = usePauseChoice(card.pausedUntil ? Date.parse(card.pausedUntil) : Date.now() + 24 * 3600_000);
  const pause = useCardAction(
    card.id,
    () =>
      api.post(`${processPaths.one(card.id)}/pause`, { ...choice.length(), expectedVersion: card.version }),
    { onSuccess: onClose },
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    if (choice.valid) pause.mutate();
  }

  return (
    <form className="stack" onSubmit={submit}>
      <p className="muted">{t('pause.hint')}</p>
      <PauseFields choice={choice} testIdPrefix="pause" />
      <Alert message={pause.isError && apiErrorText(t, pause.error)} />
      <DialogActions
        onCancel={onClose}
        confirmLabel={t('pause.confirm')}
        disabled={pause.isPending || !choice.valid}
        testId="pause-confirm"
      />
    </form>
  );
}
