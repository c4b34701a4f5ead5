/**
 * The bottleneck overlay of the flowchart, as pure functions: a stage's colour from its median time
 * in stage, an arrow's width from how many processes took it, and durations in words.
 */
import type { StageAnalyticsAnswer, Transition } from '../api/types.ts';

export type StageAnalytics = StageAnalyticsAnswer['stages'][number];
export type ResultAnalytics = StageAnalytics['results'][number];

/**
 * The colour scale, light to dark: yellow through orange to dark red (ColorBrewer YlOrRd). Its
 * lightness falls all the way, so it reads in grey and to colour-blind eyes too; the numbers are
 * written on the stages as well.
 */
export const HEAT_STOPS = ['#ffffcc', '#fed976', '#fd8d3c', '#e31a1c', '#800026'] as const;

/** The shortest and the longest median among the stages that have one. */
export interface HeatScale {
  readonly min: number;
  readonly max: number;
}

/** The scale over the stages' medians; null when no stage has a median yet. */
export function heatScale(medians: readonly (number | null | undefined)[]): HeatScale | null {
  const known = medians.filter((m): m is number => typeof m === 'number' && Number.isFinite(m) && m >= 0);
  if (known.length === 0) return null;
  return { min: Math.min(...known), max: Math.max(...known) };
}

/**
 * Where a median falls on the scale, 0 (the shortest) to 1 (the longest). Logarithmic, since
 * stages take anything from minutes to weeks; a scale of one value puts it at 1 alone when it is
 * above zero.
 */
export function heatLevel(ms: number, scale: HeatScale): number {
  const lo = Math.log1p(scale.min / 60_000);
  const hi = Math.log1p(scale.max / 60_000);
  if (hi - lo < 1e-9) return ms > 0 ? 1 : 0;
  const level = (Math.log1p(Math.max(0, ms) / 60_000) - lo) / (hi - lo);
  return Math.min(1, Math.max(0, level));
}

const rgb = (hex: string) =>
  [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
const hex = (c: readonly number[]) =>
  `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/** The colour of a level (0 … 1) on the scale, interpolated between its stops. */
export function heatColor(level: number): string {
  const t = Math.min(1, Math.max(0, Number.isFinite(level) ? level : 0)) * (HEAT_STOPS.length - 1);
  const i = Math.min(HEAT_STOPS.length - 2, Math.floor(t));
  const a = rgb(HEAT_STOPS[i] as string);
  const b = rgb(HEAT_STOPS[i + 1] as string);
  return hex(a.map((v, k) => v + ((b[k] ?? v) - v) * (t - i)));
}

/** Relative luminance (WCAG) of a `#rrggbb` colour. */
export function luminance(color: string): number {
  const [r, g, b] = rgb(color).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Dark text on a light fill, white on a dark one: whichever contrasts more. */
export function textOn(fill: string): '#1f2430' | '#ffffff' {
  const l = luminance(fill);
  const onWhite = 1.05 / (l + 0.05);
  const onDark = (l + 0.05) / (luminance('#1f2430') + 0.05);
  return onWhite > onDark ? '#ffffff' : '#1f2430';
}

/** The thinnest and the thickest arrow of the overlay, in pixels. */
export const EDGE_MIN_WIDTH = 1.5;
export const EDGE_MAX_WIDTH = 9;

/**
 * An arrow's stroke width for `count` processes when the busiest arrow carried `max`: by area
 * (the square root), so a few processes still show; an arrow nobody took is the thinnest.
 */
export function edgeWidth(count: number, max: number): number {
  if (!(max > 0) || !(count > 0)) return EDGE_MIN_WIDTH;
  const share = Math.min(1, count / max);
  return Math.round((EDGE_MIN_WIDTH + (EDGE_MAX_WIDTH - EDGE_MIN_WIDTH) * Math.sqrt(share)) * 10) / 10;
}

/**
 * The arrowhead of an arrow `load` wide: sized in the chart's own units rather than in stroke widths,
 * so a wide arrow keeps a head in proportion. Nothing without a load.
 */
export function heatMarkerSize(load: { width: number } | undefined) {
  if (!load) return {};
  const size = Math.round(14 + load.width * 2);
  return { width: size, height: size, markerUnits: 'userSpaceOnUse' };
}

/**
 * The analytics of a transition: its stage's result entry with the same result and target; the
 * result alone when the target differs (a stage renamed between versions).
 */
export function resultOf(
  stage: StageAnalytics | undefined,
  transition: Pick<Transition, 'result' | 'to'>,
): ResultAnalytics | undefined {
  if (!stage) return undefined;
  return (
    stage.results.find((r) => r.result === transition.result && r.to === transition.to) ??
    stage.results.find((r) => r.result === transition.result)
  );
}

/** What the overlay draws on one stage. */
export interface StageHeat {
  readonly stats: StageAnalytics | undefined;
  /** The fill, or null when the stage has no median to colour by. */
  readonly fill: string | null;
  readonly text: string;
}

/** What the overlay draws on one arrow. */
export interface EdgeHeat {
  readonly count: number;
  readonly share: number;
  readonly width: number;
}

/** The whole overlay: per stage key, per transition index, and the scales the legend shows. */
export interface FlowHeat {
  readonly stages: Readonly<Record<string, StageHeat>>;
  readonly edges: readonly EdgeHeat[];
  readonly scale: HeatScale | null;
  readonly maxCount: number;
}

/** The overlay of `analytics` on a chart of `stageKeys` and `transitions`. */
export function flowHeat(
  analytics: StageAnalyticsAnswer,
  stageKeys: readonly string[],
  transitions: readonly Pick<Transition, 'from' | 'to' | 'result'>[],
): FlowHeat {
  const byKey = new Map(analytics.stages.map((s) => [s.key, s]));
  const scale = heatScale(stageKeys.map((k) => byKey.get(k)?.medianMs));
  const stages: Record<string, StageHeat> = {};
  for (const key of stageKeys) {
    const stats = byKey.get(key);
    const median = stats?.medianMs;
    const fill = scale && typeof median === 'number' ? heatColor(heatLevel(median, scale)) : null;
    stages[key] = { stats, fill, text: fill ? textOn(fill) : '#1f2430' };
  }
  const found = transitions.map((t) => resultOf(byKey.get(t.from), t));
  const maxCount = Math.max(0, ...found.map((r) => r?.count ?? 0));
  const edges = found.map((r) => ({
    count: r?.count ?? 0,
    share: r?.share ?? 0,
    width: edgeWidth(r?.count ?? 0, maxCount),
  }));
  return { stages, edges, scale, maxCount };
}

/** How a duration's parts are written: "d", "h", "min", "s" (or their Russian). */
export type DurationUnits = Readonly<Record<'d' | 'h' | 'min' | 's', string>>;

/**
 * A duration in at most its two largest parts, rounded: "2 d 4 h", "3 h 5 min", "45 s"; "0 s" for
 * nothing at all.
 */
export function humanDuration(ms: number, units: DurationUnits): string {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total} ${units.s}`;
  const minutes = Math.round(total / 60);
  const parts: [number, string][] = [
    [Math.floor(minutes / 1440), units.d],
    [Math.floor((minutes % 1440) / 60), units.h],
    [minutes % 60, units.min],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}
