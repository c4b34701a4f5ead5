import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { recordKeys, recordPaths } from '../api/records.ts';
import type { Counterparty, Page } from '../api/types.ts';
import { useClients } from './clientNames.ts';
import { cardPath } from './records.ts';

/**
 * Picks a client by typing part of the name, phone or e-mail (an ARIA combobox: arrows move,
 * Enter picks, Escape closes the list). Once picked it shows the client as a link with a clear button.
 */
export function ClientPicker({
  label,
  value,
  onChange,
  error,
  errorId,
  inputId,
}: {
  label: string;
  value: string;
  onChange: (id: string) => void;
  error?: string | undefined;
  errorId?: string | undefined;
  inputId?: string | undefined;
}) {
  const { t } = useTranslation('crm');
  const listId = useId();
  const [text, setText] = useState('');
  const [debounced, setDebounced] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const focusInput = useRef(false);
  const changeRef = useRef<HTMLButtonElement>(null);
  const focusChange = useRef(false);
  const clients = useClients([value]);
  const picked = value ? clients.get(value) : null;

  useEffect(() => {
    const timer = setTimeout(() => setDebounced(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text]);

  const suggestions = useQuery({
    queryKey: recordKeys.pick(debounced),
    queryFn: () =>
      api.get<Page<Counterparty>>(recordPaths.list('counterparties', { q: debounced, limit: 8 })),
    enabled: open && !value,
  });
  const items = suggestions.data?.items ?? [];

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

  function choose(client: Counterparty | undefined) {
    if (!client) return;
    focusChange.current = true;
    onChange(client.id);
    setText('');
    setOpen(false);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, Math.max(items.length - 1, 0)));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter' && open) {
      e.preventDefault();
      choose(items[active]);
    } else if (e.key === 'Escape' && open) {
      // Close the list only, not the dialog around it.
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  }

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
        {error && (
          <span className="crm-field-error" id={errorId}>
            {error}
          </span>
        )}
      </fieldset>
    );
  }

  const activeId = open && items[active] ? `${listId}-${active}` : undefined;
  return (
    <div className="crm-field crm-combo">
      <label>
        {label}
        <input
          ref={inputRef}
          id={inputId}
          type="text"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeId}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          placeholder={t('clientSearchPlaceholder')}
          value={text}
          autoComplete="off"
          onChange={(e) => {
            setText(e.target.value);
            setActive(0);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
      </label>
      {open && (
        <div className="crm-combo-list">
          {suggestions.isLoading && <p className="muted">{t('common:loading')}</p>}
          {!suggestions.isLoading && items.length === 0 && <p className="muted">{t('noClientsFound')}</p>}
          {items.length > 0 && (
            <div id={listId} role="listbox" aria-label={label}>
              {items.map((c, i) => (
                <div
                  key={c.id}
                  id={`${listId}-${i}`}
                  role="option"
                  tabIndex={-1}
                  aria-selected={i === active}
                  className={i === active ? 'active' : undefined}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    choose(c);
                  }}
                  onMouseEnter={() => setActive(i)}
                >
                  {c.name}
                  {c.group && <span className="crm-combo-hint">{c.group}</span>}
                </div>
              ))}
            </div>
          )}
        </div>
      )}
      {error && (
        <span className="crm-field-error" id={errorId}>
          {error}
        </span>
      )}
    </div>
  );
}
