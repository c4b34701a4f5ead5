import { useInfiniteQuery } from '@tanstack/react-query';
import { type MouseEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import type { Employee, Page, ProcessSummary } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { LaunchDialog } from '../process-card/LaunchDialog.tsx';
import { useEmployees } from '../process-card/useEmployees.ts';
import { ErrorBox, Loading } from '../ui/States.tsx';
import { JournalFilterBar } from './JournalFilterBar.tsx';
import { apiParams, isFiltered, type JournalSort, useJournalFilters } from './useJournalFilters.ts';
import './journal.css';
import { stageStateLabel } from '../ui/stageState.ts';

const PAGE_SIZE = 50;

/** The process journal: every process the user may see, filtered, sorted and paged. */
export function JournalPage(_props: { me: Employee }) {
  const { t } = useTranslation('journal');
  const navigate = useNavigate();
  const { filters, update, clear } = useJournalFilters();
  const employees = useEmployees();
  const [launching, setLaunching] = useState(false);
  const params = apiParams(filters);
  const list = useInfiniteQuery({
    queryKey: processKeys.list(params, filters.sort),
    queryFn: ({ pageParam }) =>
      api.get<Page<ProcessSummary>>(
        processPaths.list({ ...params, sort: filters.sort, limit: PAGE_SIZE, cursor: pageParam }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: (previous) => previous,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const sortBy = (field: 'startedAt' | 'updatedAt') => {
    const next: JournalSort = filters.sort === `-${field}` ? field : `-${field}`;
    update({ sort: next });
  };
  const ariaSort = (field: 'startedAt' | 'updatedAt') =>
    filters.sort === field ? 'ascending' : filters.sort === `-${field}` ? 'descending' : undefined;
  const arrow = (field: 'startedAt' | 'updatedAt') =>
    filters.sort === field ? ' ↑' : filters.sort === `-${field}` ? ' ↓' : '';

  const open = (e: MouseEvent, id: string) => {
    // Links inside the row handle themselves (and middle/ctrl clicks open a new tab).
    if ((e.target as HTMLElement).closest('a, button')) return;
    navigate(`/processes/${encodeURIComponent(id)}`);
  };

  return (
    <div className="journal">
      <div className="page-header">
        <h1>{t('title')}</h1>
        <div className="actions">
          <button
            type="button"
            className="primary"
            data-testid="launch-open"
            onClick={() => setLaunching(true)}
          >
            {t('common:launchProcess')}
          </button>
        </div>
      </div>

      <JournalFilterBar filters={filters} update={update} clear={clear} employees={employees.list} />

      {list.error && <ErrorBox error={list.error} onRetry={() => list.refetch()} />}
      {list.isLoading ? (
        <Loading />
      ) : rows.length === 0 && !list.error ? (
        <div className="panel empty journal-empty" data-testid="journal-empty">
          {isFiltered(filters) ? (
            <>
              <p>{t('empty.filtered')}</p>
              <button type="button" onClick={clear}>
                {t('filters.clear')}
              </button>
            </>
          ) : (
            <>
              <p>{t('empty.none')}</p>
              <button type="button" className="primary" onClick={() => setLaunching(true)}>
                {t('common:launchProcess')}
              </button>
            </>
          )}
        </div>
      ) : (
        <div className={`journal-table-wrap${list.isPlaceholderData ? ' stale' : ''}`}>
          <table className="grid journal-table" data-testid="journal-table" aria-busy={list.isFetching}>
            <thead>
              <tr>
                <th scope="col">{t('columns.process')}</th>
                <th scope="col">{t('columns.client')}</th>
                <th scope="col">{t('columns.stage')}</th>
                <th scope="col">{t('columns.state')}</th>
                <th scope="col">{t('columns.responsible')}</th>
                <th scope="col" aria-sort={ariaSort('startedAt')}>
                  <button
                    type="button"
                    className="sort"
                    data-testid="sort-started"
                    onClick={() => sortBy('startedAt')}
                  >
                    {t('columns.launched')}
                    {arrow('startedAt')}
                  </button>
                </th>
                <th scope="col" aria-sort={ariaSort('updatedAt')}>
                  <button
                    type="button"
                    className="sort"
                    data-testid="sort-updated"
                    onClick={() => sortBy('updatedAt')}
                  >
                    {t('columns.updated')}
                    {arrow('updatedAt')}
                  </button>
                </th>
                <th scope="col">{t('columns.status')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => {
                const responsible = p.stage.responsible;
                const online = responsible ? (employees.byId.get(responsible.id)?.online ?? false) : false;
                return (
                  // The first cell's link is the keyboard way in; the row click is a mouse shortcut.
                  <tr
                    key={p.id}
                    className="clickable"
                    data-testid="journal-row"
                    onClick={(e) => open(e, p.id)}
                  >
                    <td className="cell-process">
                      <Link to={`/processes/${encodeURIComponent(p.id)}`} className="process-link">
                        {p.definition.name}
                      </Link>
                      {p.note && <div className="muted small journal-note">{p.note}</div>}
                    </td>
                    <td className="cell-client" data-label={t('columns.client')}>
                      {p.counterparty?.name ?? <span className="muted">—</span>}
                    </td>
                    <td className="cell-stage" data-label={t('columns.stage')}>
                      {p.stage.name}
                    </td>
                    <td className="cell-state">
                      <span
                        className={`pill ${stageStateLabel(t, p).className}`}
                        data-testid="journal-stage-state"
                      >
                        {stageStateLabel(t, p).label}
                      </span>
                    </td>
                    <td className="nowrap cell-responsible" data-label={t('columns.responsible')}>
                      {responsible ? (
                        <>
                          <span
                            className={`dot${online ? ' online' : ''}`}
                            role="img"
                            aria-label={online ? t('common:online') : t('common:offline')}
                          />
                          {responsible.name}
                        </>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="nowrap cell-date" data-label={t('columns.launched')}>
                      {formatDateTime(p.startedAt)}
                    </td>
                    <td className="nowrap cell-date" data-label={t('columns.updated')}>
                      {formatDateTime(p.updatedAt)}
                    </td>
                    <td className="cell-status">
                      <span className={`pill ${p.status}`}>{t(`common:status.${p.status}`)}</span>
                      {p.status === 'paused' && p.pausedUntil && (
                        <div className="muted small">
                          {t('pausedUntil', { time: formatDateTime(p.pausedUntil) })}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="journal-more">
            <span className="muted">{t('shown', { count: rows.length })}</span>
            {list.hasNextPage && (
              <button
                type="button"
                data-testid="load-more"
                disabled={list.isFetchingNextPage}
                onClick={() => list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? t('common:loading') : t('common:more')}
              </button>
            )}
          </div>
        </div>
      )}

      <LaunchDialog
        open={launching}
        onClose={() => setLaunching(false)}
        counterpartyId={filters.counterpartyId || undefined}
      />
    </div>
  );
}
