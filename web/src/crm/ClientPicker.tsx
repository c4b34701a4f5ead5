import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { recordKeys } from '../api/records.ts';
import { Combobox } from '../ui/Combobox.tsx';
import { searchClients } from '../ui/searchClients.ts';
import { useClients } from './clientNames.ts';
import { cardPath } from './records.ts';

const searchPicked = (text: string) => searchClients(text, 8, (c) => c.group);

/**
 * Picks a client by typing part of the name, phone or e-mail (the shared combobox: arrows move,
 * Enter picks, Escape closes the list). Once picked it shows the client as a link with a change button.
 */
export function ClientPicker({
  label,
  value,
  onChange,
  error,
  errorId,
}: {
  label: string;
  value: string;
  onChange: (id: string) => void;
  error?: string | undefined;
  errorId?: string | undefined;
}) {
  const { t } = useTranslation('crm');
  const inputRef = useRef<HTMLInputElement>(null);
  const focusInput = useRef(false);
  const changeRef = useRef<HTMLButtonElement>(null);
  const focusChange = useRef(false);
  const clients = useClients([value]);
  const picked = value ? clients.get(value) : null;

  useEffect(() => {
    // Keep the keyboard where the user is: on "Change" after a pick, in the search after "Change".
    if (!value && focusInput.current) {
      focusInput.current = false;
      inputRef.current?.focus();
    }
    if (value && focusChange.current) {
      focusChange.current = false;
      changeRef.current?.focus();
    }
  }, [value]);

  const errorText = error && (
    <span className="crm-field-error" id={errorId}>
      {error}
    </span>
  );

  if (value) {
    return (
      <fieldset className="crm-field crm-fieldset">
        <legend className="crm-field-label">{label}</legend>
        <div className="crm-picked">
          {picked ? (
            <Link to={cardPath('counterparties', value)}>{picked.name}</Link>
          ) : (
            <span className="muted">{picked === null ? t('clientGone') : t('common:loading')}</span>
          )}
          <button
            ref={changeRef}
            type="button"
            className="link"
            aria-label={t('changeClientLabel')}
            onClick={() => {
              focusInput.current = true;
              onChange('');
            }}
          >
            {t('changeClient')}
          </button>
        </div>
        {errorText}
      </fieldset>
    );
  }

  return (
    <div className="crm-field">
      <Combobox
        label={label}
        value={null}
        onChange={(option) => {
          if (!option) return;
          focusChange.current = true;
          onChange(option.id);
        }}
        queryKey={recordKeys.pick()}
        search={searchPicked}
        placeholder={t('clientSearchPlaceholder')}
        emptyText={t('noClientsFound')}
        errorId={error ? errorId : undefined}
        inputRef={inputRef}
      />
      {errorText}
    </div>
  );
}
