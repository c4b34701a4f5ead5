import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import { recordKeys, recordPaths } from '../api/records.ts';
import type { Counterparty, Employee, Page, ProcessCounts } from '../api/types.ts';
import { inKindOrder } from '../designer/stage-order.ts';
import { formatNumber } from '../i18n/format.ts';
import { SearchSelect } from '../process-card/SearchSelect.tsx';
import { useDefinitions } from '../process-card/usePublishedNames.ts';
import { DateField } from '../ui/DateField.tsx';
import { apiParams, isFiltered, type JournalFilters, STATUSES } from './useJournalFilters.ts';

async function searchCounterparties(text: string) {
  const page = await api.get<Page<Counterparty>>(recordPaths.list('counterparties', { q: text, limit: 30 }));
  return page.items.map((c) => ({ id: c.id, label: c.name, hint: c.group ?? undefined }));
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
  const total = counts.data ? STATUSES.reduce((sum, s) => sum + (counts.data?.[s] ?? 0), 0) : undefined;

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
          {total !== undefined && <span className="chip-count">{formatNumber(total)}</span>}
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
              <span className="chip-count" data-testid={`status-count-${status}`}>
                {counts.data ? formatNumber(counts.data[status]) : '…'}
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
        <div className="filter-field">
          <label htmlFor={`${id}-def`}>{t('filters.definition')}</label>
          <select
            id={`${id}-def`}
            data-testid="filter-definition"
            value={filters.definitionId}
            onChange={(e) => update({ definitionId: e.target.value, stageKey: '' })}
          >
            <option value="">{t('filters.any')}</option>
            {publishedOnce.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-field">
          <label htmlFor={`${id}-stage`}>{t('filters.stage')}</label>
          <select
            id={`${id}-stage`}
            data-testid="filter-stage"
            value={filters.stageKey}
            disabled={!chosenDefinition}
            title={chosenDefinition ? undefined : t('filters.stageHint')}
            onChange={(e) => update({ stageKey: e.target.value })}
          >
            <option value="">{t('filters.any')}</option>
            {inKindOrder(chosenDefinition?.stages ?? []).map((s) => (
              <option key={s.key} value={s.key}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-field">
          <label htmlFor={`${id}-resp`}>{t('filters.responsible')}</label>
          <select
            id={`${id}-resp`}
            data-testid="filter-responsible"
            value={filters.responsibleId}
            onChange={(e) => update({ responsibleId: e.target.value })}
          >
            <option value="">{t('filters.anyone')}</option>
            {employees.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
                {e.online ? ` · ${t('common:online')}` : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-field">
          <SearchSelect
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
        <div className="filter-field">
          <label htmlFor={`${id}-init`}>{t('filters.initiator')}</label>
          <select
            id={`${id}-init`}
            data-testid="filter-initiator"
            value={filters.initiatorId}
            onChange={(e) => update({ initiatorId: e.target.value })}
          >
            <option value="">{t('filters.anyone')}</option>
            {employees.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
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
          <label className="inline">
            <input
              type="checkbox"
              data-testid="filter-mine"
              checked={filters.mine}
              onChange={(e) => update({ mine: e.target.checked })}
            />
            {t('filters.mine')}
          </label>
          <label className="inline">
            <input
              type="checkbox"
              data-testid="filter-overdue"
              checked={filters.overdue}
              onChange={(e) => update({ overdue: e.target.checked })}
            />
            {t('filters.overdue')}
          </label>
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
