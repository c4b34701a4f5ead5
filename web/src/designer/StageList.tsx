import { memo, type ReactNode } from 'react';
import type { Stage } from '../api/types.ts';
import { useFixedT } from '../i18n/useFixedT.ts';
import { ClockIcon, EventTypeIcon, SpawnIcon, TaskIcon } from './icons.tsx';
import { SelectableRow } from './SelectableRow.tsx';

export interface StageRowProps {
  stage: Stage;
  selected: boolean;
  problems: number;
  onSelect: (key: string | null) => void;
  /** The selected stage's settings, shown under its row. */
  children?: ReactNode;
}

/** One stage in the left list: a header that selects it, and its settings when selected. */
export const StageRow = memo(function StageRow({
  stage,
  selected,
  problems,
  onSelect,
  children,
}: StageRowProps) {
  const t = useFixedT('designer'); // a row of hundreds: the light translate hook
  return (
    <SelectableRow
      selected={selected}
      className={`stage-row${problems > 0 ? ' invalid' : ''}`}
      data-testid="stage-row"
      data-key={stage.key}
    >
      <button
        type="button"
        className="stage-row-head"
        aria-expanded={selected}
        onClick={() => onSelect(selected ? null : stage.key)}
      >
        <span className={`kind-dot kind-${stage.kind}`} aria-hidden="true" />
        <span className="stage-row-name">{stage.name.trim() === '' ? t('unnamedStage') : stage.name}</span>
        <span className="stage-row-marks" aria-hidden="true">
          {stage.wait !== undefined && <ClockIcon />}
          {stage.task && <TaskIcon />}
          {stage.event && <EventTypeIcon type={stage.event.type} />}
          {(stage.spawn?.length ?? 0) > 0 && <SpawnIcon />}
        </span>
        <span className="stage-row-kind">{t(`kind.${stage.kind}`)}</span>
        {problems > 0 && (
          <span
            className="problem-count"
            role="img"
            aria-label={t('list.problems', { count: problems })}
            title={t('list.problems', { count: problems })}
          >
            {problems}
          </span>
        )}
      </button>
      {selected && children}
    </SelectableRow>
  );
});
