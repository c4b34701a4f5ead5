import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError, api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import type { DefinitionVersion, Employee, Page, ProcessCard, ProtocolEntry, Task } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { ErrorBox, Loading } from '../ui/States.tsx';
import { useEmployees } from '../ui/useEmployees.ts';
import { CardStage } from './CardStage.tsx';
import { ProcessFlow } from './ProcessFlow.tsx';
import { AccessTab } from './tabs/AccessTab.tsx';
import { FilesTab } from './tabs/FilesTab.tsx';
import { LinksTab } from './tabs/LinksTab.tsx';
import { NoteTab } from './tabs/NoteTab.tsx';
import { ProtocolTab } from './tabs/ProtocolTab.tsx';
import { RelatedTab } from './tabs/RelatedTab.tsx';
import { TasksTab } from './tabs/TasksTab.tsx';
import './card.css';

const TABS = ['note', 'files', 'links', 'tasks', 'access', 'related', 'protocol'] as const;
type Tab = (typeof TABS)[number];

/** Everything the card shows about one process, loaded once and shared by its parts. */
export interface CardData {
  readonly card: ProcessCard;
  readonly me: Employee;
  /** The current user may change the process. */
  readonly canEdit: boolean;
  readonly definition: DefinitionVersion | undefined;
  readonly protocol: readonly ProtocolEntry[];
  readonly tasks: readonly Task[];
  readonly employees: ReturnType<typeof useEmployees>;
}

/** The process card ("course of the process"): header, current stage, mini flowchart and tabs. */
export function ProcessCardPage({ me }: { me: Employee }) {
  const { id = '' } = useParams();
  const { t } = useTranslation('card');
  const [params, setParams] = useSearchParams();
  const tabParam = params.get('tab');
  const tab: Tab = TABS.includes(tabParam as Tab) ? (tabParam as Tab) : 'note';
  const tabRefs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});
  const path = processPaths.one(id);

  const card = useQuery({
    queryKey: processKeys.detail(id),
    queryFn: () => api.get<ProcessCard>(path),
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 1,
  });
  const loaded = card.isSuccess;
  const protocol = useQuery({
    queryKey: processKeys.protocol(id),
    queryFn: () => api.get<Page<ProtocolEntry>>(`${path}/protocol?limit=5000`),
    enabled: loaded,
  });
  const tasks = useQuery({
    queryKey: processKeys.tasks(id),
    queryFn: () => api.get<Page<Task>>(processPaths.tasks(id)),
    enabled: loaded,
  });
  const definitionId = card.data?.definition.id;
  const definitionVersion = card.data?.definition.version;
  const definition = useQuery({
    queryKey: definitionKeys.version(definitionId, definitionVersion),
    queryFn: () =>
      api.get<DefinitionVersion>(definitionPaths.version(definitionId ?? '', definitionVersion ?? 1)),
    enabled: definitionId !== undefined && definitionVersion !== undefined,
    staleTime: 60_000,
  });
  const employees = useEmployees();

  const data = useMemo<CardData | null>(() => {
    if (!card.data) return null;
    return {
      card: card.data,
      me,
      canEdit: card.data.myAccess === 'edit',
      definition: definition.data,
      protocol: protocol.data?.items ?? [],
      tasks: tasks.data?.items ?? [],
      employees,
    };
  }, [card.data, me, definition.data, protocol.data, tasks.data, employees]);

  if (card.isLoading) return <Loading />;
  if (card.error) {
    if (card.error instanceof ApiError && card.error.status === 404) {
      return (
        <div className="panel empty">
          <p>{t('notFound')}</p>
          <Link to="/processes">{t('backToJournal')}</Link>
        </div>
      );
    }
    return <ErrorBox error={card.error} onRetry={() => card.refetch()} />;
  }
  if (!data) return null;
  const c = data.card;

  const selectTab = (next: Tab) => {
    const nextParams = new URLSearchParams(params);
    nextParams.set('tab', next);
    setParams(nextParams, { replace: true });
  };
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = TABS.indexOf(tab);
    let next: Tab | undefined;
    if (e.key === 'ArrowRight') next = TABS[(i + 1) % TABS.length];
    else if (e.key === 'ArrowLeft') next = TABS[(i - 1 + TABS.length) % TABS.length];
    else if (e.key === 'Home') next = TABS[0];
    else if (e.key === 'End') next = TABS[TABS.length - 1];
    if (!next) return;
    e.preventDefault();
    selectTab(next);
    tabRefs.current[next]?.focus();
  };
  const tabLabel = (name: Tab) => {
    if (name === 'files') return t('tabs.filesCount', { count: c.attachments.length });
    if (name === 'links') return t('tabs.linksCount', { count: c.links.length });
    if (name === 'related' && c.children.length > 0)
      return t('tabs.relatedCount', { count: c.children.length + (c.parentId ? 1 : 0) });
    return t(`tabs.${name}`);
  };

  return (
    <div className="process-card">
      <header className="card-head">
        <div className="card-title">
          <h1>
            {c.definition.name}{' '}
            <span className="muted">{t('versionShort', { version: c.definition.version })}</span>
          </h1>
          <span className={`pill ${c.status}`} data-testid="card-status">
            {t(`common:status.${c.status}`)}
          </span>
          {c.status === 'paused' && c.pausedUntil && (
            <span className="muted">{t('pausedUntil', { time: formatDateTime(c.pausedUntil) })}</span>
          )}
        </div>
        <dl className="card-facts">
          <div>
            <dt>{t('client')}</dt>
            <dd>
              {c.counterparty ? (
                <Link to={`/clients/${encodeURIComponent(c.counterparty.id)}`}>{c.counterparty.name} ↗</Link>
              ) : (
                <span className="muted">{t('noClient')}</span>
              )}
            </dd>
          </div>
          <div>
            <dt>{t('launchedBy')}</dt>
            <dd>
              {c.initiator.name}, <time dateTime={c.startedAt}>{formatDateTime(c.startedAt)}</time>
            </dd>
          </div>
          {c.parentId && (
            <div>
              <dt>{t('related.parent')}:</dt>
              <dd>
                <Link to={`/processes/${encodeURIComponent(c.parentId)}`} data-testid="card-parent">
                  {t('openParent')}
                </Link>
              </dd>
            </div>
          )}
          {c.completedAt && (
            <div>
              <dt>{c.status === 'cancelled' ? t('cancelledAt') : t('completedAt')}</dt>
              <dd>
                <time dateTime={c.completedAt}>{formatDateTime(c.completedAt)}</time>
              </dd>
            </div>
          )}
          {c.myAccess === 'view' && (
            <div>
              <dd className="pill">{t('viewOnly')}</dd>
            </div>
          )}
        </dl>
      </header>

      <CardStage data={data} />

      <ProcessFlow data={data} />

      <div className="tabs" role="tablist" aria-label={t('tabs.label')}>
        {TABS.map((name) => (
          <button
            key={name}
            ref={(el) => {
              tabRefs.current[name] = el;
            }}
            type="button"
            role="tab"
            id={`card-tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`card-panel-${name}`}
            tabIndex={tab === name ? 0 : -1}
            data-testid={`tab-${name}`}
            onClick={() => selectTab(name)}
            onKeyDown={onTabKey}
          >
            {tabLabel(name)}
          </button>
        ))}
      </div>
      <section
        className="card-tab-panel"
        role="tabpanel"
        id={`card-panel-${tab}`}
        aria-labelledby={`card-tab-${tab}`}
      >
        {tab === 'note' && <NoteTab data={data} />}
        {tab === 'files' && <FilesTab data={data} />}
        {tab === 'links' && <LinksTab data={data} />}
        {tab === 'tasks' && <TasksTab data={data} />}
        {tab === 'access' && <AccessTab data={data} />}
        {tab === 'related' && <RelatedTab data={data} />}
        {tab === 'protocol' && (
          <ProtocolTab
            data={data}
            loading={protocol.isLoading}
            error={protocol.error}
            onRetry={() => protocol.refetch()}
          />
        )}
      </section>
    </div>
  );
}
