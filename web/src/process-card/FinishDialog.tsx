import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { processPaths } from '../api/processes.ts';
import type { ProcessCard, Task } from '../api/types.ts';
import { Dialog, DialogActions, type DialogProps } from '../ui/Dialog.tsx';
import { Alert } from '../ui/States.tsx';
import { usePublishedNames } from '../ui/usePublishedNames.ts';
import { apiErrorText, isVersionConflict } from './apiErrorText.ts';
import { formatDuration } from './formatDuration.ts';
import type { CardData } from './ProcessCardPage.tsx';
import { useCardAction } from './useCardAction.ts';

type NextOption = ProcessCard['next'][number];

type FinishDialogProps = DialogProps & {
  data: CardData;
  /** Unfinished tasks that keep the stage from being finished. */
  blocking: readonly Task[];
};

/**
 * Finish the current stage: every result as a large choice showing where it leads and who would
 * get it, and the next responsible (automatic, or picked by hand).
 */
export function FinishDialog({ open, onClose, data, blocking }: FinishDialogProps) {
  const { t } = useTranslation('card');
  return (
    <Dialog open={open} onClose={onClose} title={t('finish.title', { stage: data.card.stage.name })} wide>
      <FinishForm data={data} blocking={blocking} onClose={onClose} />
    </Dialog>
  );
}

function FinishForm({ data, blocking, onClose }: Omit<FinishDialogProps, 'open'>) {
  const { t } = useTranslation('card');
  const { card: c, me, employees, definition } = data;
  const first = c.next[0];
  const [result, setResult] = useState<string | null>(c.next.length === 1 && first ? first.result : null);
  const [pick, setPick] = useState('');
  const pickId = useId();
  const definitionNames = usePublishedNames();
  const chosen = c.next.find((n) => n.result === result);
  const finish = useCardAction(
    c.id,
    () =>
      api.post(`${processPaths.one(c.id)}/stage`, {
        state: 'done',
        result: chosen?.result,
        nextResponsibleId: (chosen?.stage.kind !== 'end' && pick) || undefined,
        expectedVersion: c.version,
      }),
    { onSuccess: onClose },
  );

  const stageOf = (key: string) => definition?.stages.find((s) => s.key === key);
  const online = (id: string, fallback: boolean) => employees.byId.get(id)?.online ?? fallback;

  function hints(option: NextOption): string[] {
    const out: string[] = [t(`finish.kinds.${option.stage.kind}`)];
    const stage = stageOf(option.stage.key);
    if (stage?.wait) out.push(t('finish.waits', { duration: formatDuration(stage.wait) }));
    if (stage?.task) out.push(t('finish.task', { title: stage.task.title }));
    if (stage?.spawn?.length) {
      const names = stage.spawn.map((id) => definitionNames.get(id) ?? '…').join(', ');
      out.push(t('finish.spawns', { names }));
    }
    return out;
  }

  function automaticLabel(): string {
    if (!chosen) return t('finish.autoNoResult');
    const people = chosen.responsibles;
    const firstOnline = people.find((p) => online(p.id, p.online));
    if (firstOnline) return t('finish.autoFirstOnline', { name: firstOnline.name });
    const firstListed = people[0];
    if (firstListed) return t('finish.autoFirstListed', { name: firstListed.name });
    return t('finish.autoMover', { name: me.name });
  }

  const listed = new Set(chosen?.responsibles.map((p) => p.id) ?? []);
  const others = employees.list.filter((e) => !listed.has(e.id));
  const blocked = blocking.length > 0;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!chosen || blocked || finish.isPending) return;
    finish.mutate();
  }

  return (
    <form className="stack" onSubmit={submit}>
      <Alert
        message={blocked && t('finish.blocked', { titles: blocking.map((task) => task.title).join(', ') })}
        warning
      />
      <fieldset className="result-options">
        <legend>{t('finish.results')}</legend>
        {c.next.map((option) => {
          const checked = option.result === result;
          return (
            <label
              key={option.result}
              className={`result-option${checked ? ' checked' : ''}`}
              data-testid="result-option"
            >
              <input
                type="radio"
                name="result"
                value={option.result}
                checked={checked}
                onChange={() => {
                  setResult(option.result);
                  setPick('');
                }}
              />
              <span className="result-body">
                <span className="result-title">
                  <strong>{option.result}</strong>
                  <span aria-hidden="true"> → </span>
                  <span className="visually-hidden">{t('finish.leadsTo')}</span>
                  <span>{option.stage.name}</span>
                </span>
                <span className="muted result-hints">{hints(option).join(' · ')}</span>
                <span className="result-people">
                  {option.responsibles.length === 0
                    ? option.stage.kind !== 'end' && (
                        <span className="muted">{t('finish.noResponsibles')}</span>
                      )
                    : option.responsibles.map((p) => {
                        const on = online(p.id, p.online);
                        return (
                          <span key={p.id} className="person">
                            <span className={`dot${on ? ' online' : ''}`} aria-hidden="true" />
                            {p.name}
                            <span className="muted">({on ? t('common:online') : t('common:offline')})</span>
                          </span>
                        );
                      })}
                </span>
              </span>
            </label>
          );
        })}
      </fieldset>

      {/* An end stage completes the process at once: nobody is responsible for it. */}
      {chosen?.stage.kind !== 'end' && (
        <div className="stack-tight">
          <label htmlFor={pickId}>{t('finish.nextResponsible')}</label>
          <select
            id={pickId}
            data-testid="next-responsible"
            value={pick}
            disabled={!chosen}
            onChange={(e) => setPick(e.target.value)}
          >
            <option value="">{automaticLabel()}</option>
            {chosen && chosen.responsibles.length > 0 && (
              <optgroup label={t('finish.stageResponsibles', { stage: chosen.stage.name })}>
                {chosen.responsibles.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} — {online(p.id, p.online) ? t('common:online') : t('common:offline')}
                  </option>
                ))}
              </optgroup>
            )}
            <optgroup label={t('finish.anyone')}>
              {others.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name} — {e.online ? t('common:online') : t('common:offline')}
                </option>
              ))}
            </optgroup>
          </select>
        </div>
      )}

      <Alert
        message={finish.isError && apiErrorText(t, finish.error)}
        warning={isVersionConflict(finish.error)}
      />
      <DialogActions
        onCancel={onClose}
        confirmLabel={t('finish.confirm')}
        disabled={!chosen || blocked || finish.isPending}
        testId="finish-confirm"
      />
    </form>
  );
}
