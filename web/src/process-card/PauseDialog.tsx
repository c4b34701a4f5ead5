import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { processPaths } from '../api/processes.ts';
import type { ProcessCard } from '../api/types.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { apiErrorText } from './apiErrorText.ts';
import { useCardAction } from './useCardAction.ts';

const UNITS = ['hours', 'days', 'weeks', 'months'] as const;
type Unit = (typeof UNITS)[number];

function isoDuration(amount: number, unit: Unit): string {
  if (unit === 'hours') return `PT${amount}H`;
  if (unit === 'days') return `P${amount}D`;
  if (unit === 'weeks') return `P${amount}W`;
  return `P${amount}M`;
}

/** `datetime-local` text for an instant, in the reader's time zone. */
function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Pause the process until a date or for a while; it resumes by itself when the time comes. */
export function PauseDialog({
  open,
  onClose,
  card,
}: {
  open: boolean;
  onClose: () => void;
  card: ProcessCard;
}) {
  const { t } = useTranslation('card');
  return (
    <Dialog open={open} onClose={onClose} title={t('pause.title')}>
      <PauseForm card={card} onClose={onClose} />
    </Dialog>
  );
}

function PauseForm({ card, onClose }: { card: ProcessCard; onClose: () => void }) {
  const { t } = useTranslation('card');
  const [mode, setMode] = useState<'for' | 'until'>('for');
  const [amount, setAmount] = useState(1);
  const [unit, setUnit] = useState<Unit>('days');
  const [until, setUntil] = useState(() =>
    localInput(card.pausedUntil ? Date.parse(card.pausedUntil) : Date.now() + 24 * 3600_000),
  );
  const pause = useCardAction(
    card.id,
    () =>
      api.post(
        `${processPaths.one(card.id)}/pause`,
        mode === 'for'
          ? { for: isoDuration(amount, unit), expectedVersion: card.version }
          : { until: new Date(until).toISOString(), expectedVersion: card.version },
      ),
    { onSuccess: onClose },
  );
  const untilValid = mode !== 'until' || (until !== '' && !Number.isNaN(Date.parse(until)));
  const amountValid = mode !== 'for' || (Number.isInteger(amount) && amount > 0);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (untilValid && amountValid) pause.mutate();
  }

  return (
    <form className="stack" onSubmit={submit}>
      <p className="muted">{t('pause.hint')}</p>
      <fieldset className="stack-tight plain">
        <legend className="visually-hidden">{t('pause.how')}</legend>
        <label className="inline">
          <input type="radio" name="pause-mode" checked={mode === 'for'} onChange={() => setMode('for')} />
          {t('pause.forLabel')}
        </label>
        <div className="row indent">
          <input
            type="number"
            min={1}
            max={999}
            value={Number.isNaN(amount) ? '' : amount}
            disabled={mode !== 'for'}
            onChange={(e) => setAmount(e.target.valueAsNumber)}
            aria-label={t('pause.amount')}
            data-testid="pause-amount"
            className="narrow"
          />
          <select
            value={unit}
            disabled={mode !== 'for'}
            onChange={(e) => setUnit(e.target.value as Unit)}
            aria-label={t('pause.unit')}
          >
            {UNITS.map((u) => (
              <option key={u} value={u}>
                {t(`pause.units.${u}`, { count: Number.isNaN(amount) ? 0 : amount })}
              </option>
            ))}
          </select>
        </div>
        <label className="inline">
          <input
            type="radio"
            name="pause-mode"
            checked={mode === 'until'}
            onChange={() => setMode('until')}
          />
          {t('pause.untilLabel')}
        </label>
        <div className="row indent">
          <input
            type="datetime-local"
            value={until}
            disabled={mode !== 'until'}
            onChange={(e) => setUntil(e.target.value)}
            aria-label={t('pause.untilLabel')}
            data-testid="pause-until"
          />
        </div>
      </fieldset>
      {pause.isError && (
        <p className="error" role="alert">
          {apiErrorText(t, pause.error)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common:cancel')}
        </button>
        <button
          type="submit"
          className="primary"
          data-testid="pause-confirm"
          disabled={pause.isPending || !untilValid || !amountValid}
        >
          {t('pause.confirm')}
        </button>
      </div>
    </form>
  );
}
