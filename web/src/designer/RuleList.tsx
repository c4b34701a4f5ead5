import { type FormEvent, memo, type ReactElement, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Stage, Transition } from '../api/types.ts';
import { useFixedT } from '../i18n/useFixedT.ts';
import { IconButton } from '../ui/IconButton.tsx';
import type { Command, TransitionPatch } from './commands.ts';
import { SelectableRow } from './SelectableRow.tsx';

/** Stage names by key, for labelling rules (a stage without a name shows its key). */
export function useStageNames(stages: readonly Stage[]): (key: string) => string {
  return useMemo(() => {
    const names = new Map(stages.map((s) => [s.key, s.name.trim() || s.key]));
    return (key: string) => names.get(key) ?? key;
  }, [stages]);
}

/**
 * A stage as a choice of a select. The same stage gives the same element, so a select of hundreds
 * of stages drawn again (at every key typed in a stage's name) redraws only the option that changed.
 */
const stageOptions = new WeakMap<Stage, ReactElement>();
function stageOption(stage: Stage): ReactElement {
  let option = stageOptions.get(stage);
  if (!option) {
    option = (
      <option key={stage.key} value={stage.key}>
        {stage.name || stage.key}
      </option>
    );
    stageOptions.set(stage, option);
  }
  return option;
}

/** Whether `result` is free among the results of the rules leaving `from` (ignoring rule `except`). */
export function resultIsFree(
  transitions: readonly Transition[],
  from: string,
  result: string,
  except?: number,
): boolean {
  const norm = result.trim().toLowerCase();
  return !transitions.some(
    (t, i) => i !== except && t.from === from && t.result.trim().toLowerCase() === norm,
  );
}

export interface RuleRowProps {
  index: number;
  transition: Transition;
  /** Display names of the stages the rule joins. */
  fromName: string;
  toName: string;
  /** The stages to choose a new target from; given only where the target can be changed. */
  targets?: readonly Stage[];
  run: (command: Command) => void;
  selected: boolean;
  onSelect: (index: number) => void;
  /** Show the stage the rule leaves (the list of all rules). */
  showFrom?: boolean;
}

/** One transition rule: from —result→ to, with the result renamed in place. */
export const RuleRow = memo(function RuleRow({
  index,
  transition,
  fromName: from,
  toName: to,
  targets,
  run,
  selected,
  onSelect,
  showFrom,
}: RuleRowProps) {
  const t = useFixedT('designer'); // a row of hundreds: the light translate hook
  const update = (patch: TransitionPatch) => run({ type: 'transition.update', index, patch });
  return (
    <SelectableRow
      selected={selected}
      className="rule-row"
      data-testid="rule-row"
      data-index={index}
      aria-current={selected ? 'true' : undefined}
    >
      {showFrom && (
        <button type="button" className="link rule-from" onClick={() => onSelect(index)} title={from}>
          {from}
        </button>
      )}
      <span className="rule-arrow" aria-hidden="true">
        —
      </span>
      <input
        className="rule-result"
        value={transition.result}
        maxLength={200}
        placeholder={t('rules.resultPlaceholder')}
        aria-label={t('rules.resultOf', { from, to })}
        aria-invalid={transition.result.trim() === ''}
        onChange={(e) => update({ result: e.target.value })}
      />
      <span className="rule-arrow" aria-hidden="true">
        →
      </span>
      {targets ? (
        <select
          className="rule-to"
          aria-label={t('rules.targetOf', { from, result: transition.result })}
          value={transition.to}
          onChange={(e) => update({ to: e.target.value })}
        >
          {!targets.some((s) => s.key === transition.to) && (
            <option value={transition.to}>{transition.to}</option>
          )}
          {targets.map(stageOption)}
        </select>
      ) : (
        <span className="rule-to" title={to}>
          {to}
        </span>
      )}
      <IconButton
        label={t('rules.remove', { from, result: transition.result, to })}
        tooltip
        onClick={() => run({ type: 'transition.remove', indexes: [index] })}
        small
        danger
      />
    </SelectableRow>
  );
});

export interface AddRuleFormProps {
  stages: readonly Stage[];
  transitions: readonly Transition[];
  run: (command: Command) => void;
  /** The stage the rule leaves, when the form sits under that stage. */
  fixedFrom?: string;
}

/** Adds a rule: from a stage, a result, to a stage. */
export function AddRuleForm({ stages, transitions, run, fixedFrom }: AddRuleFormProps) {
  const { t } = useTranslation('designer');
  const id = useId();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [result, setResult] = useState('');
  const source = fixedFrom ?? from;
  const problem =
    source && result.trim() !== '' && !resultIsFree(transitions, source, result)
      ? t('rules.resultTaken')
      : null;
  const ready = source !== '' && to !== '' && result.trim() !== '' && problem === null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    run({ type: 'transition.connect', transition: { from: source, to, result: result.trim() } });
    setResult('');
    setTo('');
  };
  return (
    <form className="add-rule" onSubmit={submit} aria-label={t('rules.add')} data-testid="add-rule-form">
      {fixedFrom === undefined && (
        <select aria-label={t('rules.from')} value={from} onChange={(e) => setFrom(e.target.value)}>
          <option value="">{t('rules.from')}</option>
          {stages.filter((s) => s.kind !== 'end').map(stageOption)}
        </select>
      )}
      <input
        id={id}
        value={result}
        maxLength={200}
        onChange={(e) => setResult(e.target.value)}
        placeholder={t('rules.resultPlaceholder')}
        aria-label={t('rules.newResult')}
        aria-invalid={problem !== null}
        aria-describedby={problem ? `${id}-problem` : undefined}
      />
      <select aria-label={t('rules.to')} value={to} onChange={(e) => setTo(e.target.value)}>
        <option value="">{t('rules.to')}</option>
        {stages.map(stageOption)}
      </select>
      <button type="submit" disabled={!ready}>
        {t('rules.addButton')}
      </button>
      {problem && (
        <span id={`${id}-problem`} className="error small">
          {problem}
        </span>
      )}
    </form>
  );
}

export interface RuleListProps {
  stages: readonly Stage[];
  transitions: readonly Transition[];
  run: (command: Command) => void;
  selectedRule: number | null;
  onSelectRule: (index: number) => void;
}

/** Rules as rows of a list, each with its index among the definition's transitions. */
export function RuleRows({
  rules,
  nameOf,
  selected,
  ...row
}: {
  rules: readonly { tr: Transition; index: number }[];
  nameOf: (key: string) => string;
  selected: number | null;
} & Pick<RuleRowProps, 'targets' | 'run' | 'onSelect' | 'showFrom'>) {
  return (
    <ul className="rule-list">
      {rules.map(({ tr, index }) => (
        <RuleRow
          {...row}
          key={index}
          index={index}
          transition={tr}
          fromName={nameOf(tr.from)}
          toName={nameOf(tr.to)}
          selected={selected === index}
        />
      ))}
    </ul>
  );
}

/** Every rule of the definition, and a form to add one. */
export function RuleList({ stages, transitions, run, selectedRule, onSelectRule }: RuleListProps) {
  const { t } = useTranslation('designer');
  const nameOf = useStageNames(stages);
  return (
    <section className="rules-panel" aria-label={t('rules.title')}>
      <h3>
        {t('rules.title')} <span className="muted">({transitions.length})</span>
      </h3>
      {transitions.length === 0 ? (
        <p className="muted small">{t('rules.empty')}</p>
      ) : (
        <RuleRows
          rules={transitions.map((tr, index) => ({ tr, index }))}
          nameOf={nameOf}
          run={run}
          selected={selectedRule}
          onSelect={onSelectRule}
          showFrom
        />
      )}
      <AddRuleForm stages={stages} transitions={transitions} run={run} />
    </section>
  );
}
