import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { openBlockingTasks } from '../../../src/domain/process/blocking-tasks.ts';
import { api } from '../api/client.ts';
import { processPaths } from '../api/processes.ts';
import { taskPaths } from '../api/tasks.ts';
import { formatDateTime } from '../i18n/format.ts';
import { DueBadge } from '../ui/DueBadge.tsx';
import { Alert } from '../ui/States.tsx';
import { stageStateLabel } from '../ui/stageState.ts';
import { apiErrorText, isVersionConflict } from './apiErrorText.ts';
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
  const blocking = openBlockingTasks(
    { status: c.status, stageKey: c.stage.key, enteredAt: c.stage.enteredAt },
    data.tasks,
  );
  const responsible = c.stage.responsible;
  const responsibleOnline = responsible ? (employees.byId.get(responsible.id)?.online ?? false) : false;
  const failed = [start, resume, complete, takeOver].find((m) => m.isError);
  const mayMove = c.mayMoveStage;
  // A waiting stage continues by itself when the wait ends: the engine refuses a finish by hand.
  const waiting = c.stage.waitingUntil !== null && c.stage.waitingUntil !== undefined;
  const stateLabel = stageStateLabel(t, c);
  /** Runs one action, first clearing whatever the last one reported. */
  const run =
    <T,>(action: { mutate: (vars: T) => void }, vars: T) =>
    () => {
      for (const m of [takeOver, start, resume, complete]) m.reset();
      action.mutate(vars);
    };
  const dialogButton = (name: DialogName, testId: string, label: string, className?: string | undefined) => (
    <button type="button" className={className} data-testid={testId} onClick={() => setDialog(name)}>
      {label}
    </button>
  );
  const actionButton = (
    action: typeof start,
    testId: string,
    label: string,
    className?: string | undefined,
  ) => (
    <button
      type="button"
      className={className}
      data-testid={testId}
      disabled={action.isPending}
      onClick={run(action, undefined)}
    >
      {label}
    </button>
  );

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
              {c.stage.actingFor
                ? t('card:protocol.actingFor', { deputy: responsible.name, employee: c.stage.actingFor.name })
                : responsible.name}
            </span>
          ) : c.stage.awaitingResponsibleUntil ? (
            <span className="muted" data-testid="card-awaiting-responsible">
              {t('stage.awaitingOnline', { time: formatDateTime(c.stage.awaitingResponsibleUntil) })}
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
        {live && <DueBadge dueAt={c.stage.dueAt} overdue={c.stage.overdue} />}
      </div>

      {canEdit && live && (
        <div className="row card-actions">
          {mayMove &&
            active &&
            c.stage.state === 'not_started' &&
            stageOpen &&
            actionButton(start, 'start-work', t('actions.start'), 'primary')}
          {mayMove &&
            active &&
            stageOpen &&
            !waiting &&
            c.mayFinishStage !== false &&
            c.next.length > 0 &&
            dialogButton(
              'finish',
              'finish-stage',
              t('actions.finish'),
              c.stage.state === 'in_progress' ? 'primary' : undefined,
            )}
          {!mayMove && stageOpen && responsible && actionButton(takeOver, 'take-over', t('actions.takeOver'))}
          {active && dialogButton('pause', 'pause', t('actions.pause'))}
          {c.status === 'paused' && (
            <>
              {dialogButton('pause', 'change-pause', t('actions.changePause'))}
              {actionButton(resume, 'resume', t('actions.resume'), 'primary')}
            </>
          )}
          {me.role === 'admin' && dialogButton('cancel', 'cancel-process', t('actions.cancel'), 'danger')}
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
                onClick={run(complete, task.id)}
              >
                {t('tasks.complete')}
              </button>
            )}
        </div>
      ))}

      <Alert message={failed && apiErrorText(t, failed.error)} warning={isVersionConflict(failed?.error)} />

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
