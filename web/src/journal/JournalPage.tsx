import { useInfiniteQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import type { Employee, Page, ProcessSummary } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { LaunchDialog } from '../process-card/LaunchDialog.tsx';
import { DueBadge } from '../ui/DueBadge.tsx';
import { ClickableRow, ListTable } from '../ui/ListTable.tsx';
import { PageHeader, PrimaryButton } from '../ui/PageHeader.tsx';
import { ErrorBox, Loading } from '../ui/States.tsx';
import { stageStateLabel } from '../ui/stageState.ts';
import { useEmployees } from '../ui/useEmployees.ts';
import { BulkActionBar } from './BulkActionBar.tsx';
import { JournalFilterBar } from './JournalFilterBar.tsx';
import { useBulkSelection } from './useBulkSelection.ts';
import {
  apiParams,
  byDeadline,
  isFiltered,
  type JournalSort,
  useJournalFilters,
} from './useJournalFilters.ts';
import './journal.css';

const PAGE_SIZE = 50;

type SortField = 'dueAt' | 'startedAt' | 'updatedAt';
/** The sortable columns, in table order; a first click sorts the deadline soonest first, times newest first. */
const SORTABLE = [
  { field: 'dueAt', label: 'columns.due', testId: 'sort-due', firstDescending: false },
  { field: 'startedAt', label: 'columns.launched', testId: 'sort-started', firstDescending: true },
  { field: 'updatedAt', label: 'columns.updated', testId: 'sort-updated', firstDescending: true },
] as const;

/** A column header that sorts by its field; clicked again, the other way. */
function SortHeader({
  field,
  sort,
  testId,
  onSort,
  children,
}: {
  field: SortField;
  sort: JournalSort;
  testId: string;
  onSort: (field: SortField) => void;
  children: ReactNode;
}) {
  const order = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : undefined;
  return (
    <th scope="col" aria-sort={order}>
      <button type="button" className="sort" data-testid={testId} onClick={() => onSort(field)}>
        {children}
        {order === 'ascending' ? ' ↑' : order === 'descending' ? ' ↓' : ''}
      </button>
    </th>
  );
}

/** The process journal: every process the user may see, filtered, sorted and paged. */
export function JournalPage({ me }: { me: Employee }) {
  const { t } = useTranslation('journal');
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
  const bulk = useBulkSelection(JSON.stringify(params));
  const allShownPicked =
    bulk.selection.allMatching || (rows.length > 0 && rows.every((p) => bulk.selection.picked.has(p.id)));
  const selectShown = (id?: string) => (
    <input
      id={id}
      type="checkbox"
      data-testid="select-shown"
      aria-label={id ? undefined : t('bulk.selectShown')}
      checked={allShownPicked}
      onChange={(e) => bulk.change(rows, e.target.checked)}
    />
  );

  const sortBy = (field: SortField) => {
    const descending = SORTABLE.find((s) => s.field === field)?.firstDescending ?? true;
    const first: JournalSort = descending ? `-${field}` : field;
    const other: JournalSort = descending ? field : `-${field}`;
    update({ sort: filters.sort === first ? other : first });
  };

  return (
    <div className="journal">
      <PageHeader title={t('title')}>
        <PrimaryButton testId="launch-open" onClick={() => setLaunching(true)}>
          {t('common:launchProcess')}
        </PrimaryButton>
      </PageHeader>

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
          <div className="journal-select-shown">
            {selectShown('journal-select-shown')}
            <label htmlFor="journal-select-shown">{t('bulk.selectShown')}</label>
          </div>
          <ListTable
            className="grid journal-table"
            testId="journal-table"
            busy={list.isFetching}
            columns={['process', 'client', 'stage', 'state', 'responsible'].map((c) =>
              c === 'process' ? (
                <>
                  <span className="row-select">{selectShown()}</span>
                  {t('columns.process')}
                </>
              ) : (
                t(`columns.${c}`)
              ),
            )}
            head={
              <>
                {SORTABLE.map(({ field, label, testId }) => (
                  <SortHeader key={field} field={field} sort={filters.sort} testId={testId} onSort={sortBy}>
                    {t(label)}
                  </SortHeader>
                ))}
                <th scope="col">{t('columns.status')}</th>
              </>
            }
          >
            {rows.map((p) => {
              const responsible = p.stage.responsible;
              const online = responsible ? (employees.byId.get(responsible.id)?.online ?? false) : false;
              return (
                <ClickableRow key={p.id} to={`/processes/${encodeURIComponent(p.id)}`} testId="journal-row">
                  <td className="cell-process">
                    <label className="row-select">
                      <input
                        type="checkbox"
                        data-testid="journal-select"
                        aria-label={t('bulk.selectRow', { name: p.definition.name })}
                        checked={bulk.selection.allMatching || bulk.selection.picked.has(p.id)}
                        onChange={(e) => bulk.change([p], e.target.checked)}
                      />
                    </label>
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
                        {p.stage.actingFor
                          ? t('card:protocol.actingFor', {
                              deputy: responsible.name,
                              employee: p.stage.actingFor.name,
                            })
                          : responsible.name}
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  {(p.status === 'active' || p.status === 'paused') && p.stage.dueAt ? (
                    <td className="nowrap cell-due" data-label={t('columns.due')}>
                      <DueBadge dueAt={p.stage.dueAt} overdue={p.stage.overdue} testId="journal-due" />
                    </td>
                  ) : (
                    <td className="cell-due" />
                  )}
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
                </ClickableRow>
              );
            })}
          </ListTable>
          <div className="journal-more">
            <span className="muted">
              {t('shown', { count: rows.length })}
              {byDeadline(filters) && ` · ${t('onlyWithDeadline')}`}
            </span>
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

      <BulkActionBar
        me={me}
        filters={filters}
        selection={bulk.selection}
        shownCount={rows.length}
        allShownPicked={allShownPicked}
        onSelectAll={bulk.selectAllMatching}
        onClear={bulk.clear}
      />

      <LaunchDialog
        open={launching}
        onClose={() => setLaunching(false)}
        counterpartyId={filters.counterpartyId || undefined}
      />
    </div>
  );
}
