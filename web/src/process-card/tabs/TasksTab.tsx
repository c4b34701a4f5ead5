import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { processKeys, processPaths } from '../../api/processes.ts';
import { taskPaths } from '../../api/tasks.ts';
import type { EventItem, Page } from '../../api/types.ts';
import { formatDateTime } from '../../i18n/format.ts';
import { ListTable } from '../../ui/ListTable.tsx';
import { Alert, Empty, ErrorBox, Loading } from '../../ui/States.tsx';
import { apiErrorText } from '../apiErrorText.ts';
import type { CardData } from '../ProcessCardPage.tsx';
import { useCardAction } from '../useCardAction.ts';

/** The process's tasks (complete the open ones) and its events. */
export function TasksTab({ data }: { data: CardData }) {
  const { t } = useTranslation('card');
  const { card: c, canEdit, me, tasks, definition } = data;
  const events = useQuery({
    queryKey: processKeys.events(c.id),
    queryFn: () => api.get<Page<EventItem>>(processPaths.events(c.id)),
  });
  const complete = useCardAction(c.id, (taskId: string) => api.post(taskPaths.complete(taskId)));
  const stageName = (key: string | null) =>
    key === null ? '—' : (definition?.stages.find((s) => s.key === key)?.name ?? key);
  const ordered = [...tasks].sort((a, b) => {
    const rank = (s: string) => (s === 'open' ? 0 : s === 'pending' ? 1 : 2);
    return rank(a.status) - rank(b.status) || b.startsAt.localeCompare(a.startsAt);
  });

  return (
    <div className="stack">
      <h2>{t('tasks.title')}</h2>
      {ordered.length === 0 ? (
        <Empty>{t('tasks.empty')}</Empty>
      ) : (
        <ListTable
          className="grid"
          testId="tasks-table"
          columns={['task', 'stage', 'assignee', 'status', 'starts', 'due'].map((c) => t(`tasks.${c}`))}
          actions={t('files.actions')}
        >
          {ordered.map((task) => (
            <tr key={task.id} data-testid="task-row">
              <td>
                {task.title}
                {task.blocking && <span className="pill blocking-pill">{t('tasks.blocking')}</span>}
                {task.description && <div className="muted small">{task.description}</div>}
              </td>
              <td>{stageName(task.stageKey)}</td>
              <td>{task.assignee?.name ?? '—'}</td>
              <td>
                <span
                  className={`pill ${task.status === 'done' ? 'done' : task.status === 'open' ? 'in_progress' : ''}`}
                >
                  {t(`tasks.statuses.${task.status}`)}
                </span>
              </td>
              <td>{formatDateTime(task.startsAt)}</td>
              <td className={task.overdue ? 'error' : undefined}>
                {formatDateTime(task.dueAt)}
                {task.overdue && ` · ${t('tasks.overdue')}`}
              </td>
              <td>
                {task.status === 'open' && (canEdit || task.assigneeId === me.id) && (
                  <button
                    type="button"
                    data-testid="task-complete"
                    disabled={complete.isPending}
                    onClick={() => complete.mutate(task.id)}
                  >
                    {t('tasks.complete')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
      )}
      <Alert message={complete.isError && apiErrorText(t, complete.error)} />

      <h2>{t('events.title')}</h2>
      {events.isLoading && <Loading />}
      {events.error && <ErrorBox error={events.error} onRetry={() => events.refetch()} />}
      {events.data &&
        (events.data.items.length === 0 ? (
          <Empty>{t('events.empty')}</Empty>
        ) : (
          <ListTable
            className="grid"
            testId="events-table"
            columns={[t('events.when'), t('events.type'), t('tasks.stage'), t('events.comment')]}
          >
            {events.data.items.map((ev) => (
              <tr key={ev.id}>
                <td>{formatDateTime(ev.at)}</td>
                <td>{t(`events.types.${ev.type}`, { defaultValue: ev.type })}</td>
                <td>{stageName(ev.stageKey)}</td>
                <td>{ev.comment ?? ''}</td>
              </tr>
            ))}
          </ListTable>
        ))}
    </div>
  );
}
