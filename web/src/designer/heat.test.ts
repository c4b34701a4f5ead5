import { describe, expect, it } from 'vitest';
import heatEn from '../i18n/locales/en/heat.json';
import heatRu from '../i18n/locales/ru/heat.json';
import {
  EDGE_MAX_WIDTH,
  EDGE_MIN_WIDTH,
  edgeWidth,
  flowHeat,
  HEAT_STOPS,
  heatColor,
  heatLevel,
  heatScale,
  humanDuration,
  luminance,
  resultOf,
  textOn,
} from './heat.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const stage = (
  key: string,
  medianMs: number | null,
  results: { result: string; to: string; count: number }[],
) => ({
  key,
  name: key,
  entered: 10,
  completed: 8,
  now: 2,
  medianMs,
  p90Ms: medianMs,
  workingMedianMs: null,
  workingP90Ms: null,
  results: results.map((r) => ({ ...r, share: r.count / 10 })),
});

describe('the heat colour scale', () => {
  it('runs from the lightest stop to the darkest, getting darker all the way', () => {
    expect(heatColor(0)).toBe(HEAT_STOPS[0]);
    expect(heatColor(1)).toBe(HEAT_STOPS[HEAT_STOPS.length - 1]);
    const levels = Array.from({ length: 21 }, (_, i) => luminance(heatColor(i / 20)));
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeLessThan(levels[i - 1] as number);
  });

  it('clamps levels outside 0…1 and treats NaN as the lightest', () => {
    expect(heatColor(-3)).toBe(HEAT_STOPS[0]);
    expect(heatColor(7)).toBe(HEAT_STOPS[4]);
    expect(heatColor(Number.NaN)).toBe(HEAT_STOPS[0]);
  });

  it('places medians on a logarithmic scale between the shortest and the longest', () => {
    const scale = heatScale([HOUR, null, 10 * DAY, undefined, DAY]);
    expect(scale).toEqual({ min: HOUR, max: 10 * DAY });
    if (!scale) return;
    expect(heatLevel(HOUR, scale)).toBe(0);
    expect(heatLevel(10 * DAY, scale)).toBe(1);
    const day = heatLevel(DAY, scale);
    // A day is much nearer ten days than an hour on a log scale, unlike a linear one (0.1).
    expect(day).toBeGreaterThan(0.5);
    expect(day).toBeLessThan(1);
    expect(heatScale([null, undefined])).toBeNull();
    expect(heatLevel(5 * MIN, { min: 5 * MIN, max: 5 * MIN })).toBe(1);
    expect(heatLevel(0, { min: 0, max: 0 })).toBe(0);
  });

  it('writes dark text on light fills and white on dark ones', () => {
    expect(textOn(HEAT_STOPS[0])).toBe('#1f2430');
    expect(textOn(HEAT_STOPS[4])).toBe('#ffffff');
  });
});

describe('arrow widths', () => {
  it('grow with the count, from the thinnest to the thickest, by its square root', () => {
    expect(edgeWidth(0, 40)).toBe(EDGE_MIN_WIDTH);
    expect(edgeWidth(40, 40)).toBe(EDGE_MAX_WIDTH);
    expect(edgeWidth(10, 40)).toBeCloseTo(EDGE_MIN_WIDTH + (EDGE_MAX_WIDTH - EDGE_MIN_WIDTH) / 2, 1);
    expect(edgeWidth(5, 0)).toBe(EDGE_MIN_WIDTH);
    expect(edgeWidth(1, 40)).toBeGreaterThan(EDGE_MIN_WIDTH);
    expect(edgeWidth(20, 40)).toBeGreaterThan(edgeWidth(10, 40));
  });

  it('match a transition to its result by result and target, then by result alone', () => {
    const s = stage('call', HOUR, [
      { result: 'Reached', to: 'analyse', count: 6 },
      { result: 'Reached', to: 'rest', count: 1 },
      { result: 'Not reached', to: 'old-rest', count: 3 },
    ]);
    expect(resultOf(s, { result: 'Reached', to: 'rest' })?.count).toBe(1);
    expect(resultOf(s, { result: 'Not reached', to: 'rest' })?.count).toBe(3);
    expect(resultOf(s, { result: 'Gone', to: 'rest' })).toBeUndefined();
    expect(resultOf(undefined, { result: 'Reached', to: 'rest' })).toBeUndefined();
  });
});

describe('the overlay of a chart', () => {
  const analytics = {
    definition: { id: 'd1' },
    launched: 10,
    completed: 5,
    cancelled: 1,
    leadTimeMedianMs: DAY,
    stages: [
      stage('call', HOUR, [
        { result: 'Reached', to: 'analyse', count: 8 },
        { result: 'Not reached', to: 'lost', count: 2 },
      ]),
      stage('analyse', 3 * DAY, [{ result: 'Done', to: 'lost', count: 4 }]),
      stage('lost', null, []),
    ],
  };

  it('colours stages by median, leaves the untimed ones without a fill, and sizes every arrow', () => {
    const heat = flowHeat(
      analytics,
      ['call', 'analyse', 'lost', 'new'],
      [
        { from: 'call', to: 'analyse', result: 'Reached' },
        { from: 'call', to: 'lost', result: 'Not reached' },
        { from: 'analyse', to: 'lost', result: 'Done' },
        { from: 'new', to: 'lost', result: 'Done' },
      ],
    );
    expect(heat.stages.call?.fill).toBe(HEAT_STOPS[0]);
    expect(heat.stages.analyse?.fill).toBe(HEAT_STOPS[4]);
    expect(heat.stages.analyse?.text).toBe('#ffffff');
    expect(heat.stages.lost?.fill).toBeNull();
    expect(heat.stages.new).toEqual({ stats: undefined, fill: null, text: '#1f2430' });
    expect(heat.maxCount).toBe(8);
    expect(heat.edges.map((e) => e.count)).toEqual([8, 2, 4, 0]);
    expect(heat.edges[0]?.width).toBe(EDGE_MAX_WIDTH);
    expect(heat.edges[3]?.width).toBe(EDGE_MIN_WIDTH);
    const widths = heat.edges.map((e) => e.width);
    expect(widths[0]).toBeGreaterThan(widths[2] as number);
    expect(widths[2]).toBeGreaterThan(widths[1] as number);
  });
});

describe('durations in words', () => {
  const en = heatEn.unit;
  const ru = heatRu.unit;
  it('keeps the two largest parts', () => {
    expect(humanDuration(2 * DAY + 4 * HOUR + 20 * MIN, en)).toBe('2 d 4 h');
    expect(humanDuration(3 * HOUR + 5 * MIN, en)).toBe('3 h 5 min');
    expect(humanDuration(2 * DAY + 20 * MIN, en)).toBe('2 d');
    expect(humanDuration(45_000, en)).toBe('45 s');
    expect(humanDuration(0, en)).toBe('0 s');
    expect(humanDuration(90 * MIN, ru)).toBe('1 ч 30 мин');
    expect(humanDuration(2 * DAY + 4 * HOUR, ru)).toBe('2 дн 4 ч');
  });
});

describe('overlay texts', () => {
  it('have all three Russian plural forms for every counted English text', () => {
    const counted = Object.keys(heatEn)
      .filter((k) => k.endsWith('_one'))
      .map((k) => k.slice(0, -4));
    expect(counted.length).toBeGreaterThan(0);
    for (const base of counted)
      for (const form of ['_one', '_few', '_many']) expect(Object.keys(heatRu)).toContain(base + form);
  });
});
