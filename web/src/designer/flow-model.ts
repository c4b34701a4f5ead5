/**
 * What the flowchart draws, computed from the definition: edge geometry and which transitions run
 * in parallel. Pure, so it is tested without a browser.
 */
import type { Stage, Transition } from '../api/types.ts';
import type { Point } from './commands.ts';
import { type ChartLayout, NODE_HEIGHT, NODE_WIDTH } from './layout.ts';
import { sameBut } from './placement.ts';

/** The key of a taken transition as the process card passes it: "from->to". */
export function transitionKey(t: Pick<Transition, 'from' | 'to'>): string {
  return `${t.from}->${t.to}`;
}

export interface EdgeSlot {
  /** This transition's place among those joining the same two stages the same way (0-based). */
  readonly slot: number;
  readonly count: number;
}

/** Spreads transitions that join the same pair of stages so their lines and labels do not overlap. */
export function edgeSlots(transitions: readonly Transition[]): EdgeSlot[] {
  const counts = new Map<string, number>();
  for (const t of transitions) counts.set(transitionKey(t), (counts.get(transitionKey(t)) ?? 0) + 1);
  const seen = new Map<string, number>();
  return transitions.map((t) => {
    const key = transitionKey(t);
    const slot = seen.get(key) ?? 0;
    seen.set(key, slot + 1);
    return { slot, count: counts.get(key) ?? 1 };
  });
}

export interface EdgeGeometry {
  readonly path: string;
  readonly labelX: number;
  readonly labelY: number;
}

/** A cubic Bézier path with its label at the curve's middle. */
function cubic(
  sx: number,
  sy: number,
  c1x: number,
  c1y: number,
  c2x: number,
  c2y: number,
  tx: number,
  ty: number,
) {
  const at = 0.5;
  const u = 1 - at;
  const point = (a: number, b: number, c: number, d: number) =>
    u * u * u * a + 3 * u * u * at * b + 3 * u * at * at * c + at * at * at * d;
  return {
    path: `M ${sx},${sy} C ${c1x},${c1y} ${c2x},${c2y} ${tx},${ty}`,
    labelX: point(sx, c1x, c2x, tx),
    labelY: point(sy, c1y, c2y, ty),
  };
}

/** A path through `points` with rounded corners of radius `r`. */
export function roundedPath(points: readonly { x: number; y: number }[], r: number): string {
  const first = points[0];
  if (!first) return '';
  let d = `M ${first.x},${first.y}`;
  for (let i = 1; i < points.length; i++) {
    const p = points[i] as { x: number; y: number };
    const prev = points[i - 1] as { x: number; y: number };
    const next = points[i + 1];
    if (!next) {
      d += ` L ${p.x},${p.y}`;
      break;
    }
    const inLen = Math.hypot(p.x - prev.x, p.y - prev.y);
    const outLen = Math.hypot(next.x - p.x, next.y - p.y);
    const k = Math.min(r, inLen / 2, outLen / 2);
    const a =
      inLen === 0 ? p : { x: p.x - ((p.x - prev.x) / inLen) * k, y: p.y - ((p.y - prev.y) / inLen) * k };
    const b =
      outLen === 0 ? p : { x: p.x + ((next.x - p.x) / outLen) * k, y: p.y + ((next.y - p.y) / outLen) * k };
    d += ` L ${a.x},${a.y} Q ${p.x},${p.y} ${b.x},${b.y}`;
  }
  return d;
}

/**
 * A transition leaves its stage on the right and enters the next on the left. Forward lines are
 * gentle curves. A line going back (or to its own stage) runs around instead: out to the right, along
 * a corridor between the rows (below the row when both stages share it, above the stage for a
 * loop), and in from the left, so it never cuts through stages; its label sits on the corridor.
 */
export function edgeGeometry(
  source: { x: number; y: number },
  target: { x: number; y: number },
  { slot, count }: EdgeSlot,
  selfLoop: boolean,
  /** Staggers corridors of unrelated lines that would otherwise share one (the rule's index). */
  lane = 0,
): EdgeGeometry {
  const spread = (slot - (count - 1) / 2) * 30;
  const { x: sx, y: sy } = source;
  const { x: tx, y: ty } = target;
  if (!selfLoop && tx - sx >= 40) {
    const dx = Math.max(40, (tx - sx) / 2);
    return cubic(sx, sy, sx + dx, sy + spread * 1.6, tx - dx, ty + spread * 1.6, tx, ty);
  }
  const out = 22 + slot * 10;
  let corridor: number;
  if (selfLoop) corridor = sy - NODE_HEIGHT / 2 - 22 - slot * 16;
  else if (Math.abs(ty - sy) > NODE_HEIGHT) corridor = (sy + ty) / 2 + spread * 0.6 + ((lane % 3) - 1) * 10;
  else corridor = Math.max(sy, ty) + NODE_HEIGHT / 2 + 22 + slot * 16;
  const path = roundedPath(
    [
      { x: sx, y: sy },
      { x: sx + out, y: sy },
      { x: sx + out, y: corridor },
      { x: tx - out, y: corridor },
      { x: tx - out, y: ty },
      { x: tx, y: ty },
    ],
    10,
  );
  // The label sits on the corridor, nearer the stage the rule leaves (corridors may cross mid-way).
  return { path, labelX: tx + (sx - tx) * 0.65, labelY: corridor };
}

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The box a straight, axis-parallel piece of a line covers (a little thinner than the line's ends). */
function segmentBox(a: Point, b: Point): Box {
  return {
    x: Math.min(a.x, b.x) + 0.5,
    y: Math.min(a.y, b.y) + 0.5,
    width: Math.max(Math.abs(a.x - b.x) - 1, 0.01),
    height: Math.max(Math.abs(a.y - b.y) - 1, 0.01),
  };
}

/**
 * Which transitions (by index) can be drawn along the routes ELK computed: those whose two stages
 * still stand where the layout put them and whose line and label no moved stage now covers. The
 * others fall back to `edgeGeometry`, so a dragged stage never leaves a stale line behind.
 */
export function routedTransitions(
  layout: ChartLayout,
  transitions: readonly Transition[],
  positions: Readonly<Record<string, Point>>,
): Set<number> {
  const moved: Box[] = [];
  const movedKeys = new Set<string>();
  for (const [key, p] of Object.entries(positions)) {
    const q = layout.positions[key];
    if (!q || q.x !== p.x || q.y !== p.y) {
      movedKeys.add(key);
      moved.push({ x: p.x, y: p.y, width: NODE_WIDTH, height: NODE_HEIGHT });
    }
  }
  const usable = new Set<number>();
  transitions.forEach((t, index) => {
    const route = layout.routes[index];
    if (!route || movedKeys.has(t.from) || movedKeys.has(t.to)) return;
    if (!(t.from in positions) || !(t.to in positions)) return;
    const label: Box = {
      x: route.label.x - route.labelWidth / 2,
      y: route.label.y - route.labelHeight / 2,
      width: route.labelWidth,
      height: route.labelHeight,
    };
    const covered = moved.some(
      (box) =>
        overlaps(box, label) ||
        route.points.some((p, k) => k > 0 && overlaps(box, segmentBox(route.points[k - 1] as Point, p))),
    );
    if (!covered) usable.add(index);
  });
  return usable;
}

/** Whether two lists hold the same stages, in the same order, differing in their names at most. */
export function onlyNamesDiffer(a: readonly Stage[], b: readonly Stage[]): boolean {
  if (a === b) return true;
  return a.length === b.length && a.every((stage, i) => sameBut(stage, b[i] as Stage, 'name'));
}
