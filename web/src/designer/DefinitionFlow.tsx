import {
  Background,
  type Connection,
  Controls,
  type Edge,
  MarkerType,
  MiniMap,
  type Node,
  type NodeChange,
  type NodeHandle,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  useStoreApi,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import {
  Component,
  type ReactNode,
  startTransition,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import type { Stage, Transition } from '../api/types.ts';
import type { Point } from './commands.ts';
import './designer.css';
import { useAfterFirstFrame } from '../ui/useAfterFirstFrame.ts';
import { edgeSlots, routedTransitions, transitionKey } from './flow-model.ts';
import { type FlowHeat, heatMarkerSize } from './heat.ts';
import {
  type ChartLayout,
  edgeLabelText,
  LABEL_FONT_SIZE,
  layoutChart,
  NODE_HEIGHT,
  NODE_WIDTH,
  placeMissing,
} from './layout.ts';
import { ResultEdge, type ResultEdgeType } from './ResultEdge.tsx';
import { StageNode, type StageNodeType } from './StageNode.tsx';
import { StageNames, StageNamesContext } from './stage-names.ts';

/** Props of the flowchart shared by the designer (editable) and the process card (read-only). */
export interface DefinitionFlowProps {
  stages: readonly Stage[];
  transitions: readonly Transition[];
  /** Read-only: no dragging, connecting or deleting (the process card). */
  readOnly?: boolean;
  /** The stage to highlight as current. */
  currentStage?: string;
  /** A line under the current stage's name: "Waiting until …" or "Paused until …" (the process card). */
  currentNote?: string | undefined;
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
  /** The bottleneck overlay: stages coloured by median time, arrows as wide as their traffic. */
  heat?: FlowHeat | undefined;
}

const nodeTypes = { stage: StageNode };
const edgeTypes = { result: ResultEdge };
const EDGE_COLOR = '#8a94a6';
const TAKEN_COLOR = '#1f2430';
const SELECTED_COLOR = '#2f6fde';
/**
 * The smallest zoom at which an arrow's label is still 11 px on screen. Fitting the view never shrinks
 * below it: a chart that does not fit at it opens on its start stage, with a minimap to find the rest.
 */
export const READABLE_ZOOM = Math.ceil((11 / LABEL_FONT_SIZE) * 1000) / 1000;
const FIT_PADDING = 0.15;
const FIT_OPTIONS = { padding: FIT_PADDING, maxZoom: 1.1, minZoom: READABLE_ZOOM } as const;

/** The box around every stage, line and label of the chart. */
function chartBounds(nodes: readonly StageNodeType[], layout: ChartLayout | null) {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  const add = (x: number, y: number) => {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  };
  for (const n of nodes) {
    add(n.position.x, n.position.y);
    add(n.position.x + NODE_WIDTH, n.position.y + NODE_HEIGHT);
  }
  for (const route of Object.values(layout?.routes ?? {})) {
    for (const p of route.points) add(p.x, p.y);
    add(route.label.x - route.labelWidth / 2, route.label.y - route.labelHeight / 2);
    add(route.label.x + route.labelWidth / 2, route.label.y + route.labelHeight / 2);
  }
  return nodes.length === 0
    ? { left: 0, top: 0, width: 0, height: 0 }
    : { left: minX, top: minY, width: maxX - minX, height: maxY - minY };
}

/**
 * The flowchart of a definition (React Flow): stages as boxes, transitions as arrows labelled with
 * their result. Stages without a saved position are laid out automatically. It never lets a
 * rendering problem escape: it falls back to a plain list of the stages.
 */
export function DefinitionFlow(props: DefinitionFlowProps) {
  return (
    <div
      className={`definition-flow${props.readOnly ? ' read-only' : ''}`}
      style={{ height: props.height ?? 420 }}
    >
      <FlowErrorBoundary resetKey={props.stages} stages={props.stages} currentStage={props.currentStage}>
        <ReactFlowProvider>
          <FlowCanvas {...props} />
        </ReactFlowProvider>
      </FlowErrorBoundary>
    </div>
  );
}

function FlowFallback({
  stages,
  currentStage,
}: {
  stages: readonly Stage[];
  currentStage: string | undefined;
}) {
  const { t } = useTranslation('designer');
  return (
    <div className="flow-fallback" role="alert">
      <p>{t('flow.failed')}</p>
      <ol>
        {stages.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a broken draft may repeat keys; the order is what is shown.
          <li key={i}>{s.key === currentStage ? <strong>{s.name}</strong> : s.name}</li>
        ))}
      </ol>
    </div>
  );
}

interface BoundaryProps {
  resetKey: unknown;
  stages: readonly Stage[];
  currentStage: string | undefined;
  children: ReactNode;
}

/** Catches a rendering error of the canvas and shows the stages as a list; retries on the next change. */
class FlowErrorBoundary extends Component<BoundaryProps, { failedFor: unknown; failed: boolean }> {
  override state = { failedFor: undefined as unknown, failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidCatch() {
    this.setState({ failedFor: this.props.resetKey });
  }

  override componentDidUpdate(prev: BoundaryProps) {
    if (
      this.state.failed &&
      prev.resetKey !== this.props.resetKey &&
      this.state.failedFor !== this.props.resetKey
    ) {
      this.setState({ failed: false, failedFor: undefined });
    }
  }

  override render() {
    if (this.state.failed)
      return <FlowFallback stages={this.props.stages} currentStage={this.props.currentStage} />;
    return this.props.children;
  }
}

/** A plain grid, used only if the layout engine could not be loaded. */
function gridPositions(stages: readonly Stage[]): Record<string, Point> {
  return Object.fromEntries(
    stages.map((s, i) => [
      s.key,
      { x: (i % 6) * (NODE_WIDTH + 80), y: Math.floor(i / 6) * (NODE_HEIGHT + 70) },
    ]),
  );
}

const NO_POSITIONS: Record<string, Point> = {};

/** Above this many stages, a chart whose stages all have places is not laid out again just for its lines. */
const ROUTED_LIMIT = 150;

/**
 * A chart of more stages than this whose stages lack places is drawn at once on a plain grid and
 * rearranged when its layout arrives (a second or more); a smaller one waits for its layout, which
 * takes a moment, rather than jump.
 */
export const DRAW_BEFORE_LAYOUT = 80;

/**
 * The ELK layout of the chart (positions, and the route and label place of every arrow), computed
 * (asynchronously, in a worker) whenever the stages, the rules or their labels change. Stages without
 * a saved position take theirs from it; a small chart waits for it only when some stage has none, a
 * large one never waits (`settled` says whether every stage has its final place).
 */
function useChartLayout(stages: readonly Stage[], transitions: readonly Transition[]) {
  const missing = stages.some((s) => !s.position);
  // What the layout depends on: the stages, the rules and their labels (not the saved places).
  const signature = useMemo(() => {
    if (!missing && stages.length > ROUTED_LIMIT) return '';
    return JSON.stringify([
      stages.map((s) => s.key),
      transitions.map((t) => [t.from, t.to, edgeLabelText(t.result)]),
    ]);
  }, [stages, transitions, missing]);
  const latest = useRef({ stages, transitions });
  latest.current = { stages, transitions };
  const [done, setDone] = useState<{ signature: string; layout: ChartLayout | null } | null>(null);
  useEffect(() => {
    if (!signature) return;
    let cancelled = false;
    const { stages: s, transitions: t } = latest.current;
    // Moving every stage of a large chart is a large render: one that typing can interrupt.
    layoutChart(s, t).then(
      (layout) => {
        if (!cancelled) startTransition(() => setDone({ signature, layout }));
      },
      () => {
        if (!cancelled) startTransition(() => setDone({ signature, layout: null }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [signature]);
  const current = done?.signature === signature ? done : null;
  // Places for the stages without one: from the layout, or a plain grid if it failed.
  const positions = useMemo(() => {
    if (!missing || !current) return NO_POSITIONS;
    return current.layout ? placeMissing(stages, current.layout.positions) : gridPositions(stages);
  }, [missing, current, stages]);
  const settled = !missing || current !== null;
  return {
    ready: settled || stages.length > DRAW_BEFORE_LAYOUT,
    settled,
    positions,
    layout: current?.layout ?? null,
  };
}

/** The side of a stage's way in and way out (StageNode's ports), as designer.css draws them. */
const HANDLE_SIZE = 11;
const STAGE_HANDLES: NodeHandle[] = [
  {
    id: 'in',
    type: 'target',
    position: Position.Left,
    x: -HANDLE_SIZE / 2,
    y: NODE_HEIGHT / 2 - HANDLE_SIZE / 2,
    width: HANDLE_SIZE,
    height: HANDLE_SIZE,
  },
  {
    id: 'out',
    type: 'source',
    position: Position.Right,
    x: NODE_WIDTH - HANDLE_SIZE / 2,
    y: NODE_HEIGHT / 2 - HANDLE_SIZE / 2,
    width: HANDLE_SIZE,
    height: HANDLE_SIZE,
  },
];

const NONE_ROUTED: ReadonlySet<number> = new Set();

/** The id of a stage's name on the chart, which names its box for assistive technology. */
function stageNameId(prefix: string, key: string): string {
  return `${prefix}-s-${encodeURIComponent(key)}`;
}

/** The same stage but for its place and its name, which the chart takes from `StageNames`. */
function sameButPlaceAndName(a: Stage, b: Stage): boolean {
  if (a === b) return true;
  const keys = (s: Stage) =>
    Object.keys(s).filter((k) => k !== 'position' && k !== 'name') as (keyof Stage)[];
  const own = keys(b);
  return keys(a).length === own.length && own.every((k) => a[k] === b[k]);
}

/** A chart of more stages than this draws only the stages and arrows in view. */
const DRAW_IN_VIEW_ONLY = 100;

interface CachedNode {
  readonly stage: Stage;
  readonly flags: string;
  readonly position: Point;
  readonly node: StageNodeType;
}

interface CachedEdge {
  readonly transition: Transition;
  readonly flags: string;
  readonly edge: ResultEdgeType;
}

function FlowCanvas({
  stages,
  transitions,
  readOnly = false,
  currentStage,
  currentNote,
  visitedStages,
  takenTransitions,
  invalidStages,
  selectedStage = null,
  onSelectStage,
  onMoveStage,
  onConnect,
  onDelete,
  heat,
}: DefinitionFlowProps) {
  const { t } = useTranslation('designer');
  const editable = !readOnly;
  const auto = useChartLayout(stages, transitions);
  const [drag, setDrag] = useState<{ id: string; position: Point } | null>(null);
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const cache = useRef(new Map<string, CachedNode>());
  const nodesRef = useRef<StageNodeType[]>([]);
  const inViewOnly = stages.length > DRAW_IN_VIEW_ONLY;

  const invalid = useMemo(() => new Set(invalidStages ?? []), [invalidStages]);
  const visited = useMemo(() => new Set(visitedStages ?? []), [visitedStages]);
  const taken = useMemo(() => new Set(takenTransitions ?? []), [takenTransitions]);
  const highlightPath = visited.size > 0 || taken.size > 0;

  // Stages and arrows show the stages' names from `names`, not from their nodes and edges: renaming
  // a stage keeps React Flow's lists of both, which it would otherwise index anew at every key.
  const [names] = useState(() => new StageNames());
  const stageNames = useMemo(() => new Map(stages.map((s) => [s.key, s.name])), [stages]);
  names.set(stageNames);
  // After every commit (it does nothing unless the names changed).
  useLayoutEffect(() => names.publish());
  const nameIds = useId();

  const nodeInputs = useRef<readonly unknown[]>([]);
  const nodes = useMemo(() => {
    const next = new Map<string, CachedNode>();
    const list: StageNodeType[] = [];
    // When only some stages changed (a key typed in a name), the others keep their nodes unlooked-at.
    const inputs = [
      drag,
      auto.positions,
      currentStage,
      currentNote,
      visited,
      invalid,
      highlightPath,
      editable,
      heat,
    ];
    const sameInputs =
      inputs.length === nodeInputs.current.length && inputs.every((x, k) => x === nodeInputs.current[k]);
    nodeInputs.current = inputs;
    stages.forEach((stage, i) => {
      if (next.has(stage.key)) return; // a duplicate key (a broken draft): the validation panel names it
      const prev = cache.current.get(stage.key);
      if (
        sameInputs &&
        prev?.stage === stage &&
        stage.position &&
        stage.key !== selectedStage &&
        !prev.node.selected
      ) {
        next.set(stage.key, prev);
        list.push(prev.node);
        return;
      }
      const wanted =
        drag?.id === stage.key
          ? drag.position
          : (stage.position ?? auto.positions[stage.key] ?? { x: (i % 6) * 280, y: Math.floor(i / 6) * 140 });
      // The same place keeps its object, so an unchanged stage keeps its node.
      const position =
        prev && prev.position.x === wanted.x && prev.position.y === wanted.y ? prev.position : wanted;
      const isCurrent = stage.key === currentStage;
      const isVisited = visited.has(stage.key);
      const flags = [
        invalid.has(stage.key),
        isCurrent,
        isVisited,
        highlightPath && !isVisited && !isCurrent,
        stage.key === selectedStage,
        editable,
        isCurrent ? (currentNote ?? '') : '',
        heat ? JSON.stringify(heat.stages[stage.key] ?? null) : '',
      ].join();
      const node: StageNodeType =
        prev && sameButPlaceAndName(prev.stage, stage) && prev.flags === flags && prev.position === position
          ? prev.node
          : {
              id: stage.key,
              type: 'stage',
              position,
              width: NODE_WIDTH,
              height: NODE_HEIGHT,
              // Where its ways in and out are, known without drawing it: React Flow would otherwise
              // draw every changed stage, wherever it is, to measure it (all of them when the
              // layout arrives, the renamed one at every key).
              handles: STAGE_HANDLES,
              selected: stage.key === selectedStage,
              draggable: editable,
              connectable: editable,
              deletable: editable,
              // Named by the name it shows (see StageNode), which follows `names`.
              domAttributes: { 'aria-labelledby': stageNameId(nameIds, stage.key) },
              data: {
                stage,
                nameId: stageNameId(nameIds, stage.key),
                invalid: invalid.has(stage.key),
                current: isCurrent,
                visited: isVisited,
                dimmed: highlightPath && !isVisited && !isCurrent,
                editable,
                note: isCurrent ? currentNote : undefined,
                heat: heat?.stages[stage.key],
              },
            };
      next.set(stage.key, { stage, flags, position, node });
      list.push(node);
    });
    cache.current = next;
    // Nothing changed for any stage (a rename, a change elsewhere): the same list for React Flow.
    const before = nodesRef.current;
    if (before.length === list.length && list.every((node, k) => node === before[k])) return before;
    nodesRef.current = list;
    return list;
  }, [
    stages,
    drag,
    auto.positions,
    currentStage,
    currentNote,
    visited,
    invalid,
    highlightPath,
    selectedStage,
    editable,
    heat,
    nameIds,
  ]);

  const shownPositions = useMemo(
    () => Object.fromEntries(nodes.map((n) => [n.id, n.position])) as Record<string, Point>,
    [nodes],
  );
  // A large chart draws its arrows straight from stage to stage, laid out or not.
  const routing = stages.length <= ROUTED_LIMIT ? auto.layout : null;
  const routed = useMemo(
    () => (routing ? routedTransitions(routing, transitions, shownPositions) : NONE_ROUTED),
    [routing, transitions, shownPositions],
  );

  // The stages there are: the same set while only names and places change.
  const keysRef = useRef<ReadonlySet<string>>(new Set());
  const keys = useMemo(() => {
    const next = new Set(stages.map((s) => s.key));
    const prev = keysRef.current;
    return prev.size === next.size && [...next].every((k) => prev.has(k)) ? prev : next;
  }, [stages]);
  keysRef.current = keys;

  const edgeCache = useRef<{ list: ResultEdgeType[]; byIndex: Map<number, CachedEdge> }>({
    list: [],
    byIndex: new Map(),
  });
  const edges = useMemo(() => {
    const slots = edgeSlots(transitions);
    const next = new Map<number, CachedEdge>();
    const list: ResultEdgeType[] = [];
    transitions.forEach((tr, index) => {
      const slot = slots[index];
      if (!slot || !keys.has(tr.from) || !keys.has(tr.to)) return;
      const id = `t${index}`;
      const isTaken = taken.has(transitionKey(tr));
      const isSelected = id === selectedEdge;
      const route = routed.has(index) ? routing?.routes[index] : undefined;
      const load = heat?.edges[index];
      const flags = [isTaken, isSelected, highlightPath, editable, slot.slot, slot.count, load?.width].join(
        '|',
      );
      const prev = edgeCache.current.byIndex.get(index);
      const color = isSelected ? SELECTED_COLOR : isTaken ? TAKEN_COLOR : EDGE_COLOR;
      const edge: ResultEdgeType =
        prev && prev.transition === tr && prev.flags === flags && prev.edge.data?.route === route
          ? prev.edge
          : {
              id,
              type: 'result',
              source: tr.from,
              target: tr.to,
              sourceHandle: 'out',
              targetHandle: 'in',
              selected: isSelected,
              selectable: editable,
              deletable: editable,
              focusable: editable,
              className: [isTaken ? 'taken' : '', highlightPath && !isTaken ? 'dimmed' : '']
                .filter(Boolean)
                .join(' '),
              markerEnd: {
                type: MarkerType.ArrowClosed,
                width: 16,
                height: 16,
                color,
                ...heatMarkerSize(load),
              },
              ...(load ? { style: { strokeWidth: load.width } } : {}),
              // Named by its hidden name (see ResultEdge), which follows the stages' names.
              // React Flow leaves out its own aria-label for null (its type says string only).
              ariaLabel: null as unknown as string,
              domAttributes: { 'aria-labelledby': `${nameIds}-${id}` },
              data: {
                index,
                result: tr.result,
                nameId: `${nameIds}-${id}`,
                slot,
                selfLoop: tr.from === tr.to,
                route,
              },
            };
      next.set(index, { transition: tr, flags, edge });
      list.push(edge);
    });
    // Nothing changed for any arrow: the same list, so React Flow has nothing to index anew.
    const before = edgeCache.current.list;
    const same = before.length === list.length && list.every((edge, i) => edge === before[i]);
    edgeCache.current = { list: same ? before : list, byIndex: next };
    return same ? before : list;
  }, [keys, transitions, taken, highlightPath, selectedEdge, editable, routed, routing, heat, nameIds]);

  // Indexes shift when transitions change: a selected arrow is forgotten rather than mistaken.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every change of the transitions.
  useEffect(() => setSelectedEdge(null), [transitions]);

  const onNodesChange = useCallback(
    (changes: NodeChange<StageNodeType>[]) => {
      for (const change of changes) {
        if (change.type !== 'position' || !change.position) continue;
        const position = { x: Math.round(change.position.x), y: Math.round(change.position.y) };
        if (change.dragging) setDrag({ id: change.id, position });
        else {
          setDrag(null);
          onMoveStage?.(change.id, position);
        }
      }
    },
    [onMoveStage],
  );

  const handleConnect = useCallback(
    (connection: Connection) => {
      if (connection.source && connection.target) onConnect?.(connection.source, connection.target);
    },
    [onConnect],
  );

  const handleDelete = useCallback(
    ({ nodes: gone, edges: goneEdges }: { nodes: Node[]; edges: Edge[] }) => {
      const indexes = goneEdges.flatMap((e) => {
        const index = (e.data as { index?: unknown } | undefined)?.index;
        return typeof index === 'number' ? [index] : [];
      });
      onDelete?.(
        gone.map((n) => n.id),
        indexes,
      );
    },
    [onDelete],
  );

  const ariaLabelConfig = useMemo(
    () => ({
      'controls.ariaLabel': t('flow.controls'),
      'controls.zoomIn.ariaLabel': t('flow.zoomIn'),
      'controls.zoomOut.ariaLabel': t('flow.zoomOut'),
      'controls.fitView.ariaLabel': t('flow.fitView'),
      'controls.interactive.ariaLabel': t('flow.interactive'),
      'minimap.ariaLabel': t('flow.minimap'),
      'handle.ariaLabel': t('flow.handle'),
      'node.a11yDescription.default': t('flow.nodeHelp'),
      'node.a11yDescription.keyboardDisabled': t('flow.nodeHelp'),
      'edge.a11yDescription.default': t('flow.edgeHelp'),
    }),
    [t],
  );

  const bounds = useMemo(() => chartBounds(nodes, routing), [nodes, routing]);
  const paneWidth = useStore((st) => st.width);
  const paneHeight = useStore((st) => st.height);
  const fitZoom = Math.min(
    paneWidth / Math.max(1, bounds.width * (1 + FIT_PADDING)),
    paneHeight / Math.max(1, bounds.height * (1 + FIT_PADDING)),
  );
  const fits = paneWidth === 0 || fitZoom >= READABLE_ZOOM;
  // A large chart's minimap (every stage drawn again) follows the chart's first frame.
  const minimapShown = useAfterFirstFrame(stages.length > DRAW_BEFORE_LAYOUT);

  if (!auto.ready) {
    return (
      <p className="flow-loading muted" aria-busy="true">
        {t('flow.layingOut')}
      </p>
    );
  }

  return (
    <StageNamesContext.Provider value={names}>
      <ReactFlow<StageNodeType, ResultEdgeType>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={editable ? onNodesChange : undefined}
        onNodeClick={(_, node) => {
          setSelectedEdge(null);
          onSelectStage?.(node.id);
        }}
        onEdgeClick={(_, edge) => {
          if (!editable) return;
          setSelectedEdge(edge.id);
          onSelectStage?.(null);
        }}
        onPaneClick={() => {
          setSelectedEdge(null);
          if (selectedStage !== null) onSelectStage?.(null);
        }}
        onConnect={editable ? handleConnect : undefined}
        onDelete={editable ? handleDelete : undefined}
        nodesDraggable={editable}
        nodesConnectable={editable}
        elementsSelectable={editable || onSelectStage !== undefined}
        edgesFocusable={editable}
        deleteKeyCode={editable ? ['Delete', 'Backspace'] : null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        connectionRadius={30}
        fitViewOptions={FIT_OPTIONS}
        minZoom={0.05}
        maxZoom={2}
        onlyRenderVisibleElements={inViewOnly}
        zoomOnScroll={editable}
        preventScrolling={editable}
        onError={ignoreFlowWarning}
        ariaLabelConfig={ariaLabelConfig}
        // A large chart is drawn on a grid until its layout arrives.
        aria-busy={!auto.settled}
      >
        <Background gap={16} size={1} />
        <Controls showInteractive={false} />
        {minimapShown && (!fits || (editable && stages.length > 12)) && (
          <MiniMap pannable zoomable nodeColor={miniMapColor} className="flow-minimap" />
        )}
        <ViewportFollower
          stages={stages}
          selectedStage={selectedStage}
          shownPositions={shownPositions}
          settled={auto.settled}
          fits={fits}
          bounds={bounds}
          focusStage={currentStage}
        />
      </ReactFlow>
    </StageNamesContext.Provider>
  );
}

/**
 * React Flow reports data problems (an arrow to a missing stage …) through `onError`; the
 * validation panel already names them, so they are not repeated on the console.
 */
function ignoreFlowWarning(): void {}

function miniMapColor(node: Node): string {
  const data = node.data as Partial<StageNodeType['data']>;
  if (data.invalid) return '#c2412d';
  if (data.stage?.kind === 'start') return '#2e8b57';
  if (data.stage?.kind === 'end') return '#1f2430';
  return '#9aa5b8';
}

/**
 * Keeps the view useful as the definition changes: fits the whole chart after many stages moved at
 * once (auto-layout, undo of it), and brings a stage selected elsewhere (the list, the validation
 * panel) into view.
 */
function ViewportFollower({
  stages,
  selectedStage,
  shownPositions,
  settled,
  fits,
  bounds,
  focusStage,
}: {
  stages: readonly Stage[];
  selectedStage: string | null;
  /** Where each stage is drawn: its place, its laid-out place, or its place on the interim grid. */
  shownPositions: Record<string, Point>;
  /** Every stage has its final place (a large chart is first drawn on a grid, then laid out). */
  settled: boolean;
  /** The whole chart fits the pane at a readable zoom. */
  fits: boolean;
  bounds: { left: number; top: number; width: number; height: number };
  /** The stage to open on when the chart does not fit (the process card's current stage). */
  focusStage?: string | undefined;
}) {
  const flow = useReactFlow();
  const store = useStoreApi();
  const previous = useRef<Map<string, Point | undefined> | null>(null);
  const large = !fits;

  // A chart too large to read whole opens (and re-opens after an auto-layout) on its start stage.
  const showStart = useCallback(
    (duration: number) => {
      const focus = focusStage ? stages.find((s) => s.key === focusStage) : undefined;
      const start = focus ?? stages.find((s) => s.kind === 'start') ?? stages[0];
      const position = start && shownPositions[start.key];
      if (!position) return;
      const zoom = READABLE_ZOOM;
      const { width, height } = store.getState();
      // The current stage is shown in the middle, with the way into and out of it.
      const x = focus ? position.x + NODE_WIDTH / 2 : position.x + width / zoom / 2 - 60;
      // A chart as high as the pane is shown whole from top to bottom; a higher one, around its start.
      const y =
        bounds.height * zoom <= height - 16 ? bounds.top + bounds.height / 2 : position.y + NODE_HEIGHT / 2;
      void flow.setCenter(x, y, { zoom, duration });
    },
    [stages, shownPositions, flow, store, bounds, focusStage],
  );
  const measured = useStore((s) => s.width > 0 && s.height > 0);
  // The opening view: set once the pane is measured, and once more when a chart first drawn on a
  // grid has been laid out.
  const opened = useRef<'grid' | 'settled' | null>(null);
  useEffect(() => {
    // Stages have fixed sizes, so the opening view is computed from the chart's box, without
    // waiting for React Flow to measure them.
    const phase = settled ? 'settled' : 'grid';
    if (opened.current === phase || opened.current === 'settled' || !measured || bounds.width === 0) return;
    opened.current = phase;
    if (large) showStart(0);
    else {
      const { width, height } = store.getState();
      const zoom = Math.min(
        FIT_OPTIONS.maxZoom,
        width / (bounds.width * (1 + FIT_PADDING)),
        height / (bounds.height * (1 + FIT_PADDING)),
      );
      void flow.setCenter(bounds.left + bounds.width / 2, bounds.top + bounds.height / 2, {
        zoom: Math.max(zoom, READABLE_ZOOM),
      });
    }
  }, [large, measured, settled, showStart, flow, store, bounds]);

  useEffect(() => {
    const current = new Map(stages.map((s) => [s.key, s.position]));
    const before = previous.current;
    previous.current = current;
    if (!before) return;
    let moved = 0;
    for (const [key, p] of current) {
      const q = before.get(key);
      if (p && q && (p.x !== q.x || p.y !== q.y)) moved++;
    }
    if (moved < 2) return;
    if (large) showStart(300);
    else void flow.fitView({ ...FIT_OPTIONS, duration: 300 });
  }, [stages, flow, large, showStart]);

  const latest = useRef(shownPositions);
  latest.current = shownPositions;
  useEffect(() => {
    if (!selectedStage) return;
    const position = latest.current[selectedStage];
    if (!position) return;
    const { transform, width, height } = store.getState();
    const [tx, ty, zoom] = transform;
    const left = position.x * zoom + tx;
    const top = position.y * zoom + ty;
    const inView =
      left >= 0 && top >= 0 && left + NODE_WIDTH * zoom <= width && top + NODE_HEIGHT * zoom <= height;
    if (!inView) {
      void flow.setCenter(position.x + NODE_WIDTH / 2, position.y + NODE_HEIGHT / 2, {
        zoom: Math.max(zoom, READABLE_ZOOM),
        duration: 250,
      });
    }
  }, [selectedStage, flow, store]);

  return null;
}
