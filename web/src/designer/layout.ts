/**
 * Automatic layout of the flowchart with elkjs (layered, left to right). elkjs is large (1.6 MB) and
 * a large chart takes it a second or more, so it runs in a Web Worker, loaded on first use; the page
 * stays responsive and draws the chart at once, then moves the stages when the layout arrives.
 * Layout runs only on demand: for stages without saved positions, and from the "Auto-layout" button.
 */
import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { Stage, Transition } from '../api/types.ts';
import type { Point } from './commands.ts';

/** Every stage is drawn at this size, so layout and edges never wait for the DOM to be measured. */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 64;

type Engine = Pick<ELK, 'layout'> & {
  /** The worker failed to load or crashed: no layout will come from it. */
  readonly broken?: () => boolean;
};

let engine: Promise<Engine> | null = null;

/** ELK in a Web Worker of its own; rejects every layout once the worker fails to load or crashes. */
async function workerEngine(): Promise<Engine> {
  const { default: ElkApi } = await import('elkjs/lib/elk-api.js');
  let failed = false;
  let fail: (error: unknown) => void = () => {};
  const broken = new Promise<never>((_, reject) => {
    fail = (error) => {
      failed = true;
      reject(error);
    };
  });
  broken.catch(() => {}); // observed by each layout that races it
  const elk = new ElkApi({
    workerFactory: () => {
      const worker = new Worker(elkWorkerUrl, { name: 'layout' });
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        fail(new Error(`The layout worker failed: ${event.message || 'not loaded'}`));
      });
      return worker;
    },
  });
  return {
    layout: (graph, options) => Promise.race([elk.layout(graph, options), broken]),
    broken: () => failed,
  };
}

/** ELK on this thread: where there are no workers (tests), or when the worker cannot run. */
async function inlineEngine(): Promise<Engine> {
  const module = await import('elkjs/lib/elk.bundled.js');
  return new module.default();
}

/** Keeps `loading` as the engine unless it fails, so that a later attempt loads it again. */
function remember(loading: Promise<Engine>): Promise<Engine> {
  engine = loading.catch((error: unknown) => {
    engine = null;
    throw error;
  });
  return engine;
}

function loadElk(): Promise<Engine> {
  return engine ?? remember(typeof Worker === 'undefined' ? inlineEngine() : workerEngine());
}

/** Starts the layout engine (its worker loads and compiles it) ahead of the first layout. */
export function warmUpLayout(): void {
  loadElk().catch(() => {}); // a failure shows when a layout is asked for
}

/** Lays out `graph` in the worker; if the worker cannot run, on this thread, as a last resort. */
async function runLayout(graph: ElkNode): Promise<ElkNode> {
  const elk = await loadElk();
  try {
    return await elk.layout(graph);
  } catch (error) {
    if (!elk.broken?.()) throw error; // ELK's own answer about this graph
    return (await remember(inlineEngine())).layout(graph);
  }
}

/**
 * The layouts asked for lately, by their input: the editor and its flowchart ask for the same one
 * when a definition opens, and an unchanged chart is never laid out twice.
 */
const recent = new Map<string, Promise<ElkNode>>();
const RECENT_LIMIT = 8;

function cachedLayout(graph: ElkNode): Promise<ElkNode> {
  const key = JSON.stringify(graph);
  const known = recent.get(key);
  if (known) return known;
  // Callers only read the answer, so one answer serves them all.
  const result = runLayout(graph);
  recent.set(key, result);
  result.catch(() => recent.delete(key));
  if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  return result;
}

/** Above this many stages the quicker node placement keeps layout well under a second. */
const LARGE_GRAPH = 80;

function layoutOptions(size: number): Record<string, string> {
  const options: Record<string, string> = {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.spacing.nodeNode': '44',
    'elk.layered.spacing.nodeNodeBetweenLayers': '56',
    'elk.spacing.edgeNode': '24',
    'elk.spacing.edgeEdge': '14',
    'elk.spacing.edgeLabel': '4',
    'elk.spacing.labelNode': '8',
    'elk.layered.spacing.edgeNodeBetweenLayers': '24',
    'elk.layered.spacing.edgeEdgeBetweenLayers': '14',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.edgeLabels.sideSelection': 'ALWAYS_UP',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.separateConnectedComponents': 'true',
  };
  if (size > LARGE_GRAPH) {
    options['elk.layered.nodePlacement.strategy'] = 'BRANDES_KOEPF';
    options['elk.layered.thoroughness'] = '2';
  }
  return options;
}

/** The text an arrow's label shows: its result, shortened. Layout and drawing use the same text. */
export function edgeLabelText(result: string): string {
  const label = result.trim() === '' ? '?' : result;
  return label.length > 28 ? `${label.slice(0, 27)}…` : label;
}

/** The font of an arrow's label (designer.css `.react-flow__edge-text`), in flowchart units. */
export const LABEL_FONT_SIZE = 12;
const LABEL_FONT = `${LABEL_FONT_SIZE}px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif`;
/** The height of a label's line of text (its SVG box at LABEL_FONT_SIZE). */
export const LABEL_LINE_HEIGHT = 15;
/** The label's background reaches this far around its text (ResultEdge's `EdgeLabel`). */
export const LABEL_PAD_X = 4;
export const LABEL_PAD_Y = 2;

let measureContext: CanvasRenderingContext2D | null | undefined;
const measured = new Map<string, number>();

/**
 * The width of a label's text (bold, as a taken arrow draws it): measured with the real font in a
 * browser, estimated elsewhere. Results are remembered: labels repeat ("Next", "Done").
 */
export function labelTextWidth(text: string): number {
  const known = measured.get(text);
  if (known !== undefined) return known;
  const width = textWidth(text);
  if (measured.size > 2000) measured.clear();
  measured.set(text, width);
  return width;
}

function textWidth(text: string): number {
  if (measureContext === undefined) {
    measureContext =
      typeof document === 'undefined' ? null : (document.createElement('canvas').getContext('2d') ?? null);
    if (measureContext) measureContext.font = `700 ${LABEL_FONT}`;
  }
  // Measured bold: a taken arrow's label is drawn bold and must still fit its box.
  if (measureContext) return Math.ceil(measureContext.measureText(text).width);
  return Math.ceil(text.length * LABEL_FONT_SIZE * 0.62);
}

/** The box ELK keeps free for a label: its text, the background padding and a little air. */
export function labelBox(text: string): { width: number; height: number } {
  return {
    width: labelTextWidth(text) + 2 * LABEL_PAD_X + 6,
    height: LABEL_LINE_HEIGHT + 2 * LABEL_PAD_Y + 5,
  };
}

export interface EdgeRoute {
  /** The line from the source stage's right side to the target stage's left side, with its bends. */
  readonly points: readonly Point[];
  /** The centre of the label's box. */
  readonly label: Point;
  readonly labelWidth: number;
  readonly labelHeight: number;
}

export interface ChartLayout {
  /** The stages' top-left corners, rounded. */
  readonly positions: Record<string, Point>;
  /** The route of each transition by its index in the definition (none for a dangling one). */
  readonly routes: Record<number, EdgeRoute>;
}

interface ElkPoint {
  x: number;
  y: number;
}

/**
 * Lays out every stage with ELK's layered algorithm and routes every transition around the stages,
 * with its label placed on its own line (ELK edge labels), so a label never sits on another arrow or
 * behind a stage. Each stage has one way in (the middle of its left side) and one way out (the
 * middle of its right side), as the flowchart draws them.
 */
export async function layoutChart(
  stages: readonly Stage[],
  transitions: readonly Transition[],
): Promise<ChartLayout> {
  if (stages.length === 0) return { positions: {}, routes: {} };
  const keys = new Set(stages.map((s) => s.key));
  const input: ElkNode = {
    id: 'root',
    layoutOptions: layoutOptions(stages.length),
    children: [...keys].map((id) => ({
      id,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
      ports: [
        {
          id: `${id}\u0000in`,
          x: 0,
          y: NODE_HEIGHT / 2,
          width: 0,
          height: 0,
          layoutOptions: { 'elk.port.side': 'WEST' },
        },
        {
          id: `${id}\u0000out`,
          x: NODE_WIDTH,
          y: NODE_HEIGHT / 2,
          width: 0,
          height: 0,
          layoutOptions: { 'elk.port.side': 'EAST' },
        },
      ],
    })),
    edges: transitions.flatMap((t, i) =>
      keys.has(t.from) && keys.has(t.to)
        ? [
            {
              id: `t${i}`,
              sources: [`${t.from}\u0000out`],
              targets: [`${t.to}\u0000in`],
              labels: [
                {
                  id: `l${i}`,
                  text: edgeLabelText(t.result),
                  ...labelBox(edgeLabelText(t.result)),
                  layoutOptions: { 'elk.edgeLabels.placement': 'CENTER' },
                },
              ],
            },
          ]
        : [],
    ),
  };
  const graph: ElkNode = await cachedLayout(input);
  const positions: Record<string, Point> = {};
  const offsets: Record<string, Point> = {};
  for (const child of graph.children ?? []) {
    const p = { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) };
    positions[child.id] = p;
    // Stages are placed rounded; their lines move with them so they still meet the stage exactly.
    offsets[child.id] = { x: p.x - (child.x ?? 0), y: p.y - (child.y ?? 0) };
  }
  const routes: Record<number, EdgeRoute> = {};
  for (const edge of (graph.edges ?? []) as ElkExtendedEdge[]) {
    const index = Number(edge.id.slice(1));
    const section = edge.sections?.[0];
    const label = edge.labels?.[0];
    const t = transitions[index];
    if (!section || !label || !t) continue;
    const from = offsets[t.from] ?? { x: 0, y: 0 };
    const to = offsets[t.to] ?? { x: 0, y: 0 };
    const raw: ElkPoint[] = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
    const points = raw.map((p, k) => {
      const shift = k === raw.length - 1 ? to : from;
      return { x: Math.round((p.x + shift.x) * 10) / 10, y: Math.round((p.y + shift.y) * 10) / 10 };
    });
    // The first and last point sit exactly on the rounded stage's side, level with its handle.
    const first = positions[t.from];
    const last = positions[t.to];
    if (first && points[0]) points[0] = { x: first.x + NODE_WIDTH, y: first.y + NODE_HEIGHT / 2 };
    if (last && points.length > 1) points[points.length - 1] = { x: last.x, y: last.y + NODE_HEIGHT / 2 };
    const width = label.width ?? 0;
    const height = label.height ?? 0;
    routes[index] = {
      points,
      label: { x: (label.x ?? 0) + width / 2, y: (label.y ?? 0) + height / 2 },
      labelWidth: width,
      labelHeight: height,
    };
  }
  return { positions, routes };
}

/** Lays out every stage; the positions are the stages' top-left corners, rounded. */
export async function layoutStages(
  stages: readonly Stage[],
  transitions: readonly Transition[],
): Promise<Record<string, Point>> {
  return (await layoutChart(stages, transitions)).positions;
}

/**
 * Positions for the stages that have none. When no stage has one, the whole chart is laid out;
 * otherwise the laid-out newcomers are put below the stages already placed, so nothing overlaps.
 */
export async function positionsForMissing(
  stages: readonly Stage[],
  transitions: readonly Transition[],
): Promise<Record<string, Point>> {
  if (stages.every((s) => s.position)) return {};
  return placeMissing(stages, await layoutStages(stages, transitions));
}

/** The part of `positionsForMissing` after layout: `laidOut` are the positions of the whole chart. */
export function placeMissing(
  stages: readonly Stage[],
  laidOut: Readonly<Record<string, Point>>,
): Record<string, Point> {
  const missing = stages.filter((s) => !s.position);
  if (missing.length === 0) return {};
  const placed = stages.flatMap((s) => (s.position ? [s.position] : []));
  if (placed.length === 0) return { ...laidOut };
  const bottom = Math.max(...placed.map((p) => p.y)) + NODE_HEIGHT + 80;
  const left = Math.min(...placed.map((p) => p.x));
  const fresh = missing.flatMap((s) => {
    const p = laidOut[s.key];
    return p ? [[s.key, p] as const] : [];
  });
  const top = Math.min(...fresh.map(([, p]) => p.y));
  const minX = Math.min(...fresh.map(([, p]) => p.x));
  return Object.fromEntries(fresh.map(([key, p]) => [key, { x: p.x - minX + left, y: p.y - top + bottom }]));
}

/**
 * Where to put a new stage: right of the selected one (below it if that spot is taken), else under
 * everything, so it never lands on another stage.
 */
export function freeSpotFor(stages: readonly Stage[], near: string | null): Point {
  const placed = stages.flatMap((s) => (s.position ? [s.position] : []));
  if (placed.length === 0) return { x: 0, y: stages.length * (NODE_HEIGHT + 60) };
  const overlaps = (p: Point) =>
    placed.some((q) => Math.abs(q.x - p.x) < NODE_WIDTH + 20 && Math.abs(q.y - p.y) < NODE_HEIGHT + 20);
  const anchor = stages.find((s) => s.key === near)?.position;
  if (anchor) {
    const spot = { x: anchor.x + NODE_WIDTH + 90, y: anchor.y };
    while (overlaps(spot)) spot.y += NODE_HEIGHT + 36;
    return spot;
  }
  return {
    x: Math.min(...placed.map((p) => p.x)),
    y: Math.max(...placed.map((p) => p.y)) + NODE_HEIGHT + 60,
  };
}
