import { type KeyboardEvent, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../ui/PageHeader.tsx';
import { RecordList } from './RecordList.tsx';
import { DOCUMENT_KINDS, type DocumentKind, isDocumentKind } from './records.ts';
import './crm.css';

/** Invoices, contracts and waybills: one tab each (`?tab=`), each a searchable list. */
export function DocumentsPage() {
  const { t } = useTranslation('crm');
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab');
  const tab: DocumentKind = isDocumentKind(requested) ? requested : 'invoices';
  const tabs = useRef<HTMLDivElement>(null);

  // Another tab starts with a clean search.
  function select(kind: DocumentKind) {
    if (kind !== tab) setParams({ tab: kind }, { replace: true });
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const index = DOCUMENT_KINDS.indexOf(tab);
    const next =
      DOCUMENT_KINDS[
        (index + (e.key === 'ArrowRight' ? 1 : -1) + DOCUMENT_KINDS.length) % DOCUMENT_KINDS.length
      ];
    if (!next) return;
    select(next);
    tabs.current?.querySelector<HTMLButtonElement>(`[data-kind="${next}"]`)?.focus();
  }

  return (
    <div className="crm-documents">
      <PageHeader title={t('documents')} />
      <div className="tabs" role="tablist" aria-label={t('documents')} ref={tabs} onKeyDown={onKeyDown}>
        {DOCUMENT_KINDS.map((kind) => (
          <button
            key={kind}
            type="button"
            role="tab"
            id={`documents-tab-${kind}`}
            data-kind={kind}
            aria-selected={tab === kind}
            aria-controls="documents-panel"
            tabIndex={tab === kind ? 0 : -1}
            onClick={() => select(kind)}
          >
            {t(`kinds.${kind}.title`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="documents-panel" aria-labelledby={`documents-tab-${tab}`}>
        <RecordList key={tab} kind={tab} embedded />
      </div>
    </div>
  );
}
