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
import { Empty, ErrorBox, Loading } from '../ui/States.tsx';
import './tasks.css';

const STATUSES = ['open', 'pending', 'done', 'any'] as const;
type StatusFilter = (typeof STATUSES)[number];
const PAGE_SIZE = 50;

function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : fallback;
}

/** The processes behind a page of tasks, one look-up per distinct process, cached. */
function useProcesses(ids: (string | null)[]) {
  const unique = [...new Set(ids.filter((id): id is string => !!id))];
  return useQueries({
    queries: unique.map((id) => ({
      queryKey: processKeys.brief(id),
      queryFn: async () => {
        try {
          return await api.get<ProcessCard>(processPaths.one(id));
        } catch (e) {
          if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return null;
          throw e;
        }
      },
      staleTime: 30_000,
    })),
    combine: (results) => {
      const map = new Map<string, ProcessCard | null>();
      results.forEach((r, i) => {
        const id = unique[i];
        if (id !== undefined && r.data !== undefined) map.set(id, r.data);
      });
      return map;
    },
  });
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
  const scope = pick(params.get('scope'), ['mine', 'all'] as const, 'mine');
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
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value === fallback) next.delete(name);
        else next.set(name, value);
        return next;
      },
      { replace: true },
    );
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
      <div className="page-header">
        <h1 id="tasks-title">{t('title')}</h1>
      </div>
      <div className="toolbar">
        <fieldset className="tasks-chips">
          <legend>{t('filters.whose')}</legend>
          <div className="chips">
            {(['mine', 'all'] as const).map((s) => (
              <button
                key={s}
                type="button"
                className={`chip${scope === s ? ' active' : ''}`}
                aria-pressed={scope === s}
                onClick={() => setFilter('scope', s, 'mine')}
              >
                {t(`filters.${s}`)}
              </button>
            ))}
          </div>
        </fieldset>
        <fieldset className="tasks-chips">
          <legend>{t('filters.status')}</legend>
          <div className="chips">
            {STATUSES.map((s) => (
              <button
                key={s}
                type="button"
                className={`chip${status === s ? ' active' : ''}`}
                aria-pressed={status === s}
                onClick={() => setFilter('status', s, 'open')}
              >
                {t(`status.${s}`)}
              </button>
            ))}
          </div>
        </fieldset>
        <label className="tasks-search">
          {t('filters.search')}
          <input
            type="search"
            data-testid="task-search"
            placeholder={t('filters.searchPlaceholder')}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
      </div>

      {done && (
        <p className="tasks-notice" role="status">
          {t('completed', { title: done.task.title })}{' '}
          {done.process && (
            <Link to={`/processes/${encodeURIComponent(done.process.id)}`}>{t('openProcess')}</Link>
          )}
          <button type="button" className="icon" aria-label={t('common:close')} onClick={() => setDone(null)}>
            ×
          </button>
        </p>
      )}
      {complete.error && <ErrorBox error={complete.error} />}
      {list.isLoading && <Loading />}
      {list.error && <ErrorBox error={list.error} onRetry={() => list.refetch()} />}
      {list.isSuccess && rows.length === 0 && (
        <Empty>
          {needle ? t('empty.search') : scope === 'mine' ? t(`empty.mine_${status}`) : t('empty.all')}
        </Empty>
      )}
      {rows.length > 0 && (
        <table className="grid tasks-table">
          <thead>
            <tr>
              <th>{t('columns.title')}</th>
              <th>{t('columns.process')}</th>
              <th>{t('columns.stage')}</th>
              <th>{t('columns.assignee')}</th>
              <th>{t('columns.due')}</th>
              <th>{t('columns.status')}</th>
              <th>
                <span className="tasks-sr-only">{t('columns.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      )}
      {list.hasNextPage && (
        <div className="tasks-more">
          <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? t('common:loading') : t('common:more')}
          </button>
        </div>
      )}
    </section>
  );
}
