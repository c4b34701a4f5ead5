import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProtocolEntry } from '../api/types.ts';
import { DefinitionFlow } from '../designer/DefinitionFlow.tsx';
import { FlowHeat } from '../designer/FlowHeat.tsx';
import { stageStateLabel } from '../ui/stageState.ts';
import type { CardData } from './ProcessCardPage.tsx';

/** The stages the process has been at and the transitions it took, from its protocol. */
export function pathTaken(protocol: readonly ProtocolEntry[]): { stages: string[]; transitions: string[] } {
  const stages = new Set<string>();
  const transitions = new Set<string>();
  for (const entry of protocol) {
    const d = entry.details;
    if (entry.action === 'stage.entered' && typeof d.stage === 'string') stages.add(d.stage);
    if (entry.action === 'transition' && typeof d.from === 'string' && typeof d.to === 'string')
      transitions.add(`${d.from}->${d.to}`);
  }
  return { stages: [...stages], transitions: [...transitions] };
}

/**
 * The read-only mini flowchart of the very version the process runs on: the path taken in bold,
 * the current stage highlighted.
 */
export function ProcessFlow({ data }: { data: CardData }) {
  const { t } = useTranslation('card');
  const { card: c, definition, protocol } = data;
  const path = useMemo(() => pathTaken(protocol), [protocol]);
  if (!definition) return null;
  const state = stageStateLabel(t, c);
  const note = state.className === 'waiting' || state.className === 'paused' ? state.label : undefined;
  return (
    <section className="panel card-flow" aria-label={t('flow.label')}>
      <FlowHeat
        definitionId={c.definition.id}
        version={c.definition.version}
        stages={definition.stages}
        transitions={definition.transitions}
      >
        {(heat) => (
          <DefinitionFlow
            stages={definition.stages}
            transitions={definition.transitions}
            readOnly
            currentStage={c.stage.key}
            currentNote={note}
            // Under the overlay the path taken is not dimmed around, so the colours read true.
            visitedStages={heat ? undefined : path.stages}
            takenTransitions={heat ? undefined : path.transitions}
            height={300}
            heat={heat}
          />
        )}
      </FlowHeat>
    </section>
  );
}
