import { useTranslation } from 'react-i18next';
import type { Stage, Transition, ValidationError } from '../api/types.ts';
import { describeValidationError } from './validation-messages.ts';

export interface ValidationPanelProps {
  errors: readonly ValidationError[];
  stages: readonly Stage[];
  transitions: readonly Transition[];
  /** A problem was clicked: select what it names. */
  onPick: (error: ValidationError) => void;
}

/** Every problem of the definition, each a button that selects the stage (and rule) it names. */
export function ValidationPanel({ errors, stages, transitions, onPick }: ValidationPanelProps) {
  const { t } = useTranslation('designer');
  const ok = errors.length === 0;
  return (
    <section
      className={`validation-panel${ok ? ' ok' : ''}`}
      data-testid="validation-panel"
      aria-label={t('validation.title')}
      aria-live="polite"
    >
      <h3>{ok ? t('validation.ok') : t('validation.problems', { count: errors.length })}</h3>
      {!ok && (
        <ul>
          {errors.map((error, i) => {
            const clickable = error.stage !== undefined || error.transition !== undefined;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity beyond their place in the list.
              <li key={i}>
                {clickable ? (
                  <button
                    type="button"
                    className="validation-error"
                    data-testid="validation-error"
                    data-code={error.code}
                    onClick={() => onPick(error)}
                  >
                    {describeValidationError(error, t, { stages, transitions })}
                  </button>
                ) : (
                  <span className="validation-error" data-testid="validation-error" data-code={error.code}>
                    {describeValidationError(error, t, { stages, transitions })}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
