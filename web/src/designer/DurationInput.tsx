import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Select } from '../ui/Field.tsx';
import { DURATION_UNITS, type DurationUnit, formatSimpleDuration, parseSimpleDuration } from './durations.ts';

export interface DurationInputProps {
  label: string;
  /** An ISO 8601 duration, or undefined for none. */
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  /** Whether clearing the amount removes the duration (else the last value stays). */
  optional?: boolean;
  testId?: string;
}

/**
 * A duration as a person sets it: an amount and a unit (minutes … years), stored as ISO 8601
 * (`P30D`). A compound duration written elsewhere (`P1DT2H`) is shown and edited as written.
 */
export function DurationInput({ label, value, onChange, optional, testId }: DurationInputProps) {
  const { t } = useTranslation('designer');
  const id = useId();
  const simple = parseSimpleDuration(value);
  const [amount, setAmount] = useState(simple ? String(simple.amount) : '');
  const [unit, setUnit] = useState<DurationUnit>(simple?.unit ?? 'days');

  // Follow changes made elsewhere (undo, another stage selected).
  useEffect(() => {
    const parsed = parseSimpleDuration(value);
    if (parsed) {
      setAmount((current) =>
        current !== '' && Number(current) === parsed.amount ? current : String(parsed.amount),
      );
      setUnit(parsed.unit);
    } else if (value === undefined) setAmount('');
  }, [value]);

  if (value !== undefined && !simple) {
    return (
      <div className="duration-input" data-testid={testId}>
        <label htmlFor={id}>{label}</label>
        <div className="row">
          <input
            id={id}
            value={value}
            onChange={(e) =>
              onChange(e.target.value.trim() === '' && optional ? undefined : e.target.value.trim())
            }
            aria-describedby={`${id}-hint`}
            size={12}
          />
          <button
            type="button"
            className="link"
            onClick={() => onChange(formatSimpleDuration({ amount: 1, unit: 'days' }))}
          >
            {t('duration.simplify')}
          </button>
        </div>
        <span id={`${id}-hint`} className="muted small">
          {t('duration.isoHint')}
        </span>
      </div>
    );
  }

  const commit = (nextAmount: string, nextUnit: DurationUnit) => {
    if (nextAmount.trim() === '') {
      if (optional) onChange(undefined);
      return;
    }
    const n = Number(nextAmount);
    if (!Number.isFinite(n) || n < 0) return;
    onChange(formatSimpleDuration({ amount: n, unit: nextUnit }));
  };

  return (
    <fieldset className="duration-input" data-testid={testId}>
      <legend>{label}</legend>
      <div className="row">
        <input
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          aria-label={t('duration.amount', { label })}
          value={amount}
          placeholder={optional ? t('duration.none') : undefined}
          onChange={(e) => {
            setAmount(e.target.value);
            commit(e.target.value, unit);
          }}
        />
        <Select
          aria-label={t('duration.unit', { label })}
          value={unit}
          onChange={(next) => {
            setUnit(next);
            commit(amount, next);
          }}
          options={DURATION_UNITS.map((u) => ({ value: u, label: t(`duration.units.${u}`) }))}
        />
      </div>
    </fieldset>
  );
}
