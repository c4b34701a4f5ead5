import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import { processPaths } from '../../api/processes.ts';
import { recordKeys } from '../../api/records.ts';
import type { LinkType } from '../../api/types.ts';
import { Empty } from '../../ui/States.tsx';
import { apiErrorText } from '../apiErrorText.ts';
import { LINK_TYPES, linkHref, searchRecords } from '../linkTypes.ts';
import type { CardData } from '../ProcessCardPage.tsx';
import { type SearchOption, SearchSelect } from '../SearchSelect.tsx';
import { useCardAction } from '../useCardAction.ts';

/** Links to invoices, orders, contracts, projects and waybills. */
export function LinksTab({ data }: { data: CardData }) {
  const { t } = useTranslation('card');
  const { card: c, canEdit } = data;
  const typeId = useId();
  const [type, setType] = useState<LinkType>('invoice');
  const [record, setRecord] = useState<SearchOption | null>(null);
  const base = `${processPaths.one(c.id)}/links`;
  const add = useCardAction(c.id, (link: { type: LinkType; id: string }) => api.post(base, link), {
    onSuccess: () => setRecord(null),
  });
  const remove = useCardAction(c.id, (link: { type: LinkType; id: string }) =>
    api.delete(`${base}/${link.type}/${encodeURIComponent(link.id)}`),
  );
  const already = record !== null && c.links.some((l) => l.type === type && l.id === record.id);

  return (
    <div className="stack">
      {c.links.length === 0 ? (
        <Empty>{canEdit ? t('links.emptyEdit') : t('links.empty')}</Empty>
      ) : (
        <ul className="plain-list">
          {c.links.map((l) => (
            <li key={`${l.type}:${l.id}`} className="row" data-testid="link-row">
              <span className="pill">{t(`links.types.${l.type}`)}</span>
              <Link to={linkHref(l.type, l.id)}>{l.label ?? l.id}</Link>
              {canEdit && (
                <button
                  type="button"
                  className="link danger"
                  aria-label={t('links.removeNamed', { label: l.label ?? l.id })}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate({ type: l.type, id: l.id })}
                >
                  {t('links.remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <form
          className="toolbar link-add"
          onSubmit={(e) => {
            e.preventDefault();
            if (record && !already) add.mutate({ type, id: record.id });
          }}
        >
          <div className="stack-tight">
            <label htmlFor={typeId}>{t('links.type')}</label>
            <select
              id={typeId}
              value={type}
              data-testid="link-type"
              onChange={(e) => {
                setType(e.target.value as LinkType);
                setRecord(null);
              }}
            >
              {LINK_TYPES.map((lt) => (
                <option key={lt} value={lt}>
                  {t(`links.types.${lt}`)}
                </option>
              ))}
            </select>
          </div>
          <SearchSelect
            label={t('links.record')}
            value={record?.id ?? null}
            valueLabel={record?.label ?? null}
            onChange={setRecord}
            queryKey={recordKeys.search('link', type, c.counterparty?.id ?? '')}
            search={(text) => searchRecords(type, text, c.counterparty?.id)}
            placeholder={t('links.searchPlaceholder')}
            testId="link-search"
          />
          <button
            type="submit"
            className="primary"
            disabled={!record || already || add.isPending}
            data-testid="link-add"
          >
            {t('links.add')}
          </button>
          {already && <span className="muted">{t('links.already')}</span>}
        </form>
      )}
      {(add.isError || remove.isError) && (
        <p className="error" role="alert">
          {apiErrorText(t, add.error ?? remove.error)}
        </p>
      )}
    </div>
  );
}
