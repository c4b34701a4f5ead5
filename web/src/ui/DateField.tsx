import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dayIn, parseDay } from '../i18n/format.ts';

export interface DateFieldProps {
  /** The day as "2026-12-01", or '' for none. */
  value: string;
  onChange: (value: string) => void;
  'aria-label': string;
  'data-testid'?: string;
}

/**
 * A day typed in the app's language (01.12.2026 in Russian, 01/12/2026 in English) rather than in
 * the browser's, as a native date input would show it. A half-typed day changes nothing.
 */
export function DateField({ value, onChange, ...rest }: DateFieldProps) {
  const { t, i18n } = useTranslation('common');
  const [text, setText] = useState(() => dayIn(i18n.language, value));
  useEffect(() => {
    setText((typed) => (parseDay(typed) === value ? typed : dayIn(i18n.language, value)));
  }, [value, i18n.language]);
  const invalid = text.trim() !== '' && parseDay(text) === null;
  return (
    <input
      type="text"
      inputMode="numeric"
      className="date-field"
      size={10}
      maxLength={10}
      placeholder={t('datePlaceholder')}
      value={text}
      aria-invalid={invalid || undefined}
      aria-label={rest['aria-label']}
      data-testid={rest['data-testid']}
      onChange={(e) => {
        const typed = e.target.value;
        setText(typed);
        if (typed.trim() === '') onChange('');
        else {
          const day = parseDay(typed);
          if (day !== null) onChange(day);
        }
      }}
    />
  );
}
