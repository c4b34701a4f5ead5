import type { Stage, Transition } from '../api/types.ts';

/** Props of the flowchart shared by the designer (editable) and the process card (read-only). */
export interface DefinitionFlowProps {
  stages: Stage[];
  transitions: Transition[];
  /** Read-only: no dragging, connecting or deleting (the process card). */
  readOnly?: boolean;
  /** The stage to highlight as current. */
  currentStage?: string;
  /** Stage keys and transitions ("from->to") already taken, drawn bold. */
  visitedStages?: string[];
  takenTransitions?: string[];
  /** Stage keys with validation errors, drawn in red. */
  invalidStages?: string[];
  selectedStage?: string | null;
  onSelectStage?: (key: string | null) => void;
  /** Editable mode: a stage was dragged to a new position. */
  onMoveStage?: (key: string, position: { x: number; y: number }) => void;
  /** Editable mode: the user dragged from one stage to another. */
  onConnect?: (from: string, to: string) => void;
  /** Editable mode: the user deleted stages or transitions (by index) on the canvas. */
  onDelete?: (stageKeys: string[], transitionIndexes: number[]) => void;
  height?: number | string;
}

/** Placeholder until the flowchart lands: lists the stages. */
export function DefinitionFlow({ stages, currentStage }: DefinitionFlowProps) {
  return (
    <ol>
      {stages.map((s) => (
        <li key={s.key}>{s.key === currentStage ? <strong>{s.name}</strong> : s.name}</li>
      ))}
    </ol>
  );
}
