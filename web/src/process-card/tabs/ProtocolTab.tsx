import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../i18n/format.ts';
import { Empty, ErrorBox, Loading } from '../../ui/States.tsx';
import { usePublishedNames } from '../../ui/usePublishedNames.ts';
import type { CardData } from '../ProcessCardPage.tsx';
import { describeEntry, entryDetails, type ProtocolNames } from '../protocolText.ts';

/** The protocol: every action ever taken on the process — who, when, what — details folded. */
export function ProtocolTab({
  data,
  loading,
  error,
  onRetry,
}: {
  data: CardData;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
}) {
  const { t } = useTranslation('card');
  const [newestFirst, setNewestFirst] = useState(true);
  const { card: c, definition, employees, protocol } = data;
  const definitionNames = usePublishedNames();
  if (loading) return <Loading />;
  if (error) return <ErrorBox error={error} onRetry={onRetry} />;
  if (protocol.length === 0) return <Empty />;

  const names: ProtocolNames = {
    stage: (key) =>
      definition?.stages.find((s) => s.key === key)?.name ?? (key === c.stage.key ? c.stage.name : key),
    employee: (id) => employees.byId.get(id)?.name ?? id,
    link: (type, id) => c.links.find((l) => l.type === type && l.id === id)?.label ?? id,
    definition: (id) =>
      definitionNames.get(id) ?? c.children.find((ch) => ch.definition.id === id)?.definition.name ?? id,
    process: (id) => {
      const child = c.children.find((ch) => ch.id === id);
      if (child)
        return `${child.definition.name} ${t('versionShort', { version: child.definition.version })}`;
      return id === c.parentId ? t('protocol.parentProcess') : t('protocol.otherProcess');
    },
  };
  const entries = newestFirst ? [...protocol].reverse() : protocol;

  return (
    <div className="stack">
      <div className="row">
        <label className="inline">
          <input type="checkbox" checked={newestFirst} onChange={(e) => setNewestFirst(e.target.checked)} />
          {t('protocol.newestFirst')}
        </label>
      </div>
      <ol className="timeline" aria-label={t('tabs.protocol')}>
        {entries.map((entry) => {
          const details = entryDetails(t, entry, names);
          return (
            <li
              key={entry.id}
              className={`timeline-entry action-${entry.action.replace('.', '-')}`}
              data-testid="protocol-entry"
            >
              <div className="timeline-meta">
                <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                <span className="timeline-actor">{entry.actor?.name ?? t('protocol.system')}</span>
              </div>
              <div className="timeline-text">{describeEntry(t, entry, names)}</div>
              {details.length > 0 && (
                <details>
                  <summary>{t('protocol.details')}</summary>
                  <dl className="timeline-details">
                    {details.map(([label, value]) => (
                      <div key={label}>
                        <dt>{label}</dt>
                        <dd>{value}</dd>
                      </div>
                    ))}
                  </dl>
                </details>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
