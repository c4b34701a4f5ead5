/**
 * What the flowchart draws, computed from the definition: edge geometry and which transitions run
 * in parallel. Pure, so it is tested without a browser.
 */
import type { Transition } from '../api/types.ts';
import { NODE_HEIGHT } from './layout.ts';

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

/** A cubic Bézier path with its label at the curve's point `at` (0 = source, 1 = target). */
function cubic(
  sx: number,
  sy: number,
  c1x: number,
  c1y: number,
  c2x: number,
  c2y: number,
  tx: number,
  ty: number,
  at = 0.5,
) {
  const u = 1 - at;
  const point = (a: number, b: number, c: number, d: number) =>
    u * u * u * a + 3 * u * u * at * b + 3 * u * at * at * c + at * at * at * d;
  return {
    path: `M ${sx},${sy} C ${c1x},${c1y} ${c2x},${c2y} ${tx},${ty}`,
    labelX: point(sx, c1x, c2x, tx),
    labelY: point(sy, c1y, c2y, ty),
  };
}

/**
 * A transition leaves its stage on the right and enters the next on the left. Forward lines are
 * gentle curves; a line going back (or to its own stage) swings around, above or below, so it does
 * not cut through the stages between.
 */
export function edgeGeometry(
  source: { x: number; y: number },
  target: { x: number; y: number },
  { slot, count }: EdgeSlot,
  selfLoop: boolean,
): EdgeGeometry {
  const spread = (slot - (count - 1) / 2) * 30;
  const { x: sx, y: sy } = source;
  const { x: tx, y: ty } = target;
  if (!selfLoop && tx - sx >= 40) {
    const dx = Math.max(40, (tx - sx) / 2);
    return cubic(sx, sy, sx + dx, sy + spread * 1.6, tx - dx, ty + spread * 1.6, tx, ty);
  }
  const reach = 80 + slot * 24;
  if (!selfLoop && Math.abs(ty - sy) > NODE_HEIGHT) {
    // Back to a stage on another row: an S-curve that leaves rightwards and arrives from the left.
    // Its middle is where such curves cross, so the label sits nearer the stage it leaves.
    return cubic(sx, sy, sx + reach, sy + spread, tx - reach, ty + spread, tx, ty, 0.3);
  }
  // Back along the same row, or to itself: swing below the row (above it for a loop).
  const up = selfLoop;
  const bulge = (NODE_HEIGHT / 2 + 46 + slot * 26) * (up ? -1 : 1);
  const baseY = up ? Math.min(sy, ty) : Math.max(sy, ty);
  return cubic(sx, sy, sx + reach, baseY + bulge * 1.3, tx - reach, baseY + bulge * 1.3, tx, ty);
}
