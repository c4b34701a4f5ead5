import { useQuery } from '@tanstack/react-query';
import { type ComponentProps, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import { recordKeys, recordPaths } from '../api/records.ts';
import type { Counterparty, Employee, ProcessCounts } from '../api/types.ts';
import { inKindOrder } from '../designer/stage-order.ts';
import { formatNumber } from '../i18n/format.ts';
import { Combobox } from '../ui/Combobox.tsx';
import { DateField } from '../ui/DateField.tsx';
import { FieldSelect, type Select } from '../ui/Field.tsx';
import { searchClients } from '../ui/searchClients.ts';
import { useDefinitions } from '../ui/usePublishedNames.ts';
import { apiParams, isFiltered, type JournalFilters, STATUSES } from './useJournalFilters.ts';

/** The yes/no filters, each a checkbox. */
const FLAGS = ['mine', 'overdue'] as const;

const searchCounterparties = (text: string) => searchClients(text, 30, (c) => c.group);

/** One filter of the bar as a labelled select; its first option means "no filter". */
function SelectFilter(props: { label: string } & ComponentProps<typeof Select<string>>) {
  return <FieldSelect className="filter-field" {...props} />;
}

/** The journal's filter bar: status chips with counts, then every other filter. */
export function JournalFilterBar({
  filters,
  update,
  clear,
  employees,
}: {
  filters: JournalFilters;
  update: (patch: Partial<JournalFilters>) => void;
  clear: () => void;
  employees: readonly Employee[];
}) {
  const { t } = useTranslation('journal');
  const id = useId();
  const definitions = useDefinitions();
  const countParams = apiParams(filters, false);
  const counts = useQuery({
    queryKey: processKeys.counts(countParams),
    queryFn: () => api.get<ProcessCounts>(processPaths.counts(countParams)),
    placeholderData: (previous) => previous,
  });
  const clientLabel = useQuery({
    queryKey: recordKeys.label('counterparties', filters.counterpartyId),
    queryFn: () => api.get<Counterparty>(recordPaths.one('counterparties', filters.counterpartyId)),
    enabled: filters.counterpartyId !== '',
    staleTime: 60_000,
  });

  // The search box types freely; the URL (and the request) follows once typing pauses.
  const [text, setText] = useState(filters.q);
  const [urlQ, setUrlQ] = useState(filters.q);
  if (filters.q !== urlQ) {
    setUrlQ(filters.q);
    setText(filters.q);
  }
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(typingTimer.current), []);
  const onSearch = (value: string) => {
    setText(value);
    clearTimeout(typingTimer.current);
    typingTimer.current = setTimeout(() => update({ q: value }), 300);
  };

  const publishedOnce = (definitions.data?.items ?? []).filter((d) => d.version > 0);
  const chosenDefinition = definitions.data?.items.find((d) => d.id === filters.definitionId);
  const toggleStatus = (status: (typeof STATUSES)[number]) => {
    const on = filters.status.includes(status);
    update({ status: on ? filters.status.filter((s) => s !== status) : [...filters.status, status] });
  };
  const any = { label: t('filters.any') };
  /** A filter by one of the people on a process: anyone, or one employee. */
  const personFilter = (
    field: 'responsibleId' | 'initiatorId',
    testId: string,
    label: string,
    name: (e: Employee) => string,
  ) => (
    <SelectFilter
      label={label}
      testId={testId}
      value={filters[field]}
      onChange={(id) => update({ [field]: id })}
      empty={{ label: t('filters.anyone') }}
      options={employees.map((e) => ({ value: e.id, label: name(e) }))}
    />
  );
  const total = counts.data ? STATUSES.reduce((sum, s) => sum + (counts.data?.[s] ?? 0), 0) : undefined;
  // A one- or two-character search counts only so many rows: its counts say "at least".
  const atLeast = counts.data?.atLeast === true;
  const shownCount = (n: number) =>
    atLeast ? t('filters.atLeast', { n: formatNumber(n) }) : formatNumber(n);
  const countTitle = atLeast ? t('filters.atLeastHint') : undefined;

  return (
    <section className="panel journal-filters" aria-label={t('filters.label')}>
      <fieldset className="chips status-chips">
        <legend className="visually-hidden">
          {t('filters.status')} ({t('filters.statusHint')})
        </legend>
        <button
          type="button"
          className={`chip${filters.status.length === 0 ? ' active' : ''}`}
          aria-pressed={filters.status.length === 0}
          data-testid="status-chip-all"
          onClick={() => update({ status: [] })}
        >
          {t('filters.all')}
          {total !== undefined && (
            <span className="chip-count" data-testid="status-count-all" title={countTitle}>
              {shownCount(total)}
            </span>
          )}
        </button>
        {STATUSES.map((status) => {
          const on = filters.status.includes(status);
          return (
            <button
              key={status}
              type="button"
              className={`chip status-chip${on ? ' active' : ''}`}
              aria-pressed={on}
              data-testid={`status-chip-${status}`}
              onClick={() => toggleStatus(status)}
            >
              {t(`common:status.${status}`)}
              <span className="chip-count" data-testid={`status-count-${status}`} title={countTitle}>
                {counts.data ? shownCount(counts.data[status]) : '…'}
              </span>
            </button>
          );
        })}
        <span className="chips-hint muted" aria-hidden="true">
          {t('filters.statusHint')}
        </span>
      </fieldset>

      <div className="journal-filter-grid">
        <div className="filter-field filter-search">
          <label htmlFor={`${id}-q`}>{t('filters.search')}</label>
          <input
            id={`${id}-q`}
            type="search"
            data-testid="filter-q"
            placeholder={t('filters.searchPlaceholder')}
            value={text}
            maxLength={200}
            onChange={(e) => onSearch(e.target.value)}
          />
        </div>
        <SelectFilter
          label={t('filters.definition')}
          testId="filter-definition"
          value={filters.definitionId}
          onChange={(definitionId) => update({ definitionId, stageKey: '' })}
          empty={any}
          options={publishedOnce.map((d) => ({ value: d.id, label: d.name }))}
        />
        <SelectFilter
          label={t('filters.stage')}
          testId="filter-stage"
          value={filters.stageKey}
          disabled={!chosenDefinition}
          title={chosenDefinition ? undefined : t('filters.stageHint')}
          onChange={(stageKey) => update({ stageKey })}
          empty={any}
          options={inKindOrder(chosenDefinition?.stages ?? []).map((s) => ({ value: s.key, label: s.name }))}
        />
        {personFilter('responsibleId', 'filter-responsible', t('filters.responsible'), (e) =>
          e.online ? `${e.name} · ${t('common:online')}` : e.name,
        )}
        <div className="filter-field">
          <Combobox
            label={t('filters.client')}
            value={filters.counterpartyId || null}
            valueLabel={filters.counterpartyId ? (clientLabel.data?.name ?? null) : null}
            onChange={(option) => update({ counterpartyId: option?.id ?? '' })}
            queryKey={recordKeys.search('journal-client')}
            search={searchCounterparties}
            placeholder={t('filters.anyClient')}
            testId="filter-client"
            clearable
          />
        </div>
        {personFilter('initiatorId', 'filter-initiator', t('filters.initiator'), (e) => e.name)}
        <fieldset className="filter-field filter-dates">
          <legend>{t('filters.launched')}</legend>
          <div className="row">
            <DateField
              aria-label={t('filters.from')}
              data-testid="filter-from"
              value={filters.from}
              onChange={(from) => update({ from })}
            />
            <span aria-hidden="true">–</span>
            <DateField
              aria-label={t('filters.to')}
              data-testid="filter-to"
              value={filters.to}
              onChange={(to) => update({ to })}
            />
          </div>
        </fieldset>
        <div className="filter-field filter-flags">
          {FLAGS.map((flag) => (
            <label key={flag} className="inline">
              <input
                type="checkbox"
                data-testid={`filter-${flag}`}
                checked={filters[flag]}
                onChange={(e) => update({ [flag]: e.target.checked })}
              />
              {t(`filters.${flag}`)}
            </label>
          ))}
        </div>
        {isFiltered(filters) && (
          <div className="filter-field filter-clear">
            <button type="button" className="link" data-testid="filter-clear" onClick={clear}>
              {t('filters.clear')}
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
