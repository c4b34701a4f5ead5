import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { processPaths } from '../api/processes.ts';
import { taskPaths } from '../api/tasks.ts';
import { formatDateTime } from '../i18n/format.ts';
import { stageStateLabel } from '../ui/stageState.ts';
import { apiErrorText, isVersionConflict } from './apiErrorText.ts';
import { blockingTasks } from './blockingTasks.ts';
import { CancelDialog } from './CancelDialog.tsx';
import { FinishDialog } from './FinishDialog.tsx';
import { PauseDialog } from './PauseDialog.tsx';
import type { CardData } from './ProcessCardPage.tsx';
import { ResponsibleDialog } from './ResponsibleDialog.tsx';
import { useCardAction } from './useCardAction.ts';

type DialogName = 'finish' | 'pause' | 'responsible' | 'cancel';

/** The current stage: its state and responsible, and what can be done with it now. */
export function CardStage({ data }: { data: CardData }) {
  const { t } = useTranslation('card');
  const { card: c, canEdit, me, employees } = data;
  const [dialog, setDialog] = useState<DialogName | null>(null);
  const base = processPaths.one(c.id);
  const start = useCardAction(c.id, () =>
    api.post(`${base}/stage`, { state: 'in_progress', expectedVersion: c.version }),
  );
  const resume = useCardAction(c.id, () => api.post(`${base}/resume`, { expectedVersion: c.version }));
  // Taking over is reassigning the stage to oneself; the protocol records who did it.
  const takeOver = useCardAction(c.id, () =>
    api.patch(base, { responsibleId: me.id, expectedVersion: c.version }),
  );
  const complete = useCardAction<string>(c.id, (taskId) => api.post(taskPaths.complete(taskId)));

  const live = c.status === 'active' || c.status === 'paused';
  const active = c.status === 'active';
  const stageOpen = live && c.stage.state !== 'done' && c.stage.kind !== 'end';
  const blocking = blockingTasks(c, data.tasks);
  const responsible = c.stage.responsible;
  const responsibleOnline = responsible ? (employees.byId.get(responsible.id)?.online ?? false) : false;
  const failed = [start, resume, complete, takeOver].find((m) => m.isError);
  const mayMove = c.mayMoveStage;
  // A waiting stage continues by itself when the wait ends: the engine refuses a finish by hand.
  const waiting = c.stage.waitingUntil !== null && c.stage.waitingUntil !== undefined;
  const stateLabel = stageStateLabel(t, c);
  const resetErrors = () => {
    takeOver.reset();
    start.reset();
    resume.reset();
    complete.reset();
  };

  return (
    <section className="panel card-stage" aria-label={t('stage.label')}>
      <div className="card-stage-line">
        <span className="muted">{t('stage.current')}</span>
        <strong data-testid="card-stage">{c.stage.name}</strong>
        <span className={`pill ${stateLabel.className}`} data-testid="card-stage-state">
          {stateLabel.label}
        </span>
        {c.stage.kind === 'end' && <span className="pill">{t('stage.endStage')}</span>}
        <span className="card-stage-responsible">
          <span className="muted">{t('stage.responsible')}</span>{' '}
          {responsible ? (
            <span data-testid="card-responsible">
              <span
                className={`dot${responsibleOnline ? ' online' : ''}`}
                role="img"
                aria-label={responsibleOnline ? t('common:online') : t('common:offline')}
              />
              {responsible.name}
            </span>
          ) : (
            <span className="muted">{t('stage.nobody')}</span>
          )}
          {canEdit && live && (
            <button
              type="button"
              className="link"
              data-testid="change-responsible"
              onClick={() => setDialog('responsible')}
            >
              {t('stage.change')}
            </button>
          )}
        </span>
        <span className="muted card-stage-since">
          {t('stage.since', { time: formatDateTime(c.stage.enteredAt) })}
        </span>
      </div>

      {canEdit && live && (
        <div className="row card-actions">
          {mayMove && active && c.stage.state === 'not_started' && stageOpen && (
            <button
              type="button"
              className="primary"
              data-testid="start-work"
              disabled={start.isPending}
              onClick={() => {
                resetErrors();
                start.mutate();
              }}
            >
              {t('actions.start')}
            </button>
          )}
          {mayMove && active && stageOpen && !waiting && c.mayFinishStage !== false && c.next.length > 0 && (
            <button
              type="button"
              className={c.stage.state === 'in_progress' ? 'primary' : undefined}
              data-testid="finish-stage"
              onClick={() => setDialog('finish')}
            >
              {t('actions.finish')}
            </button>
          )}
          {!mayMove && stageOpen && responsible && (
            <button
              type="button"
              data-testid="take-over"
              disabled={takeOver.isPending}
              onClick={() => {
                resetErrors();
                takeOver.mutate();
              }}
            >
              {t('actions.takeOver')}
            </button>
          )}
          {active && (
            <button type="button" data-testid="pause" onClick={() => setDialog('pause')}>
              {t('actions.pause')}
            </button>
          )}
          {c.status === 'paused' && (
            <>
              <button type="button" data-testid="change-pause" onClick={() => setDialog('pause')}>
                {t('actions.changePause')}
              </button>
              <button
                type="button"
                className="primary"
                data-testid="resume"
                disabled={resume.isPending}
                onClick={() => {
                  resetErrors();
                  resume.mutate();
                }}
              >
                {t('actions.resume')}
              </button>
            </>
          )}
          {me.role === 'admin' && (
            <button
              type="button"
              className="danger"
              data-testid="cancel-process"
              onClick={() => setDialog('cancel')}
            >
              {t('actions.cancel')}
            </button>
          )}
        </div>
      )}
      {!canEdit && live && <p className="muted">{t('stage.viewOnlyHint')}</p>}
      {live && waiting && (
        <p className="muted" data-testid="waiting-hint">
          {t('stage.waitingHint', { time: formatDateTime(c.stage.waitingUntil) })}
        </p>
      )}
      {canEdit && !mayMove && stageOpen && responsible && (
        <p className="muted" data-testid="not-yours-hint">
          {t('stage.notYoursHint', { name: responsible.name })}
        </p>
      )}
      {c.status === 'completed' && <p className="muted">{t('stage.completedHint')}</p>}
      {c.status === 'cancelled' && <p className="muted">{t('stage.cancelledHint')}</p>}

      {blocking.map((task) => (
        <div key={task.id} className="blocking-task" data-testid="blocking-task">
          <svg
            className="hourglass"
            aria-hidden="true"
            width="16"
            height="16"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          >
            <path d="M6 2h12M6 22h12M7 2c0 6 10 6 10 10S7 16 7 22M17 2c0 6-10 6-10 10s10 4 10 10" />
          </svg>
          <span>
            {t('stage.blockingTask')} <strong>{task.title}</strong>
            {task.assignee && <span className="muted"> · {task.assignee.name}</span>}
            {task.status === 'pending' && (
              <span className="muted"> · {t('tasks.startsAt', { time: formatDateTime(task.startsAt) })}</span>
            )}
            {task.dueAt && (
              <span className={task.overdue ? 'error' : 'muted'}>
                {' '}
                · {t('tasks.dueAt', { time: formatDateTime(task.dueAt) })}
              </span>
            )}
          </span>
          {task.status === 'open' &&
            (me.role === 'admin' || task.assigneeId === me.id || responsible?.id === me.id) && (
              <button
                type="button"
                data-testid="complete-blocking-task"
                disabled={complete.isPending}
                onClick={() => {
                  resetErrors();
                  complete.mutate(task.id);
                }}
              >
                {t('tasks.complete')}
              </button>
            )}
        </div>
      ))}

      {failed && (
        <p className={isVersionConflict(failed.error) ? 'warning' : 'error'} role="alert">
          {apiErrorText(t, failed.error)}
        </p>
      )}

      <FinishDialog
        open={dialog === 'finish'}
        onClose={() => setDialog(null)}
        data={data}
        blocking={blocking}
      />
      <PauseDialog open={dialog === 'pause'} onClose={() => setDialog(null)} card={c} />
      <ResponsibleDialog open={dialog === 'responsible'} onClose={() => setDialog(null)} data={data} />
      <CancelDialog open={dialog === 'cancel'} onClose={() => setDialog(null)} card={c} />
    </section>
  );
}
