import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BulkAction } from '../api/bulk-actions.ts';
import { api } from '../api/client.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import type { Employee, ProcessCounts } from '../api/types.ts';
import { BulkActionDialog } from './BulkActionDialog.tsx';
import type { BulkSelection } from './useBulkSelection.ts';
import { apiParams, type JournalFilters, STATUSES } from './useJournalFilters.ts';
import './bulk.css';

/**
 * How many processes the filters match: the journal's own status counts, summed. Where those
 * are lower bounds (a one- or two-character search), the exact counts are asked for: an action
 * on all matching processes says how many it will touch.
 */
function useMatchingCount(filters: JournalFilters, selecting: boolean): number | undefined {
  const countParams = apiParams(filters, false);
  const counts = useQuery({
    queryKey: processKeys.counts(countParams),
    queryFn: () => api.get<ProcessCounts>(processPaths.counts(countParams)),
    placeholderData: (previous) => previous,
  });
  const exactParams = { ...countParams, exact: 'true' };
  const exact = useQuery({
    queryKey: processKeys.counts(exactParams),
    queryFn: () => api.get<ProcessCounts>(processPaths.counts(exactParams)),
    // Only while rows are selected (the bar shows): an exact count of a short search reads every row.
    enabled: selecting && counts.data?.atLeast === true && !counts.isPlaceholderData,
  });
  const said = counts.data?.atLeast ? exact.data : counts.data;
  if (!said) return undefined;
  const statuses = filters.status.length > 0 ? filters.status : STATUSES;
  return statuses.reduce((sum, s) => sum + (said[s] ?? 0), 0);
}

/**
 * The bar under the journal while rows are selected: how many, "select all N matching", and the
 * actions. Cancelling and migrating are for administrators, as on the card.
 */
export function BulkActionBar({
  me,
  filters,
  selection,
  shownCount,
  allShownPicked,
  onSelectAll,
  onClear,
}: {
  me: Employee;
  filters: JournalFilters;
  selection: BulkSelection;
  shownCount: number;
  allShownPicked: boolean;
  onSelectAll: () => void;
  onClear: () => void;
}) {
  const { t } = useTranslation('journal');
  const matching = useMatchingCount(filters, selection.picked.size > 0 || selection.allMatching);
  const [action, setAction] = useState<BulkAction | null>(null);
  if (selection.picked.size === 0 && !selection.allMatching) return null;

  const count = selection.allMatching ? (matching ?? 0) : selection.picked.size;
  // Migrating needs one process type: the rows' own, or the filter's in "all matching" mode.
  const definitions = new Set([...selection.picked.values()].map((p) => p.definition.id));
  const definitionId = selection.allMatching
    ? filters.definitionId || null
    : definitions.size === 1
      ? ([...definitions][0] ?? null)
      : null;
  const admin = me.role === 'admin';
  const offered: BulkAction[] = ['reassign', 'pause', 'resume', ...(admin ? (['cancel'] as const) : [])];

  return (
    <section className="bulk-bar" aria-label={t('bulk.label')} data-testid="bulk-bar">
      <div className="bulk-count">
        <strong data-testid="bulk-count">
          {selection.allMatching ? t('bulk.allSelected', { count }) : t('bulk.selected', { count })}
        </strong>
        {!selection.allMatching && allShownPicked && matching !== undefined && matching > shownCount && (
          <button type="button" className="link" data-testid="bulk-select-all" onClick={onSelectAll}>
            {t('bulk.selectAll', { count: matching })}
          </button>
        )}
      </div>
      <div className="bulk-actions">
        {offered.map((a) => (
          <button
            key={a}
            type="button"
            data-testid={`bulk-${a}`}
            className={a === 'cancel' ? 'danger' : undefined}
            disabled={count === 0}
            onClick={() => setAction(a)}
          >
            {t(`bulk.actions.${a}`)}
          </button>
        ))}
        {admin && (
          <button
            type="button"
            data-testid="bulk-migrate"
            disabled={definitionId === null || count === 0}
            title={definitionId === null ? t('bulk.oneDefinitionOnly') : undefined}
            onClick={() => setAction('migrate')}
          >
            {t('bulk.actions.migrate')}
          </button>
        )}
        <button type="button" className="link" data-testid="bulk-clear" onClick={onClear}>
          {t('bulk.clearSelection')}
        </button>
      </div>
      {action && (
        <BulkActionDialog
          action={action}
          filters={filters}
          selection={selection}
          count={count}
          definitionId={definitionId}
          onClose={() => setAction(null)}
          onFinished={() => {
            setAction(null);
            onClear();
          }}
        />
      )}
    </section>
  );
}
