/**
 * Automatic layout of the flowchart with elkjs (layered, left to right). elkjs is large (1.9 MB), so
 * it is loaded on first use, and layout runs only on demand: on opening a definition whose stages
 * have no saved positions, and from the "Auto-layout" button.
 */
import type { ELK } from 'elkjs/lib/elk-api.js';
import type { Stage, Transition } from '../api/types.ts';
import type { Point } from './commands.ts';

/** Every stage is drawn at this size, so layout and edges never wait for the DOM to be measured. */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 64;

let engine: Promise<ELK> | null = null;

function loadElk(): Promise<ELK> {
  engine ??= import('elkjs/lib/elk.bundled.js').then(
    (module) => new module.default(),
    (error: unknown) => {
      engine = null; // let a later attempt load it again
      throw error;
    },
  );
  return engine;
}

/** Above this many stages the quicker node placement keeps layout well under a second. */
const LARGE_GRAPH = 80;

function layoutOptions(size: number): Record<string, string> {
  const options: Record<string, string> = {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.spacing.nodeNode': '44',
    'elk.layered.spacing.nodeNodeBetweenLayers': '120',
    'elk.spacing.edgeNode': '24',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.separateConnectedComponents': 'true',
  };
  if (size > LARGE_GRAPH) {
    options['elk.layered.nodePlacement.strategy'] = 'BRANDES_KOEPF';
    options['elk.layered.thoroughness'] = '2';
  }
  return options;
}

/** Lays out every stage; the positions are the stages' top-left corners, rounded. */
export async function layoutStages(
  stages: readonly Stage[],
  transitions: readonly Transition[],
): Promise<Record<string, Point>> {
  if (stages.length === 0) return {};
  const keys = new Set(stages.map((s) => s.key));
  const elk = await loadElk();
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: layoutOptions(stages.length),
    children: [...keys].map((id) => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: transitions.flatMap((t, i) =>
      keys.has(t.from) && keys.has(t.to) ? [{ id: `t${i}`, sources: [t.from], targets: [t.to] }] : [],
    ),
  });
  const positions: Record<string, Point> = {};
  for (const child of graph.children ?? []) {
    positions[child.id] = { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) };
  }
  return positions;
}

/**
 * Positions for the stages that have none. When no stage has one, the whole chart is laid out;
 * otherwise the laid-out newcomers are put below the stages already placed, so nothing overlaps.
 */
export async function positionsForMissing(
  stages: readonly Stage[],
  transitions: readonly Transition[],
): Promise<Record<string, Point>> {
  const missing = stages.filter((s) => !s.position);
  if (missing.length === 0) return {};
  const laidOut = await layoutStages(stages, transitions);
  const placed = stages.flatMap((s) => (s.position ? [s.position] : []));
  if (placed.length === 0) return laidOut;
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
