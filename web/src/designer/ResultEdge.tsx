import { BaseEdge, type Edge, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import { type EdgeSlot, edgeGeometry } from './flow-model.ts';

export interface ResultEdgeData extends Record<string, unknown> {
  /** The transition's index in the definition. */
  readonly index: number;
  readonly result: string;
  readonly slot: EdgeSlot;
  readonly selfLoop: boolean;
}

export type ResultEdgeType = Edge<ResultEdgeData, 'result'>;

/** A transition, labelled with its result (rendered as SVG text, never as markup). */
function ResultEdgeView({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  data,
  markerEnd,
  style,
}: EdgeProps<ResultEdgeType>) {
  if (!data) return null;
  const { path, labelX, labelY } = edgeGeometry(
    { x: sourceX, y: sourceY },
    { x: targetX, y: targetY },
    data.slot,
    data.selfLoop,
    data.index,
  );
  const label = data.result.trim() === '' ? '?' : data.result;
  return (
    <BaseEdge
      id={id}
      path={path}
      markerEnd={markerEnd}
      style={style}
      label={label.length > 28 ? `${label.slice(0, 27)}…` : label}
      labelX={labelX}
      labelY={labelY}
      labelShowBg
      labelBgPadding={[4, 2]}
      labelBgBorderRadius={3}
      interactionWidth={16}
    />
  );
}

export const ResultEdge = memo(ResultEdgeView);
