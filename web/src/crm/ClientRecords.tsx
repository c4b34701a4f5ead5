import { useQueries } from '@tanstack/react-query';
import { type KeyboardEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { recordKeys, recordPaths } from '../api/records.ts';
import type { Page } from '../api/types.ts';
import { formatDate } from '../i18n/format.ts';
import { useDialog } from '../ui/Dialog.tsx';
import { ListTable } from '../ui/ListTable.tsx';
import { QueryStates } from '../ui/States.tsx';
import { CreateRecordDialog } from './CreateRecordDialog.tsx';
import {
  type CrmRecord,
  cardPath,
  dayAsLocal,
  formatAmount,
  listPath,
  type RecordKind,
  titleOf,
} from './records.ts';

const KINDS = [
  'orders',
  'projects',
  'invoices',
  'contracts',
  'waybills',
] as const satisfies readonly RecordKind[];
const SHOWN = 10;

/** A client's orders, projects and documents, one tab each, with "New …" for this client. */
export function ClientRecords({ clientId }: { clientId: string }) {
  const { t, i18n } = useTranslation('crm');
  const [tab, setTab] = useState<(typeof KINDS)[number]>('orders');
  const creating = useDialog();
  const results = useQueries({
    queries: KINDS.map((kind) => ({
      queryKey: recordKeys.list(kind, { counterpartyId: clientId, limit: SHOWN }),
      queryFn: () =>
        api.get<Page<CrmRecord>>(recordPaths.list(kind, { counterpartyId: clientId, limit: SHOWN })),
    })),
  });
  const index = KINDS.indexOf(tab);
  const current = results[index];
  const rows = current?.data?.items ?? [];

  function count(i: number): string {
    const data = results[i]?.data;
    if (!data) return '';
    return data.nextCursor ? ` (${SHOWN}+)` : ` (${data.items.length})`;
  }

  function onTabKey(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const step = e.key === 'ArrowRight' ? 1 : -1;
    const next = KINDS[(index + step + KINDS.length) % KINDS.length] ?? 'orders';
    setTab(next);
    const button = e.currentTarget.querySelector<HTMLButtonElement>(`[data-kind="${next}"]`);
    button?.focus();
  }

  return (
    <section className="panel crm-section" aria-labelledby={`related-${clientId}`}>
      <div className="crm-section-header">
        <h2 id={`related-${clientId}`}>{t('related.title')}</h2>
        <button type="button" onClick={creating.show}>
          {t(`kinds.${tab}.new`)}
        </button>
      </div>
      <div className="tabs" role="tablist" aria-label={t('related.title')} onKeyDown={onTabKey}>
        {KINDS.map((kind, i) => (
          <button
            key={kind}
            type="button"
            role="tab"
            data-kind={kind}
            id={`related-tab-${kind}`}
            aria-selected={tab === kind}
            aria-controls="related-panel"
            tabIndex={tab === kind ? 0 : -1}
            onClick={() => setTab(kind)}
          >
            {t(`kinds.${kind}.title`)}
            <span className="muted">{count(i)}</span>
          </button>
        ))}
      </div>
      <div role="tabpanel" id="related-panel" aria-labelledby={`related-tab-${tab}`}>
        {current && (
          <QueryStates query={current} empty={rows.length === 0}>
            {t(`related.empty.${tab}`)}
          </QueryStates>
        )}
        {rows.length > 0 && (
          <ListTable
            className="grid crm-table"
            head={
              <>
                <th>{t(tab === 'projects' ? 'fields.name' : 'fields.number')}</th>
                {tab !== 'projects' && (
                  <>
                    <th className="crm-num">{t('fields.amount')}</th>
                    <th>{t('fields.date')}</th>
                  </>
                )}
              </>
            }
          >
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={cardPath(tab, r.id)}>{titleOf(tab, r) || t('untitled')}</Link>
                </td>
                {tab !== 'projects' && (
                  <>
                    <td className="crm-num">{formatAmount(r.amount, i18n.language)}</td>
                    <td>{formatDate(dayAsLocal(r.date))}</td>
                  </>
                )}
              </tr>
            ))}
          </ListTable>
        )}
        {current?.data?.nextCursor && (
          <p className="crm-more">
            <Link to={listPath(tab, clientId)}>{t('related.showAll')}</Link>
          </p>
        )}
      </div>
      <CreateRecordDialog
        kind={tab}
        open={creating.open}
        defaults={{ counterpartyId: clientId }}
        onClose={creating.onClose}
        onCreated={creating.onClose}
      />
    </section>
  );
}
