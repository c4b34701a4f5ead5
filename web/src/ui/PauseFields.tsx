import { type ReactNode, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

const UNITS = ['hours', 'days', 'weeks', 'months'] as const;
type Unit = (typeof UNITS)[number];

function isoDuration(amount: number, unit: Unit): string {
  if (unit === 'hours') return `PT${amount}H`;
  if (unit === 'days') return `P${amount}D`;
  if (unit === 'weeks') return `P${amount}W`;
  return `P${amount}M`;
}

/** `datetime-local` text for an instant, in the reader's time zone. */
export function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** How long a pause lasts, as the server takes it: an ISO duration or an instant. */
export type PauseLength = { readonly for: string } | { readonly until: string };

/** The state of the pause controls, whether it makes a pause, and the pause it makes. */
export interface PauseChoice {
  readonly mode: 'for' | 'until';
  readonly setMode: (mode: 'for' | 'until') => void;
  readonly amount: number;
  readonly setAmount: (amount: number) => void;
  readonly unit: Unit;
  readonly setUnit: (unit: Unit) => void;
  readonly until: string;
  readonly setUntil: (until: string) => void;
  /** A whole positive amount when pausing for a while, a real date when pausing until one. */
  readonly valid: boolean;
  /** The pause chosen; only meaningful when `valid`. */
  readonly length: () => PauseLength;
}

/** Pause controls' state: one day by default, or until `initialUntil` (milliseconds). */
export function usePauseChoice(initialUntil: number): PauseChoice {
  const [mode, setMode] = useState<'for' | 'until'>('for');
  const [amount, setAmount] = useState(1);
  const [unit, setUnit] = useState<Unit>('days');
  const [until, setUntil] = useState(() => localInput(initialUntil));
  const valid =
    mode === 'for'
      ? Number.isInteger(amount) && amount > 0
      : until !== '' && !Number.isNaN(Date.parse(until));
  return {
    mode,
    setMode,
    amount,
    setAmount,
    unit,
    setUnit,
    until,
    setUntil,
    valid,
    length: () =>
      mode === 'for' ? { for: isoDuration(amount, unit) } : { until: new Date(until).toISOString() },
  };
}

/**
 * Pause for an amount of hours, days, weeks or months, or until a date and time. The amount and
 * date inputs carry the test ids `<testIdPrefix>-amount` and `<testIdPrefix>-until`.
 */
export function PauseFields({ choice, testIdPrefix }: { choice: PauseChoice; testIdPrefix: string }) {
  const { t } = useTranslation('card');
  const name = `${useId()}-mode`;
  const { mode, amount } = choice;
  return (
    <fieldset className="stack-tight plain">
      <legend className="visually-hidden">{t('pause.how')}</legend>
      <PauseOption name={name} mode="for" choice={choice} label={t('pause.forLabel')}>
        <input
          type="number"
          min={1}
          max={999}
          value={Number.isNaN(amount) ? '' : amount}
          disabled={mode !== 'for'}
          onChange={(e) => choice.setAmount(e.target.valueAsNumber)}
          aria-label={t('pause.amount')}
          data-testid={`${testIdPrefix}-amount`}
          className="narrow"
        />
        <select
          value={choice.unit}
          disabled={mode !== 'for'}
          onChange={(e) => choice.setUnit(e.target.value as Unit)}
          aria-label={t('pause.unit')}
        >
          {UNITS.map((u) => (
            <option key={u} value={u}>
              {t(`pause.units.${u}`, { count: Number.isNaN(amount) ? 0 : amount })}
            </option>
          ))}
        </select>
      </PauseOption>
      <PauseOption name={name} mode="until" choice={choice} label={t('pause.untilLabel')}>
        <input
          type="datetime-local"
          value={choice.until}
          disabled={mode !== 'until'}
          onChange={(e) => choice.setUntil(e.target.value)}
          aria-label={t('pause.untilLabel')}
          data-testid={`${testIdPrefix}-until`}
        />
      </PauseOption>
    </fieldset>
  );
}

/** The radio button that picks `mode` and, indented below it, the inputs that mode enables. */
function PauseOption({
  name,
  mode,
  choice,
  label,
  children,
}: {
  name: string;
  mode: PauseChoice['mode'];
  choice: PauseChoice;
  label: string;
  children: ReactNode;
}) {
  return (
    <>
      <label className="inline">
        <input
          type="radio"
          name={name}
          checked={choice.mode === mode}
          onChange={() => choice.setMode(mode)}
        />
        {label}
      </label>
      <div className="row indent">{children}</div>
    </>
  );
}
