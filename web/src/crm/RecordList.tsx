import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { recordKeys, recordPaths } from '../api/records.ts';
import type { Page, Ref } from '../api/types.ts';
import { formatDate } from '../i18n/format.ts';
import { ChipGroup } from '../ui/ChipGroup.tsx';
import { useDialog } from '../ui/Dialog.tsx';
import { IconButton } from '../ui/IconButton.tsx';
import { ClickableRow, ListTable, MoreButton } from '../ui/ListTable.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader, PrimaryButton } from '../ui/PageHeader.tsx';
import { QueryStates } from '../ui/States.tsx';
import { withParam } from '../ui/searchParams.ts';
import { BulkLaunchDialog } from './BulkLaunchDialog.tsx';
import { CreateRecordDialog } from './CreateRecordDialog.tsx';
import { useClients } from './clientNames.ts';
import { RecordSearch } from './RecordSearch.tsx';
import { type CrmRecord, cardPath, dayAsLocal, formatAmount, type RecordKind, titleOf } from './records.ts';
import './crm.css';

export type { RecordKind } from './records.ts';

const PAGE_SIZE = 50;
/** Groups seen in this session, offered as filter chips next to the default "Lost". */
const seenGroups = new Set<string>();

/** The search text lives in the URL (`?q=`), written a moment after typing stops. */
function useUrlSearch(param: string): [string, (v: string) => void, string] {
  const [params, setParams] = useSearchParams();
  const urlValue = params.get(param) ?? '';
  const [text, setText] = useState(urlValue);
  useEffect(() => setText(urlValue), [urlValue]);
  useEffect(() => {
    if (text === urlValue) return;
    const timer = setTimeout(() => setParams((prev) => withParam(prev, param, text), { replace: true }), 300);
    return () => clearTimeout(timer);
  }, [text, urlValue, param, setParams]);
  return [text, setText, urlValue];
}

/**
 * A searchable list of one kind of CRM record with "Load more" paging and a "New …" dialog; for
 * clients also a group filter and checkboxes to launch one process for many clients.
 * `embedded`: inside a page that has its own title (the documents tabs).
 */
export function RecordList({ kind, embedded }: { kind: RecordKind; embedded?: boolean }) {
  const { t, i18n } = useTranslation('crm');
  const [params, setParams] = useSearchParams();
  const [text, setText, q] = useUrlSearch('q');
  const group = kind === 'counterparties' ? (params.get('group') ?? '') : '';
  const counterpartyId = kind !== 'counterparties' ? (params.get('counterpartyId') ?? '') : '';
  const creating = useDialog();
  const [created, setCreated] = useState<CrmRecord | null>(null);
  const [selected, setSelected] = useState<Map<string, string>>(() => new Map());
  const bulk = useDialog();

  const list = useInfiniteQuery({
    queryKey: recordKeys.list(kind, { q: q.trim(), group, counterpartyId }),
    queryFn: ({ pageParam }) =>
      api.get<Page<CrmRecord>>(
        recordPaths.list(kind, { q: q.trim(), group, counterpartyId, limit: PAGE_SIZE, cursor: pageParam }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const clients = useClients(
    kind === 'counterparties' ? [] : [...rows.map((r) => r.counterpartyId), counterpartyId],
  );

  for (const r of rows) if (r.group) seenGroups.add(r.group);
  const groups = [...new Set([t('lostGroup'), ...seenGroups, ...(group ? [group] : [])])];

  function setParam(name: string, value: string) {
    setParams((prev) => withParam(prev, name, value), { replace: true });
  }

  function toggle(record: CrmRecord, on: boolean) {
    setSelected((prev) => {
      const next = new Map(prev);
      if (on) next.set(record.id, record.name ?? '');
      else next.delete(record.id);
      return next;
    });
  }

  const allShownSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const selectedRefs: Ref[] = [...selected].map(([id, name]) => ({ id, name }));
  const searching = q.trim() !== '' || group !== '' || counterpartyId !== '';

  const newButton = (
    <PrimaryButton testId="new-record" onClick={creating.show}>
      {t(`kinds.${kind}.new`)}
    </PrimaryButton>
  );
  const bulkButton = kind === 'counterparties' && (
    <button
      type="button"
      data-testid="bulk-launch"
      disabled={selected.size === 0}
      title={selected.size === 0 ? t('bulk.selectFirst') : undefined}
      onClick={bulk.show}
    >
      {selected.size === 0 ? t('bulk.buttonNone') : t('bulk.button', { count: selected.size })}
    </button>
  );

  return (
    <section className="crm-list" aria-label={t(`kinds.${kind}.title`)}>
      {!embedded && (
        <PageHeader title={t(`kinds.${kind}.title`)}>
          {bulkButton}
          {newButton}
        </PageHeader>
      )}
      <div className="toolbar">
        <RecordSearch placeholder={t(`kinds.${kind}.searchPlaceholder`)} value={text} onChange={setText} />
        {kind === 'counterparties' && (
          <ChipGroup
            className="crm-chips-field"
            legend={t('fields.group')}
            options={[{ value: '', label: t('allGroups') }, ...groups.map((g) => ({ value: g, label: g }))]}
            value={group}
            onChange={(g) => setParam('group', group === g ? '' : g)}
          />
        )}
        {counterpartyId && (
          <span className="crm-filter-chip">
            {t('fields.counterpartyId')}:{' '}
            <Link to={cardPath('counterparties', counterpartyId)}>
              {clients.get(counterpartyId)?.name ?? t('common:loading')}
            </Link>
            <IconButton label={t('clearClientFilter')} onClick={() => setParam('counterpartyId', '')} />
          </span>
        )}
        {embedded && <div className="crm-toolbar-actions">{newButton}</div>}
        {kind === 'counterparties' && selected.size > 0 && (
          <div className="crm-selection" role="status">
            {t('selectedCount', { count: selected.size })}
            <button type="button" className="link" onClick={() => setSelected(new Map())}>
              {t('clearSelection')}
            </button>
          </div>
        )}
      </div>

      {created && (
        <Notice onClose={() => setCreated(null)}>
          {t('createdNotice', { title: titleOf(kind, created) })}{' '}
          <Link to={cardPath(kind, created.id)}>{t('openCard')}</Link>
        </Notice>
      )}

      <QueryStates query={list} empty={rows.length === 0}>
        {searching ? (
          <>
            {t('emptySearch')}{' '}
            <button
              type="button"
              className="link"
              onClick={() => {
                setText('');
                setParams(new URLSearchParams(params.get('tab') ? { tab: params.get('tab') ?? '' } : {}), {
                  replace: true,
                });
              }}
            >
              {t('clearFilters')}
            </button>
          </>
        ) : (
          t(`kinds.${kind}.empty`)
        )}
      </QueryStates>
      {rows.length > 0 && (
        <ListTable
          className="grid crm-table"
          head={
            <>
              {kind === 'counterparties' && (
                <th className="crm-check">
                  <input
                    type="checkbox"
                    aria-label={t('selectAllShown')}
                    checked={allShownSelected}
                    onChange={(e) => {
                      for (const r of rows) toggle(r, e.target.checked);
                    }}
                  />
                </th>
              )}
              {kind === 'counterparties' && (
                <>
                  <th>{t('fields.name')}</th>
                  <th>{t('fields.group')}</th>
                  <th>{t('fields.phone')}</th>
                  <th>{t('fields.email')}</th>
                </>
              )}
              {kind === 'projects' && (
                <>
                  <th>{t('fields.name')}</th>
                  <th>{t('fields.counterpartyId')}</th>
                </>
              )}
              {kind !== 'counterparties' && kind !== 'projects' && (
                <>
                  <th>{t('fields.number')}</th>
                  <th>{t('fields.counterpartyId')}</th>
                  <th className="crm-num">{t('fields.amount')}</th>
                  <th>{t('fields.date')}</th>
                </>
              )}
            </>
          }
        >
          {rows.map((r) => {
            const to = cardPath(kind, r.id);
            const title = titleOf(kind, r) || t('untitled');
            const client = r.counterpartyId ? clients.get(r.counterpartyId) : null;
            return (
              <ClickableRow key={r.id} to={to} testId="record-row">
                {kind === 'counterparties' && (
                  <td className="crm-check">
                    <input
                      type="checkbox"
                      data-testid="select-record"
                      aria-label={t('selectOne', { name: title })}
                      checked={selected.has(r.id)}
                      onChange={(e) => toggle(r, e.target.checked)}
                    />
                  </td>
                )}
                <td>
                  <Link to={to}>{title}</Link>
                </td>
                {kind === 'counterparties' && (
                  <>
                    <td>
                      {r.group ? <span className="pill">{r.group}</span> : <span className="muted">—</span>}
                    </td>
                    <td>{r.phone || <span className="muted">—</span>}</td>
                    <td>{r.email || <span className="muted">—</span>}</td>
                  </>
                )}
                {kind !== 'counterparties' && (
                  <td>
                    {!r.counterpartyId ? (
                      <span className="muted">—</span>
                    ) : client ? (
                      <Link to={cardPath('counterparties', client.id)}>{client.name}</Link>
                    ) : (
                      <span className="muted">{client === null ? t('clientGone') : '…'}</span>
                    )}
                  </td>
                )}
                {kind !== 'counterparties' && kind !== 'projects' && (
                  <>
                    <td className="crm-num">{formatAmount(r.amount, i18n.language)}</td>
                    <td>{r.date ? formatDate(dayAsLocal(r.date)) : <span className="muted">—</span>}</td>
                  </>
                )}
              </ClickableRow>
            );
          })}
        </ListTable>
      )}
      <MoreButton list={list} className="crm-more" />

      <CreateRecordDialog
        kind={kind}
        open={creating.open}
        onClose={creating.onClose}
        defaults={counterpartyId ? { counterpartyId } : undefined}
        onCreated={(record) => {
          creating.onClose();
          setCreated(record);
        }}
      />
      {kind === 'counterparties' && (
        <BulkLaunchDialog
          open={bulk.open}
          clients={selectedRefs}
          onClose={bulk.onClose}
          onLaunched={() => setSelected(new Map())}
        />
      )}
    </section>
  );
}
