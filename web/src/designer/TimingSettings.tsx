/**
 * A stage's time control: its deadline (calendar or working time) and its escalation ladder — steps
 * that remind or hand the stage on when it stays unfinished.
 */
import { useTranslation } from 'react-i18next';
import type { Employee, Stage } from '../api/types.ts';
import { IconButton } from '../ui/IconButton.tsx';
import type { StagePatch } from './commands.ts';
import { DurationInput } from './DurationInput.tsx';

type Step = NonNullable<Stage['escalation']>[number];
type Target = NonNullable<Step['to']>;

const NAMED_TARGETS = ['responsible', 'initiator', 'admins', 'next_online'] as const;
/** A stage is handed to one person, never to a group or to the one who already has it. */
const REASSIGN_TARGETS = ['next_online', 'initiator'] as const;

function targetValue(to: Target | undefined, action: Step['action']): string {
  if (to === undefined) return action === 'reassign' ? 'next_online' : 'responsible';
  return typeof to === 'string' ? to : `employee:${to.employeeId}`;
}

function targetOf(value: string): Target {
  return value.startsWith('employee:')
    ? { employeeId: value.slice('employee:'.length) }
    : (value as (typeof NAMED_TARGETS)[number]);
}

export function TimingSettings({
  stage,
  employees,
  update,
}: {
  stage: Stage;
  employees: readonly Employee[];
  update: (patch: StagePatch) => void;
}) {
  const { t } = useTranslation('designer');
  // An end stage or a wait stage has no clock: it never waits on a person.
  if (stage.kind === 'end' || stage.wait !== undefined) return null;
  const deadline = stage.deadline;
  const ladder = stage.escalation ?? [];
  const setLadder = (next: Step[]) => update({ escalation: next.length > 0 ? next : undefined });
  const setStep = (index: number, patch: Partial<Step>) =>
    setLadder(ladder.map((s, i) => (i === index ? { ...s, ...patch } : s)));
  return (
    <section className="settings-section" aria-label={t('timing.title')}>
      <label className="inline section-toggle">
        <input
          type="checkbox"
          checked={deadline !== undefined}
          onChange={(e) =>
            update({ deadline: e.target.checked ? { duration: 'PT8H', working: true } : undefined })
          }
          data-testid="toggle-deadline"
        />
        <span className="section-title">{t('timing.deadline')}</span>
      </label>
      {deadline && (
        <>
          <DurationInput
            label={t('timing.dueIn')}
            value={deadline.duration}
            onChange={(v) => update({ deadline: { ...deadline, duration: v ?? 'PT8H' } })}
            testId="deadline-duration"
          />
          <label className="inline">
            <input
              type="checkbox"
              checked={deadline.working === true}
              onChange={(e) =>
                update({
                  deadline: { duration: deadline.duration, ...(e.target.checked ? { working: true } : {}) },
                })
              }
              data-testid="deadline-working"
            />
            {t('timing.working')}
          </label>
          <p className="muted small">{t('timing.deadlineHint')}</p>
        </>
      )}
      <h4>{t('timing.escalation')}</h4>
      {ladder.length === 0 && <p className="muted small">{t('timing.noEscalation')}</p>}
      <ol className="escalation-steps">
        {ladder.map((step, index) => {
          const targets = step.action === 'reassign' ? REASSIGN_TARGETS : NAMED_TARGETS;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: a ladder's steps are known by their place
            <li key={index} data-testid={`escalation-step-${index + 1}`}>
              <DurationInput
                label={t('timing.stepAfter', { step: index + 1 })}
                value={step.after}
                onChange={(v) => setStep(index, { after: v ?? 'PT4H' })}
              />
              <label className="inline">
                <input
                  type="checkbox"
                  checked={step.working === true}
                  onChange={(e) => setStep(index, { working: e.target.checked ? true : undefined })}
                />
                {t('timing.working')}
              </label>
              <div className="row">
                <select
                  aria-label={t('timing.action')}
                  value={step.action}
                  onChange={(e) => {
                    const action = e.target.value as Step['action'];
                    setStep(index, { action, to: undefined });
                  }}
                >
                  <option value="notify">{t('timing.actions.notify')}</option>
                  <option value="reassign">{t('timing.actions.reassign')}</option>
                </select>
                <select
                  aria-label={t('timing.target')}
                  value={targetValue(step.to, step.action)}
                  onChange={(e) => setStep(index, { to: targetOf(e.target.value) })}
                >
                  {targets.map((target) => (
                    <option key={target} value={target}>
                      {t(`timing.targets.${target}`)}
                    </option>
                  ))}
                  {employees.map((employee) => (
                    <option key={employee.id} value={`employee:${employee.id}`}>
                      {employee.name}
                    </option>
                  ))}
                </select>
                <IconButton
                  label={t('timing.removeStep', { step: index + 1 })}
                  tooltip
                  small
                  danger
                  onClick={() => setLadder(ladder.filter((_, i) => i !== index))}
                />
              </div>
            </li>
          );
        })}
      </ol>
      {ladder.length < 10 && (
        <button
          type="button"
          className="link"
          data-testid="add-escalation-step"
          onClick={() => setLadder([...ladder, { after: 'PT4H', working: true, action: 'notify' }])}
        >
          {t('timing.addStep')}
        </button>
      )}
    </section>
  );
}
