import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import { processKeys, processPaths } from '../../api/processes.ts';
import type { ProcessCard } from '../../api/types.ts';
import { Empty } from '../../ui/States.tsx';
import type { CardData } from '../ProcessCardPage.tsx';

/** The parent process (when this one was started by another) and the child processes. */
export function RelatedTab({ data }: { data: CardData }) {
  const { t } = useTranslation('card');
  const { card: c } = data;
  const parent = useQuery({
    queryKey: processKeys.detail(c.parentId ?? ''),
    queryFn: () => api.get<ProcessCard>(processPaths.one(c.parentId ?? '')),
    enabled: c.parentId !== null,
    retry: false,
  });
  return (
    <div className="stack">
      <h2>{t('related.parent')}</h2>
      {c.parentId === null ? (
        <p className="muted">{t('related.noParent')}</p>
      ) : (
        <p className="row" data-testid="parent-link">
          <Link to={`/processes/${encodeURIComponent(c.parentId)}`}>
            {parent.data ? parent.data.definition.name : t('related.parentProcess')}
          </Link>
          {parent.data?.counterparty && <span className="muted">{parent.data.counterparty.name}</span>}
          {parent.data && (
            <span className={`pill ${parent.data.status}`}>{t(`common:status.${parent.data.status}`)}</span>
          )}
        </p>
      )}
      <h2>{t('related.children')}</h2>
      {c.children.length === 0 ? (
        <Empty>{t('related.noChildren')}</Empty>
      ) : (
        <ul className="plain-list">
          {c.children.map((child) => (
            <li key={child.id} className="row" data-testid="child-row">
              <Link to={`/processes/${encodeURIComponent(child.id)}`}>
                {child.definition.name}{' '}
                <span className="muted">{t('versionShort', { version: child.definition.version })}</span>
              </Link>
              <span className={`pill ${child.status}`}>{t(`common:status.${child.status}`)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
