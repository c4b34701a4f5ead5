import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, type RefObject, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDebounced } from './useDebounced.ts';
import './combobox.css';

/** One choice of a Combobox. */
export interface ComboboxOption {
  readonly id: string;
  readonly label: string;
  /** A second, quieter line (a phone, an amount, a description). */
  readonly hint?: string | undefined;
}

export interface ComboboxProps {
  label: string;
  /** The chosen id, or null for none. */
  value: string | null;
  /** The label of the chosen id, when the caller knows it (else the id's option, once found). */
  valueLabel?: string | null | undefined;
  onChange: (option: ComboboxOption | null) => void;
  /** Cache key of the search; the text typed is appended. */
  queryKey: readonly unknown[];
  search: (text: string) => Promise<ComboboxOption[]>;
  placeholder?: string | undefined;
  testId?: string | undefined;
  disabled?: boolean | undefined;
  /** Offer a "clear" button (filters); forms that need a value leave it out. */
  clearable?: boolean | undefined;
  /** Keep the label for screen readers only (dense filter bars). */
  hideLabel?: boolean | undefined;
  required?: boolean | undefined;
  /** Shown in the list when the search finds nothing (default: "Nothing found"). */
  emptyText?: string | undefined;
  /** Marks the input invalid and names the element that says why. */
  errorId?: string | undefined;
  /** The input, for callers that move the focus into it. */
  inputRef?: RefObject<HTMLInputElement | null> | undefined;
}

/**
 * A searchable select (ARIA 1.2 combobox with a listbox): type to search the server, arrows to
 * move, Enter to choose, Escape to close. Labels are user text and are rendered as text.
 */
export function Combobox({
  label,
  value,
  valueLabel,
  onChange,
  queryKey,
  search,
  placeholder,
  testId,
  disabled,
  clearable,
  hideLabel,
  required,
  emptyText,
  errorId,
  inputRef,
}: ComboboxProps) {
  const { t } = useTranslation('card');
  const id = useId();
  const listId = `${id}-list`;
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [typing, setTyping] = useState(false);
  const [active, setActive] = useState(0);
  const [chosenLabel, setChosenLabel] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const ownInput = useRef<HTMLInputElement>(null);
  const input = inputRef ?? ownInput;
  const debounced = useDebounced(text.trim(), 250);
  const results = useQuery({
    queryKey: [...queryKey, debounced],
    queryFn: () => search(debounced),
    enabled: open,
    staleTime: 30_000,
  });
  const options = results.data ?? [];
  const shownLabel =
    valueLabel ?? chosenLabel ?? (value ? (options.find((o) => o.id === value)?.label ?? '') : '');

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) close();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  });

  function close() {
    setOpen(false);
    setTyping(false);
    setText('');
  }

  function choose(option: ComboboxOption | null) {
    setChosenLabel(option?.label ?? null);
    onChange(option);
    close();
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) {
        setOpen(true);
        return;
      }
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (options.length === 0 ? 0 : (i + step + options.length) % options.length));
    } else if (e.key === 'Enter') {
      if (open) {
        e.preventDefault();
        const option = options[active];
        if (option) choose(option);
      }
    } else if (e.key === 'Escape') {
      if (open) {
        // Close the list, not the dialog around it.
        e.preventDefault();
        e.stopPropagation();
        close();
      }
    } else if (e.key === 'Tab') {
      if (open) close();
    }
  }

  const activeOption = open ? options[active] : undefined;
  return (
    <div className={`search-select${hideLabel ? ' compact' : ''}`} ref={root}>
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : undefined}>
        {label}
      </label>
      <div className="search-select-field">
        <input
          id={id}
          ref={input}
          type="text"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeOption ? `${id}-opt-${activeOption.id}` : undefined}
          aria-required={required || undefined}
          aria-invalid={errorId ? true : undefined}
          aria-describedby={errorId}
          autoComplete="off"
          placeholder={placeholder ?? t('search.placeholder')}
          data-testid={testId}
          disabled={disabled}
          value={typing ? text : shownLabel}
          onFocus={(e) => {
            e.target.select();
            setOpen(true);
          }}
          onClick={() => setOpen(true)}
          onChange={(e) => {
            setTyping(true);
            setText(e.target.value);
            setActive(0);
            setOpen(true);
          }}
          onKeyDown={onKeyDown}
        />
        {clearable && value && !disabled && (
          <button
            type="button"
            className="icon search-select-clear"
            aria-label={t('search.clear', { label })}
            onClick={() => {
              choose(null);
              input.current?.focus();
            }}
          >
            ×
          </button>
        )}
      </div>
      {open && (
        <div className="search-select-popup">
          <div id={listId} role="listbox" aria-label={label} className="search-select-list">
            {options.map((o, i) => (
              // Options are reached with the arrow keys from the input (aria-activedescendant), not by Tab.
              // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox input handles the keyboard
              <div
                key={o.id}
                id={`${id}-opt-${o.id}`}
                role="option"
                tabIndex={-1}
                aria-selected={o.id === value}
                className={`search-select-option${i === active ? ' active' : ''}`}
                onMouseDown={(e) => e.preventDefault()}
                onMouseEnter={() => setActive(i)}
                onClick={() => choose(o)}
              >
                <span>{o.label}</span>
                {o.hint && <small className="muted">{o.hint}</small>}
              </div>
            ))}
          </div>
          {results.isFetching && options.length === 0 && <p className="muted">{t('search.loading')}</p>}
          {!results.isFetching && results.isSuccess && options.length === 0 && (
            <p className="muted">{emptyText ?? t('search.nothing')}</p>
          )}
          {results.isError && <p className="error">{t('search.failed')}</p>}
        </div>
      )}
    </div>
  );
}
