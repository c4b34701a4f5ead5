import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import type { Page, ProcessSummary } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { ClickableRow, ListTable, MoreButton } from '../ui/ListTable.tsx';
import { QueryStates } from '../ui/States.tsx';
import { stageStateLabel } from '../ui/stageState.ts';
import { linkTypeOf, type RecordKind } from './records.ts';

/** The query of the processes of one record: a client's by counterparty, the others' by link. */
export function processesQuery(kind: RecordKind, id: string): Record<string, string> {
  const linkType = linkTypeOf(kind);
  return linkType ? { linkType, linkedId: id } : { counterpartyId: id };
}

/** "Processes" on a record card: definition, current stage, status, launched; a row opens the process. */
export function RecordProcesses({
  kind,
  id,
  onLaunch,
}: {
  kind: RecordKind;
  id: string;
  onLaunch: () => void;
}) {
  const { t } = useTranslation('crm');
  const list = useInfiniteQuery({
    queryKey: processKeys.ofRecord(kind, id),
    queryFn: ({ pageParam }) =>
      api.get<Page<ProcessSummary>>(
        processPaths.list({ ...processesQuery(kind, id), sort: '-startedAt', limit: 20, cursor: pageParam }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className="panel crm-section" data-testid="card-processes" aria-labelledby={`processes-${id}`}>
      <div className="crm-section-header">
        <h2 id={`processes-${id}`}>{t('processes.title')}</h2>
      </div>
      <QueryStates query={list} empty={rows.length === 0}>
        {t(kind === 'counterparties' ? 'processes.emptyClient' : 'processes.emptyRecord')}{' '}
        <button type="button" className="link" onClick={onLaunch}>
          {t('common:launchProcess')}
        </button>
      </QueryStates>
      {rows.length > 0 && (
        <ListTable
          className="grid crm-table"
          columns={['definition', 'stage', 'status', 'launched'].map((c) => t(`processes.${c}`))}
        >
          {rows.map((p) => {
            const to = `/processes/${encodeURIComponent(p.id)}`;
            return (
              <ClickableRow key={p.id} to={to} testId="process-row">
                <td>
                  <Link to={to}>{p.definition.name}</Link>{' '}
                  <span className="muted">v{p.definition.version}</span>
                </td>
                <td>
                  {p.stage.name}
                  {p.status === 'active' && (
                    <span className={`pill ${stageStateLabel(t, p).className} crm-pill-gap`}>
                      {stageStateLabel(t, p).label}
                    </span>
                  )}
                  {p.stage.responsible && <div className="muted crm-small">{p.stage.responsible.name}</div>}
                </td>
                <td>
                  <span className={`pill ${p.status}`}>{t(`common:status.${p.status}`)}</span>
                </td>
                <td>
                  {formatDateTime(p.startedAt)}
                  <div className="muted crm-small">{p.initiator.name}</div>
                </td>
              </ClickableRow>
            );
          })}
        </ListTable>
      )}
      <MoreButton list={list} className="crm-more" />
    </section>
  );
}
