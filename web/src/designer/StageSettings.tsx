import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { employeeKeys } from '../api/employees.ts';
import type { Employee, Stage, StageKind, StageTask, Transition } from '../api/types.ts';
import { Combobox } from '../ui/Combobox.tsx';
import { LabelledSelect, Select } from '../ui/Field.tsx';
import { IconButton } from '../ui/IconButton.tsx';
import { TextAreaField, TextField } from '../ui/TextField.tsx';
import type { Command, StagePatch } from './commands.ts';
import { DurationInput } from './DurationInput.tsx';
import { AddRuleForm, RuleRows, useStageNames } from './RuleList.tsx';
import { SettingsSection, ToggleSection } from './SettingsSection.tsx';
import { TimingSettings } from './TimingSettings.tsx';

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
  /** Removes the stage (its key given). */
  onRemove: (key: string) => void;
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
        <LabelledSelect
          label={t('stage.kind')}
          value={stage.kind}
          onChange={(kind) => update({ kind })}
          testId="stage-kind"
          options={KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
        />
      </div>
      <KeyField stage={props.stage} stages={props.stages} run={run} onKeyChanged={props.onKeyChanged} />
      <Responsibles {...props} update={update} />
      <TaskSettings {...props} update={update} />
      <EventSettings stage={stage} update={update} />
      <WaitSettings stage={stage} update={update} />
      <TimingSettings stage={stage} employees={props.employees} update={update} />
      <SpawnSettings {...props} update={update} />
      <SettingsSection title={t('stage.rulesOut')}>
        {outgoing.length === 0 ? (
          <p className="muted small">
            {stage.kind === 'end' ? t('stage.endHasNoRules') : t('stage.noRulesOut')}
          </p>
        ) : (
          <RuleRows
            rules={outgoing}
            nameOf={nameOf}
            targets={props.stages}
            run={run}
            selected={props.selectedRule}
            onSelect={props.onSelectRule}
          />
        )}
        {stage.kind !== 'end' && (
          <AddRuleForm
            stages={props.stages}
            transitions={props.transitions}
            run={run}
            fixedFrom={stage.key}
          />
        )}
      </SettingsSection>
      <div className="row">
        <button
          type="button"
          className="danger"
          onClick={() => props.onRemove(stage.key)}
          data-testid="remove-stage"
        >
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

/**
 * What a stage was given (its responsibles, the processes it spawns), each with a remove button;
 * `ordered` lists keep their order meaningful and can move an entry up or down.
 */
function ChosenList({
  ids,
  nameOf,
  onChange,
  ordered,
  removeLabel,
}: {
  ids: readonly string[];
  nameOf: (id: string) => string;
  onChange: (ids: string[]) => void;
  ordered?: boolean;
  removeLabel: (name: string) => string;
}) {
  const { t } = useTranslation('designer');
  if (ids.length === 0) return null;
  const move = (i: number, by: number) => {
    const next = ids.slice();
    const [item] = next.splice(i, 1);
    if (item === undefined) return;
    next.splice(i + by, 0, item);
    onChange(next);
  };
  const items = ids.map((id, i) => (
    <li key={id}>
      <span className="grow">{nameOf(id)}</span>
      {ordered && (
        <>
          <IconButton
            label={t('stage.moveUp', { name: nameOf(id) })}
            tooltip
            onClick={() => move(i, -1)}
            disabled={i === 0}
            small
          >
            ↑
          </IconButton>
          <IconButton
            label={t('stage.moveDown', { name: nameOf(id) })}
            tooltip
            onClick={() => move(i, 1)}
            disabled={i === ids.length - 1}
            small
          >
            ↓
          </IconButton>
        </>
      )}
      <IconButton
        label={removeLabel(nameOf(id))}
        tooltip
        onClick={() => onChange(ids.filter((x) => x !== id))}
        small
        danger
      />
    </li>
  ));
  return ordered ? <ol className="responsibles">{items}</ol> : <ul className="responsibles">{items}</ul>;
}

/**
 * A stage's list of ids (empty when it has none), a setter that leaves the field out once the list
 * is emptied, and the options not chosen yet.
 */
function chosen<O extends { id: string }>(
  ids: readonly string[] | undefined,
  save: (ids: string[] | undefined) => void,
  options: readonly O[],
) {
  const list = ids ?? [];
  const set = (next: string[]) => save(next.length > 0 ? next : undefined);
  return { list, set, available: options.filter((o) => !list.includes(o.id)) };
}

type WithUpdate<P> = P & { update: (patch: StagePatch) => void };

function Responsibles({ stage, employees, employeeName, update }: WithUpdate<StageSettingsProps>) {
  const { t } = useTranslation('designer');
  const { list, set, available } = chosen(
    stage.responsibles,
    (responsibles) => update({ responsibles }),
    employees,
  );
  return (
    <SettingsSection title={t('stage.responsibles')}>
      <p className="muted small">{t('stage.responsiblesHint')}</p>
      <ChosenList
        ids={list}
        nameOf={employeeName}
        onChange={set}
        ordered
        removeLabel={(name) => t('stage.removeResponsible', { name })}
      />
      {/* A combobox: arrows only move through the names; Enter or a click adds one. */}
      <Combobox
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
    </SettingsSection>
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
    <ToggleSection
      stage={stage}
      part="task"
      initial={{ title: stage.name, assignee: 'responsible' }}
      update={update}
    >
      {(task) => (
        <div className="stack">
          <TextField
            label={t('task.title')}
            value={task.title}
            maxLength={500}
            onChange={(title) => setTask({ title })}
          />
          <TextAreaField
            label={t('task.description')}
            value={task.description ?? ''}
            maxLength={5000}
            rows={2}
            onChange={(description) => setTask({ description })}
          />
          <LabelledSelect
            label={t('task.assignee')}
            value={assigneeValue}
            onChange={(v) => setTask({ assignee: v === 'responsible' ? 'responsible' : { employeeId: v } })}
            options={[
              { value: 'responsible', label: t('task.toResponsible') },
              ...(knownAssignee ? [] : [{ value: assigneeValue, label: employeeName(assigneeValue) }]),
              ...employees.map((e) => ({ value: e.id, label: e.name })),
            ]}
          />
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
    </ToggleSection>
  );
}

function EventSettings({ stage, update }: { stage: Stage; update: (patch: StagePatch) => void }) {
  const { t } = useTranslation('designer');
  const known = (EVENT_TYPES as readonly string[]).includes(stage.event?.type ?? '');
  return (
    <ToggleSection stage={stage} part="event" initial={{ type: 'call' }} update={update}>
      {(event) => (
        <div className="stack">
          <LabelledSelect
            label={t('event.type')}
            value={event.type}
            onChange={(type) => update({ event: { ...event, type } })}
            options={[
              ...(known ? [] : [{ value: event.type, label: event.type }]),
              ...EVENT_TYPES.map((type) => ({ value: type, label: t(`eventType.${type}`) })),
            ]}
          />
          <TextAreaField
            label={t('event.comment')}
            value={event.comment ?? ''}
            rows={2}
            maxLength={5000}
            onChange={(comment) =>
              update({ event: comment === '' ? { type: event.type } : { ...event, comment } })
            }
          />
        </div>
      )}
    </ToggleSection>
  );
}

function WaitSettings({ stage, update }: { stage: Stage; update: (patch: StagePatch) => void }) {
  const { t } = useTranslation('designer');
  return (
    <ToggleSection stage={stage} part="wait" initial="P1D" update={update}>
      {(wait) => (
        <>
          <DurationInput
            label={t('wait.duration')}
            value={wait}
            onChange={(v) => update({ wait: v ?? 'P1D' })}
          />
          <p className="muted small">{t('wait.hint')}</p>
        </>
      )}
    </ToggleSection>
  );
}

function SpawnSettings({ stage, spawnOptions, definitionName, update }: WithUpdate<StageSettingsProps>) {
  const { t } = useTranslation('designer');
  const { list, set, available } = chosen(stage.spawn, (spawn) => update({ spawn }), spawnOptions);
  return (
    <SettingsSection title={t('spawn.title')}>
      <ChosenList
        ids={list}
        nameOf={definitionName}
        onChange={set}
        removeLabel={(name) => t('spawn.remove', { name })}
      />
      <Select
        aria-label={t('spawn.add')}
        className="full"
        value=""
        onChange={(id) => {
          if (id) set([...list, id]);
        }}
        disabled={available.length === 0}
        empty={{ label: available.length === 0 ? t('spawn.noneAvailable') : t('spawn.add') }}
        options={available.map((o) => ({ value: o.id, label: o.name }))}
      />
    </SettingsSection>
  );
}
