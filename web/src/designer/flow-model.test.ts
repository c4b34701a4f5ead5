import { describe, expect, it } from 'vitest';
import type { Stage } from '../api/types.ts';
import { edgeGeometry, edgeSlots, onlyNamesDiffer, roundedPath, transitionKey } from './flow-model.ts';
import { freeSpotFor, layoutStages, NODE_HEIGHT, NODE_WIDTH, positionsForMissing } from './layout.ts';

describe('flowchart model', () => {
  it('tells a typed name (drawn a moment behind) from any other change (drawn at once)', () => {
    const a: Stage = { key: 'a', name: 'Call', kind: 'start', position: { x: 0, y: 0 } };
    const b: Stage = { key: 'b', name: 'Offer', kind: 'end', responsibles: ['e1'] };
    const stages = [a, b];
    expect(onlyNamesDiffer(stages, stages)).toBe(true);
    expect(onlyNamesDiffer(stages, [a, { ...b, name: 'Offe' }])).toBe(true);
    expect(
      onlyNamesDiffer(stages, [
        { ...a, name: 'C' },
        { ...b, name: 'O' },
      ]),
    ).toBe(true);
    // Added, removed, reordered, renamed as a key, moved, reconfigured: all reach the chart at once.
    expect(onlyNamesDiffer(stages, [a])).toBe(false);
    expect(onlyNamesDiffer(stages, [b, a])).toBe(false);
    expect(onlyNamesDiffer(stages, [{ ...a, key: 'a2' }, b])).toBe(false);
    expect(onlyNamesDiffer(stages, [{ ...a, position: { x: 1, y: 0 } }, b])).toBe(false);
    expect(onlyNamesDiffer(stages, [a, { ...b, kind: 'normal' }])).toBe(false);
    expect(onlyNamesDiffer(stages, [a, { ...b, responsibles: ['e1'] }])).toBe(false);
    expect(onlyNamesDiffer(stages, [a, { ...b, wait: 'PT1H' }])).toBe(false);
  });

  it('spreads transitions joining the same two stages', () => {
    const slots = edgeSlots([
      { from: 'a', to: 'b', result: 'x' },
      { from: 'a', to: 'c', result: 'y' },
      { from: 'a', to: 'b', result: 'z' },
    ]);
    expect(slots).toEqual([
      { slot: 0, count: 2 },
      { slot: 0, count: 1 },
      { slot: 1, count: 2 },
    ]);
    expect(transitionKey({ from: 'a', to: 'b' })).toBe('a->b');
  });

  it('draws parallel lines apart, with their labels apart', () => {
    const a = edgeGeometry({ x: 0, y: 0 }, { x: 300, y: 0 }, { slot: 0, count: 2 }, false);
    const b = edgeGeometry({ x: 0, y: 0 }, { x: 300, y: 0 }, { slot: 1, count: 2 }, false);
    expect(a.path).toMatch(/^M 0,0 C/);
    expect(Math.abs(a.labelY - b.labelY)).toBeGreaterThan(20);
    expect(a.labelX).toBeCloseTo(150);
  });

  it('runs a line going back, or to its own stage, around the stages', () => {
    const loop = edgeGeometry({ x: 200, y: 32 }, { x: 0, y: 32 }, { slot: 0, count: 1 }, true);
    expect(loop.labelY).toBeLessThan(0);
    const back = edgeGeometry({ x: 800, y: 32 }, { x: 0, y: 32 }, { slot: 0, count: 1 }, false);
    expect(back.labelY).toBeGreaterThan(32 + NODE_HEIGHT / 2);
    expect(back.labelX).toBe(520);
    const up = edgeGeometry({ x: 800, y: 300 }, { x: 0, y: 32 }, { slot: 0, count: 1 }, false, 1);
    expect(up.labelY).toBe(166);
  });

  it('rounds the corners of a path', () => {
    expect(
      roundedPath(
        [
          { x: 0, y: 0 },
          { x: 10, y: 0 },
          { x: 10, y: 10 },
        ],
        4,
      ),
    ).toBe('M 0,0 L 6,0 Q 10,0 10,4 L 10,10');
    expect(roundedPath([], 4)).toBe('');
  });
});

const chain: Stage[] = [
  { key: 'a', name: 'A', kind: 'start' },
  { key: 'b', name: 'B', kind: 'normal' },
  { key: 'c', name: 'C', kind: 'end' },
];

describe('layout', () => {
  it('lays stages out left to right', async () => {
    const p = await layoutStages(chain, [
      { from: 'a', to: 'b', result: 'x' },
      { from: 'b', to: 'c', result: 'y' },
    ]);
    expect(Object.keys(p).sort()).toEqual(['a', 'b', 'c']);
    expect(p.a!.x).toBeLessThan(p.b!.x);
    expect(p.b!.x).toBeLessThan(p.c!.x);
  });

  it('places stages without a position below those that have one', async () => {
    const stages: Stage[] = [{ ...chain[0]!, position: { x: 10, y: 20 } }, chain[1]!, chain[2]!];
    const p = await positionsForMissing(stages, [{ from: 'a', to: 'b', result: 'x' }]);
    expect(Object.keys(p).sort()).toEqual(['b', 'c']);
    for (const q of Object.values(p)) expect(q.y).toBeGreaterThanOrEqual(20 + NODE_HEIGHT);
  });

  it('finds a free spot for a new stage', () => {
    const stages: Stage[] = [
      { key: 'a', name: 'A', kind: 'start', position: { x: 0, y: 0 } },
      { key: 'b', name: 'B', kind: 'end', position: { x: NODE_WIDTH + 90, y: 0 } },
    ];
    const spot = freeSpotFor(stages, 'a');
    expect(spot.x).toBe(NODE_WIDTH + 90);
    expect(spot.y).toBeGreaterThanOrEqual(NODE_HEIGHT);
    expect(freeSpotFor(stages, null).y).toBeGreaterThan(NODE_HEIGHT);
    expect(freeSpotFor([], null)).toEqual({ x: 0, y: 0 });
  });
});
