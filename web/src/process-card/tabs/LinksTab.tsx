import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import { processPaths } from '../../api/processes.ts';
import { recordKeys } from '../../api/records.ts';
import type { LinkType } from '../../api/types.ts';
import { AddForm } from '../../ui/AddForm.tsx';
import { Combobox, type ComboboxOption } from '../../ui/Combobox.tsx';
import { FieldSelect } from '../../ui/Field.tsx';
import { Alert, Empty } from '../../ui/States.tsx';
import { apiErrorText } from '../apiErrorText.ts';
import { LINK_TYPES, linkHref, searchRecords } from '../linkTypes.ts';
import type { CardData } from '../ProcessCardPage.tsx';
import { useCardAction } from '../useCardAction.ts';

/** Links to invoices, orders, contracts, projects and waybills. */
export function LinksTab({ data }: { data: CardData }) {
  const { t } = useTranslation('card');
  const { card: c, canEdit } = data;
  const [type, setType] = useState<LinkType>('invoice');
  const [record, setRecord] = useState<ComboboxOption | null>(null);
  const base = `${processPaths.one(c.id)}/links`;
  const add = useCardAction(c.id, (link: { type: LinkType; id: string }) => api.post(base, link), {
    onSuccess: () => setRecord(null),
  });
  const remove = useCardAction(c.id, (link: { type: LinkType; id: string }) =>
    api.delete(`${base}/${link.type}/${encodeURIComponent(link.id)}`),
  );
  const already = record !== null && c.links.some((l) => l.type === type && l.id === record.id);
  const link = () => {
    if (record && !already) add.mutate({ type, id: record.id });
  };

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
        <AddForm
          className="link-add"
          onSubmit={link}
          label={t('links.add')}
          disabled={!record || already || add.isPending}
          testId="link-add"
          remark={already && <span className="muted">{t('links.already')}</span>}
        >
          <FieldSelect
            label={t('links.type')}
            value={type}
            testId="link-type"
            onChange={(next) => {
              setType(next);
              setRecord(null);
            }}
            options={LINK_TYPES.map((lt) => ({ value: lt, label: t(`links.types.${lt}`) }))}
          />
          <Combobox
            label={t('links.record')}
            value={record?.id ?? null}
            valueLabel={record?.label ?? null}
            onChange={setRecord}
            queryKey={recordKeys.search('link', type, c.counterparty?.id ?? '')}
            search={(text) => searchRecords(type, text, c.counterparty?.id)}
            placeholder={t('links.searchPlaceholder')}
            testId="link-search"
          />
        </AddForm>
      )}
      <Alert message={(add.isError || remove.isError) && apiErrorText(t, add.error ?? remove.error)} />
    </div>
  );
}
