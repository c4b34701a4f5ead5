import { BaseEdge, type Edge, type EdgeProps } from '@xyflow/react';
import { memo, useCallback, useContext, useSyncExternalStore } from 'react';
import { type EdgeSlot, edgeGeometry, roundedPath } from './flow-model.ts';
import {
  type EdgeRoute,
  edgeLabelText,
  LABEL_LINE_HEIGHT,
  LABEL_PAD_X,
  LABEL_PAD_Y,
  labelTextWidth,
} from './layout.ts';
import { StageNamesContext } from './stage-names.ts';

export interface ResultEdgeData extends Record<string, unknown> {
  /** The transition's index in the definition. */
  readonly index: number;
  readonly result: string;
  /** The id of the arrow's accessible name ("From → To: result"), which the arrow's group refers to. */
  readonly nameId: string;
  readonly slot: EdgeSlot;
  readonly selfLoop: boolean;
  /** The route ELK laid out, when the stages still stand where it put them. */
  readonly route?: EdgeRoute | undefined;
}

export type ResultEdgeType = Edge<ResultEdgeData, 'result'>;

/** The accessible name of the arrow from `from` to `to`. */
function useArrowName(from: string, to: string, result: string): string {
  const names = useContext(StageNamesContext);
  const read = useCallback(
    () => `${names.name(from)} → ${names.name(to)}: ${result}`,
    [names, from, to, result],
  );
  return useSyncExternalStore(names.subscribe, read);
}

/** A transition, labelled with its result (rendered as SVG text, never as markup). */
function ResultEdgeView({
  id,
  source,
  target,
  sourceX,
  sourceY,
  targetX,
  targetY,
  data,
  markerEnd,
  style,
}: EdgeProps<ResultEdgeType>) {
  const name = useArrowName(source, target, data?.result ?? '');
  if (!data) return null;
  const { path, labelX, labelY } = data.route
    ? { path: roundedPath(data.route.points, 8), labelX: data.route.label.x, labelY: data.route.label.y }
    : edgeGeometry(
        { x: sourceX, y: sourceY },
        { x: targetX, y: targetY },
        data.slot,
        data.selfLoop,
        data.index,
      );
  return (
    <>
      {/* What the arrow's group is named by (aria-labelledby): read, never shown. */}
      <text id={data.nameId} display="none">
        {name}
      </text>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={16} />
      <EdgeLabel text={edgeLabelText(data.result)} x={labelX} y={labelY} />
    </>
  );
}

/**
 * An arrow's label on its background, sized from the text's measured width (the same measure the
 * layout keeps room for), so drawing it reads nothing back from the page: React Flow's own label
 * measures its text after mounting (`getBBox`, a forced layout per arrow) and draws itself twice.
 * Same classes, so the same styles.
 */
function EdgeLabel({ text, x, y }: { text: string; x: number; y: number }) {
  const width = labelTextWidth(text);
  return (
    <g
      transform={`translate(${x - width / 2} ${y - LABEL_LINE_HEIGHT / 2})`}
      className="react-flow__edge-textwrapper"
    >
      <rect
        className="react-flow__edge-textbg"
        x={-LABEL_PAD_X}
        y={-LABEL_PAD_Y}
        width={width + 2 * LABEL_PAD_X}
        height={LABEL_LINE_HEIGHT + 2 * LABEL_PAD_Y}
        rx={3}
        ry={3}
      />
      <text
        className="react-flow__edge-text"
        x={width / 2}
        y={LABEL_LINE_HEIGHT / 2}
        dy="0.3em"
        textAnchor="middle"
      >
        {text}
      </text>
    </g>
  );
}

export const ResultEdge = memo(ResultEdgeView);
