import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { employeeKeys } from '../api/employees.ts';
import type { Employee, Stage, StageKind, StageTask, Transition } from '../api/types.ts';
import { SearchSelect } from '../process-card/SearchSelect.tsx';
import type { Command, StagePatch } from './commands.ts';
import { DurationInput } from './DurationInput.tsx';
import { AddRuleForm, RuleRow, useStageNames } from './RuleList.tsx';

export const EVENT_TYPES = ['call', 'meeting', 'letter', 'note', 'other'] as const;
const KINDS: readonly StageKind[] = ['start', 'normal', 'end'];

export interface SpawnOption {
  readonly id: string;
  readonly name: string;
}

export interface StageSettingsProps {
  stage: Stage;
  stages: readonly Stage[];
  transitions: readonly Transition[];
  employees: readonly Employee[];
  employeeName: (id: string) => string;
  /** Definitions that may be spawned (published). */
  spawnOptions: readonly SpawnOption[];
  definitionName: (id: string) => string;
  run: (command: Command) => void;
  onKeyChanged: (key: string) => void;
  onRemove: () => void;
  selectedRule: number | null;
  onSelectRule: (index: number) => void;
}

/** Every setting of one stage, each change a `stage.update` command. */
export function StageSettings(props: StageSettingsProps) {
  const { stage, run } = props;
  const { t } = useTranslation('designer');
  const update = (patch: StagePatch) => run({ type: 'stage.update', key: stage.key, patch });
  const nameOf = useStageNames(props.stages);
  const outgoing = props.transitions.flatMap((tr, index) => (tr.from === stage.key ? [{ tr, index }] : []));
  return (
    <div className="stage-settings">
      <div className="grid-2">
        <label>
          {t('stage.name')}
          <input
            value={stage.name}
            onChange={(e) => update({ name: e.target.value })}
            maxLength={200}
            aria-invalid={stage.name.trim() === ''}
            data-testid="stage-name"
          />
        </label>
        <label>
          {t('stage.kind')}
          <select
            value={stage.kind}
            onChange={(e) => update({ kind: e.target.value as StageKind })}
            data-testid="stage-kind"
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <KeyField stage={props.stage} stages={props.stages} run={run} onKeyChanged={props.onKeyChanged} />
      <Responsibles {...props} update={update} />
      <TaskSettings {...props} update={update} />
      <EventSettings stage={stage} update={update} />
      <WaitSettings stage={stage} update={update} />
      <SpawnSettings {...props} update={update} />
      <section className="settings-section" aria-label={t('stage.rulesOut')}>
        <h4>{t('stage.rulesOut')}</h4>
        {outgoing.length === 0 ? (
          <p className="muted small">
            {stage.kind === 'end' ? t('stage.endHasNoRules') : t('stage.noRulesOut')}
          </p>
        ) : (
          <ul className="rule-list">
            {outgoing.map(({ tr, index }) => (
              <RuleRow
                key={index}
                index={index}
                transition={tr}
                fromName={nameOf(tr.from)}
                toName={nameOf(tr.to)}
                targets={props.stages}
                run={run}
                selected={props.selectedRule === index}
                onSelect={props.onSelectRule}
              />
            ))}
          </ul>
        )}
        {stage.kind !== 'end' && (
          <AddRuleForm
            stages={props.stages}
            transitions={props.transitions}
            run={run}
            fixedFrom={stage.key}
          />
        )}
      </section>
      <div className="row">
        <button type="button" className="danger" onClick={props.onRemove} data-testid="remove-stage">
          {t('stage.remove')}
        </button>
      </div>
    </div>
  );
}

/** The key, edited as text and applied when it is non-empty and unique (on Enter or leaving the field). */
function KeyField({
  stage,
  stages,
  run,
  onKeyChanged,
}: Pick<StageSettingsProps, 'stage' | 'stages' | 'run' | 'onKeyChanged'>) {
  const { t } = useTranslation('designer');
  const id = useId();
  const [text, setText] = useState(stage.key);
  useEffect(() => setText(stage.key), [stage.key]);
  const trimmed = text.trim();
  const problem =
    trimmed === ''
      ? t('stage.keyEmpty')
      : trimmed !== stage.key && stages.some((s) => s.key === trimmed)
        ? t('stage.keyTaken')
        : null;
  const commit = () => {
    if (problem || trimmed === stage.key) return;
    run({ type: 'stage.update', key: stage.key, patch: { key: trimmed } });
    onKeyChanged(trimmed);
  };
  return (
    <div className="key-field">
      <label htmlFor={id}>{t('stage.key')}</label>
      <input
        id={id}
        value={text}
        maxLength={100}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setText(stage.key);
        }}
        aria-invalid={problem !== null}
        aria-describedby={`${id}-hint`}
        className="mono"
      />
      <span id={`${id}-hint`} className={problem ? 'error small' : 'muted small'}>
        {problem ?? t('stage.keyHint')}
      </span>
    </div>
  );
}

type WithUpdate<P> = P & { update: (patch: StagePatch) => void };

function Responsibles({ stage, employees, employeeName, update }: WithUpdate<StageSettingsProps>) {
  const { t } = useTranslation('designer');
  const list = stage.responsibles ?? [];
  const set = (next: string[]) => update({ responsibles: next.length > 0 ? next : undefined });
  const move = (i: number, by: number) => {
    const next = list.slice();
    const [item] = next.splice(i, 1);
    if (item === undefined) return;
    next.splice(i + by, 0, item);
    set(next);
  };
  const available = employees.filter((e) => !list.includes(e.id));
  return (
    <section className="settings-section" aria-label={t('stage.responsibles')}>
      <h4>{t('stage.responsibles')}</h4>
      <p className="muted small">{t('stage.responsiblesHint')}</p>
      {list.length > 0 && (
        <ol className="responsibles">
          {list.map((id, i) => (
            <li key={id}>
              <span className="grow">{employeeName(id)}</span>
              <button
                type="button"
                className="icon small"
                disabled={i === 0}
                onClick={() => move(i, -1)}
                aria-label={t('stage.moveUp', { name: employeeName(id) })}
                title={t('stage.moveUp', { name: employeeName(id) })}
              >
                ↑
              </button>
              <button
                type="button"
                className="icon small"
                disabled={i === list.length - 1}
                onClick={() => move(i, 1)}
                aria-label={t('stage.moveDown', { name: employeeName(id) })}
                title={t('stage.moveDown', { name: employeeName(id) })}
              >
                ↓
              </button>
              <button
                type="button"
                className="icon small danger"
                onClick={() => set(list.filter((x) => x !== id))}
                aria-label={t('stage.removeResponsible', { name: employeeName(id) })}
                title={t('stage.removeResponsible', { name: employeeName(id) })}
              >
                ×
              </button>
            </li>
          ))}
        </ol>
      )}
      {/* A combobox: arrows only move through the names; Enter or a click adds one. */}
      <SearchSelect
        label={t('stage.addResponsible')}
        hideLabel
        value={null}
        valueLabel=""
        onChange={(option) => {
          if (option && !list.includes(option.id)) set([...list, option.id]);
        }}
        queryKey={employeeKeys.pick('designer-responsibles', available.map((e) => e.id).join())}
        search={async (text) => {
          const needle = text.trim().toLowerCase();
          return available
            .filter((e) => needle === '' || e.name.toLowerCase().includes(needle))
            .map((e) => ({ id: e.id, label: e.name }));
        }}
        placeholder={t('stage.addResponsible')}
        testId="add-responsible"
        disabled={available.length === 0}
      />
    </section>
  );
}

function TaskSettings({ stage, employees, employeeName, update }: WithUpdate<StageSettingsProps>) {
  const { t } = useTranslation('designer');
  const task = stage.task;
  const setTask = (patch: Partial<StageTask>) => {
    if (!task) return;
    const next: Record<string, unknown> = { ...task, ...patch };
    for (const [k, v] of Object.entries(next)) if (v === undefined || v === '') delete next[k];
    if (next.title === undefined) next.title = '';
    update({ task: next as unknown as StageTask });
  };
  const assigneeValue = !task || task.assignee === 'responsible' ? 'responsible' : task.assignee.employeeId;
  const knownAssignee = assigneeValue === 'responsible' || employees.some((e) => e.id === assigneeValue);
  return (
    <section className="settings-section">
      <label className="inline section-toggle">
        <input
          type="checkbox"
          checked={task !== undefined}
          onChange={(e) =>
            update({ task: e.target.checked ? { title: stage.name, assignee: 'responsible' } : undefined })
          }
          data-testid="toggle-task"
        />
        <span className="section-title">{t('task.enabled')}</span>
      </label>
      {task && (
        <div className="stack">
          <label>
            {t('task.title')}
            <input value={task.title} maxLength={500} onChange={(e) => setTask({ title: e.target.value })} />
          </label>
          <label>
            {t('task.description')}
            <textarea
              value={task.description ?? ''}
              maxLength={5000}
              rows={2}
              onChange={(e) => setTask({ description: e.target.value })}
            />
          </label>
          <label>
            {t('task.assignee')}
            <select
              value={assigneeValue}
              onChange={(e) =>
                setTask({
                  assignee: e.target.value === 'responsible' ? 'responsible' : { employeeId: e.target.value },
                })
              }
            >
              <option value="responsible">{t('task.toResponsible')}</option>
              {!knownAssignee && <option value={assigneeValue}>{employeeName(assigneeValue)}</option>}
              {employees.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            <input
              type="checkbox"
              checked={task.blocking === true}
              onChange={(e) => setTask({ blocking: e.target.checked ? true : undefined })}
            />
            {t('task.blocking')}
          </label>
          <p className="muted small">{t('task.blockingHint')}</p>
          <div className="grid-2">
            <DurationInput
              label={t('task.startDelay')}
              value={task.startDelay}
              optional
              onChange={(v) => setTask({ startDelay: v })}
            />
            <DurationInput
              label={t('task.dueIn')}
              value={task.dueIn}
              optional
              onChange={(v) => setTask({ dueIn: v })}
            />
          </div>
        </div>
      )}
    </section>
  );
}

function EventSettings({ stage, update }: { stage: Stage; update: (patch: StagePatch) => void }) {
  const { t } = useTranslation('designer');
  const event = stage.event;
  const known = (EVENT_TYPES as readonly string[]).includes(event?.type ?? '');
  return (
    <section className="settings-section">
      <label className="inline section-toggle">
        <input
          type="checkbox"
          checked={event !== undefined}
          onChange={(e) => update({ event: e.target.checked ? { type: 'call' } : undefined })}
          data-testid="toggle-event"
        />
        <span className="section-title">{t('event.enabled')}</span>
      </label>
      {event && (
        <div className="stack">
          <label>
            {t('event.type')}
            <select
              value={event.type}
              onChange={(e) => update({ event: { ...event, type: e.target.value } })}
            >
              {!known && <option value={event.type}>{event.type}</option>}
              {EVENT_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`eventType.${type}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('event.comment')}
            <textarea
              value={event.comment ?? ''}
              rows={2}
              maxLength={5000}
              onChange={(e) =>
                update({
                  event: e.target.value === '' ? { type: event.type } : { ...event, comment: e.target.value },
                })
              }
            />
          </label>
        </div>
      )}
    </section>
  );
}

function WaitSettings({ stage, update }: { stage: Stage; update: (patch: StagePatch) => void }) {
  const { t } = useTranslation('designer');
  return (
    <section className="settings-section">
      <label className="inline section-toggle">
        <input
          type="checkbox"
          checked={stage.wait !== undefined}
          onChange={(e) => update({ wait: e.target.checked ? 'P1D' : undefined })}
          data-testid="toggle-wait"
        />
        <span className="section-title">{t('wait.enabled')}</span>
      </label>
      {stage.wait !== undefined && (
        <>
          <DurationInput
            label={t('wait.duration')}
            value={stage.wait}
            onChange={(v) => update({ wait: v ?? 'P1D' })}
          />
          <p className="muted small">{t('wait.hint')}</p>
        </>
      )}
    </section>
  );
}

function SpawnSettings({ stage, spawnOptions, definitionName, update }: WithUpdate<StageSettingsProps>) {
  const { t } = useTranslation('designer');
  const list = stage.spawn ?? [];
  const set = (next: string[]) => update({ spawn: next.length > 0 ? next : undefined });
  const available = spawnOptions.filter((o) => !list.includes(o.id));
  return (
    <section className="settings-section" aria-label={t('spawn.title')}>
      <h4>{t('spawn.title')}</h4>
      {list.length > 0 && (
        <ul className="responsibles">
          {list.map((id) => (
            <li key={id}>
              <span className="grow">{definitionName(id)}</span>
              <button
                type="button"
                className="icon small danger"
                onClick={() => set(list.filter((x) => x !== id))}
                aria-label={t('spawn.remove', { name: definitionName(id) })}
                title={t('spawn.remove', { name: definitionName(id) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <select
        aria-label={t('spawn.add')}
        className="full"
        value=""
        onChange={(e) => {
          if (e.target.value) set([...list, e.target.value]);
        }}
        disabled={available.length === 0}
      >
        <option value="">{available.length === 0 ? t('spawn.noneAvailable') : t('spawn.add')}</option>
        {available.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </section>
  );
}
