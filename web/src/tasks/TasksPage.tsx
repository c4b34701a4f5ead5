import { useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import { employeeKeys, fetchEmployees } from '../api/employees.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import { taskKeys, taskPaths } from '../api/tasks.ts';
import type { Definition, Employee, Page, ProcessCard, Task, TaskCompletion } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { ChipGroup } from '../ui/ChipGroup.tsx';
import { ListTable, MoreButton } from '../ui/ListTable.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { SearchField } from '../ui/SearchField.tsx';
import { ErrorBox, QueryStates } from '../ui/States.tsx';
import { withParam } from '../ui/searchParams.ts';
import { useQueriesById } from '../ui/useQueriesById.ts';
import './tasks.css';

const SCOPES = ['mine', 'all'] as const;
const STATUSES = ['open', 'pending', 'done', 'any'] as const;
type StatusFilter = (typeof STATUSES)[number];
const PAGE_SIZE = 50;
/** The filters kept in the URL, each a row of chips; the fallback is left out of the URL. */
const CHIP_FILTERS = [
  { param: 'scope', values: SCOPES, fallback: 'mine', legend: 'filters.whose', labels: 'filters' },
  { param: 'status', values: STATUSES, fallback: 'open', legend: 'filters.status', labels: 'status' },
] as const;

function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : fallback;
}

/** The processes behind a page of tasks, one look-up per distinct process, cached. */
function useProcesses(ids: (string | null)[]) {
  return useQueriesById(ids, (id) => ({
    queryKey: processKeys.brief(id),
    queryFn: async (): Promise<ProcessCard | null> => {
      try {
        return await api.get<ProcessCard>(processPaths.one(id));
      } catch (e) {
        if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return null;
        throw e;
      }
    },
    staleTime: 30_000,
  })).byId;
}

/** Stage names of the definitions whose stages are not the processes' current ones. */
function useStageNames(definitionIds: string[]) {
  const unique = [...new Set(definitionIds)];
  return useQueries({
    queries: unique.map((id) => ({
      queryKey: definitionKeys.detail(id),
      queryFn: () => api.get<Definition>(definitionPaths.one(id)),
      staleTime: 300_000,
    })),
    combine: (results) => {
      const names = new Map<string, string>();
      for (const r of results)
        for (const s of r.data?.stages ?? []) names.set(`${r.data?.id}/${s.key}`, s.name);
      return names;
    },
  });
}

/**
 * Tasks: mine by default, or all I can see; open, pending, done or any. Completing a blocking
 * "process task" takes me to its process card (the stage can now be finished there).
 */
export function TasksPage({ me }: { me: Employee }) {
  const { t } = useTranslation('tasks');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const scope = pick(params.get('scope'), SCOPES, 'mine');
  const status: StatusFilter = pick(params.get('status'), STATUSES, 'open');
  const [search, setSearch] = useState('');
  const [done, setDone] = useState<TaskCompletion | null>(null);

  const list = useInfiniteQuery({
    queryKey: taskKeys.list({ scope, status, me: me.id }),
    queryFn: ({ pageParam }) =>
      api.get<Page<Task>>(
        taskPaths.list({
          assigneeId: scope === 'mine' ? me.id : undefined,
          status: status === 'any' ? undefined : status,
          limit: PAGE_SIZE,
          cursor: pageParam,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 60_000,
  });
  const tasks = list.data?.pages.flatMap((p) => p.items) ?? [];
  const processes = useProcesses(tasks.map((task) => task.processId));
  const otherStages = tasks.flatMap((task) => {
    const p = task.processId ? processes.get(task.processId) : null;
    return p && task.stageKey && task.stageKey !== p.stage.key ? [p.definition.id] : [];
  });
  const stageNames = useStageNames(otherStages);
  const employees = useQuery({
    queryKey: employeeKeys.list(),
    queryFn: fetchEmployees,
    staleTime: 30_000,
  });
  const online = new Set((employees.data?.items ?? []).filter((e) => e.online).map((e) => e.id));

  const complete = useMutation({
    mutationFn: (task: Task) => api.post<TaskCompletion>(taskPaths.complete(task.id)),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: taskKeys.all });
      if (result.process) {
        queryClient.setQueryData(processKeys.brief(result.process.id), result.process);
        void queryClient.invalidateQueries({ queryKey: processKeys.all });
      }
      if (result.process && result.task.blocking) {
        navigate(`/processes/${encodeURIComponent(result.process.id)}`);
        return;
      }
      setDone(result);
    },
  });

  // A new filter clears the last confirmation.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on filter change only
  useEffect(() => setDone(null), [scope, status]);

  function setFilter(name: string, value: string, fallback: string) {
    setParams((prev) => withParam(prev, name, value === fallback ? '' : value), { replace: true });
  }

  function processOf(task: Task) {
    return task.processId ? processes.get(task.processId) : null;
  }

  function stageName(task: Task): string {
    const p = processOf(task);
    if (!task.stageKey) return '—';
    if (p && p.stage.key === task.stageKey) return p.stage.name;
    if (p) return stageNames.get(`${p.definition.id}/${task.stageKey}`) ?? task.stageKey;
    return task.stageKey;
  }

  const needle = search.trim().toLowerCase();
  const rows = needle
    ? tasks.filter((task) => {
        const p = processOf(task);
        return [
          task.title,
          task.description,
          p?.definition.name,
          p?.counterparty?.name,
          task.assignee?.name,
        ].some((s) => s?.toLowerCase().includes(needle));
      })
    : tasks;

  return (
    <section className="tasks-page" aria-labelledby="tasks-title">
      <PageHeader title={t('title')} titleId="tasks-title" />
      <div className="toolbar">
        {CHIP_FILTERS.map((f) => (
          <ChipGroup
            key={f.param}
            className="tasks-chips"
            legend={t(f.legend)}
            options={f.values.map((v) => ({ value: v, label: t(`${f.labels}.${v}`) }))}
            value={f.param === 'scope' ? scope : status}
            onChange={(v) => setFilter(f.param, v, f.fallback)}
          />
        ))}
        <SearchField
          className="tasks-search"
          label={t('filters.search')}
          testId="task-search"
          placeholder={t('filters.searchPlaceholder')}
          value={search}
          onChange={setSearch}
        />
      </div>

      {done && (
        <Notice onClose={() => setDone(null)}>
          {t('completed', { title: done.task.title })}{' '}
          {done.process && (
            <Link to={`/processes/${encodeURIComponent(done.process.id)}`}>{t('openProcess')}</Link>
          )}
        </Notice>
      )}
      {complete.error && <ErrorBox error={complete.error} />}
      <QueryStates query={list} empty={rows.length === 0}>
        {needle ? t('empty.search') : scope === 'mine' ? t(`empty.mine_${status}`) : t('empty.all')}
      </QueryStates>
      {rows.length > 0 && (
        <ListTable
          className="grid tasks-table"
          columns={['title', 'process', 'stage', 'assignee', 'due', 'status'].map((c) => t(`columns.${c}`))}
          actions={t('columns.actions')}
        >
          {rows.map((task) => {
            const p = processOf(task);
            const overdue = task.overdue && task.status !== 'done';
            return (
              <tr key={task.id} data-testid="task-row" className={overdue ? 'tasks-overdue' : undefined}>
                <td>
                  <div className="tasks-title">
                    {task.blocking && (
                      <span
                        className="tasks-blocking"
                        data-testid="blocking-marker"
                        title={t('blockingHint')}
                      >
                        {t('blocking')}
                      </span>
                    )}
                    <span>{task.title}</span>
                  </div>
                  {task.description && (
                    <div className="muted tasks-small tasks-description">{task.description}</div>
                  )}
                </td>
                <td>
                  {task.processId ? (
                    <>
                      <Link to={`/processes/${encodeURIComponent(task.processId)}`}>
                        {p ? p.definition.name : p === null ? t('processHidden') : '…'}
                      </Link>
                      {p?.counterparty && <div className="muted tasks-small">{p.counterparty.name}</div>}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>{stageName(task)}</td>
                <td>
                  {task.assignee ? (
                    <>
                      <span
                        className={`dot${online.has(task.assignee.id) ? ' online' : ''}`}
                        title={t(online.has(task.assignee.id) ? 'common:online' : 'common:offline')}
                      />
                      {task.assignee.id === me.id
                        ? t('me', { name: task.assignee.name })
                        : task.assignee.name}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className={overdue ? 'tasks-due-overdue' : undefined}>
                  {task.dueAt ? formatDateTime(task.dueAt) : <span className="muted">—</span>}
                  {overdue && <div className="tasks-small">{t('overdue')}</div>}
                </td>
                <td>
                  <span className={`pill tasks-status-${task.status}`}>{t(`status.${task.status}`)}</span>
                  {task.status === 'pending' && (
                    <div className="muted tasks-small">
                      {t('startsAt', { when: formatDateTime(task.startsAt) })}
                    </div>
                  )}
                </td>
                <td className="tasks-actions">
                  {task.status === 'open' &&
                    (task.assigneeId === me.id || me.role === 'admin' || p?.myAccess === 'edit') && (
                      <button
                        type="button"
                        data-testid="complete-task"
                        disabled={complete.isPending}
                        aria-label={t('completeNamed', { title: task.title })}
                        onClick={() => complete.mutate(task)}
                      >
                        {complete.isPending && complete.variables?.id === task.id
                          ? t('completing')
                          : t('complete')}
                      </button>
                    )}
                </td>
              </tr>
            );
          })}
        </ListTable>
      )}
      <MoreButton list={list} className="tasks-more" />
    </section>
  );
}
