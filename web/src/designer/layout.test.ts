import { describe, expect, it } from 'vitest';
import type { Stage, Transition } from '../api/types.ts';
import { routedTransitions } from './flow-model.ts';
import { type ChartLayout, layoutChart, NODE_HEIGHT, NODE_WIDTH } from './layout.ts';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function stage(key: string, kind: Stage['kind'] = 'normal'): Stage {
  return { key, name: key, kind } as Stage;
}

/** The demo's "Monitoring lost clients": two skip rules and two rules going back. */
const monitoring: { stages: Stage[]; transitions: Transition[] } = {
  stages: [
    stage('call', 'start'),
    stage('analyse'),
    stage('offer'),
    stage('rest'),
    stage('delivery', 'end'),
    stage('lost', 'end'),
  ],
  transitions: [
    { from: 'call', to: 'analyse', result: 'Reached' },
    { from: 'call', to: 'rest', result: 'Not reached' },
    { from: 'analyse', to: 'offer', result: 'Chance to return' },
    { from: 'analyse', to: 'lost', result: 'Cannot return' },
    { from: 'offer', to: 'delivery', result: 'Paid the invoice' },
    { from: 'offer', to: 'rest', result: 'Thinking' },
    { from: 'offer', to: 'lost', result: 'Refused' },
    { from: 'rest', to: 'call', result: 'Continue' },
  ],
};

function boxes(layout: ChartLayout) {
  const nodes = Object.entries(layout.positions).map(([key, p]) => ({
    key,
    box: { x: p.x, y: p.y, width: NODE_WIDTH, height: NODE_HEIGHT },
  }));
  const labels = Object.entries(layout.routes).map(([index, r]) => ({
    index: Number(index),
    box: {
      x: r.label.x - r.labelWidth / 2,
      y: r.label.y - r.labelHeight / 2,
      width: r.labelWidth,
      height: r.labelHeight,
    },
  }));
  return { nodes, labels };
}

describe('layoutChart', () => {
  it('keeps every label off the stages and off the other labels, and routes every rule', async () => {
    const layout = await layoutChart(monitoring.stages, monitoring.transitions);
    expect(Object.keys(layout.routes)).toHaveLength(monitoring.transitions.length);
    const { nodes, labels } = boxes(layout);
    for (const l of labels) {
      for (const n of nodes) expect(overlap(l.box, n.box), `label ${l.index} on ${n.key}`).toBe(false);
      for (const m of labels)
        if (m.index !== l.index) expect(overlap(l.box, m.box), `labels ${l.index}/${m.index}`).toBe(false);
    }
  });

  it('starts each line at the middle of its stage’s right side and ends it at the next one’s left', async () => {
    const layout = await layoutChart(monitoring.stages, monitoring.transitions);
    monitoring.transitions.forEach((t, i) => {
      const route = layout.routes[i];
      const from = layout.positions[t.from];
      const to = layout.positions[t.to];
      if (!route || !from || !to) throw new Error(`no route for ${i}`);
      expect(route.points[0]).toEqual({ x: from.x + NODE_WIDTH, y: from.y + NODE_HEIGHT / 2 });
      expect(route.points.at(-1)).toEqual({ x: to.x, y: to.y + NODE_HEIGHT / 2 });
    });
  });

  it('routes no line through a stage it does not join', async () => {
    const layout = await layoutChart(monitoring.stages, monitoring.transitions);
    const { nodes } = boxes(layout);
    monitoring.transitions.forEach((t, i) => {
      const points = layout.routes[i]?.points ?? [];
      for (let k = 1; k < points.length; k++) {
        const a = points[k - 1] as { x: number; y: number };
        const b = points[k] as { x: number; y: number };
        const segment = {
          x: Math.min(a.x, b.x) + 0.5,
          y: Math.min(a.y, b.y) + 0.5,
          width: Math.max(Math.abs(a.x - b.x) - 1, 0.01),
          height: Math.max(Math.abs(a.y - b.y) - 1, 0.01),
        };
        for (const n of nodes) {
          if (n.key === t.from || n.key === t.to) continue;
          expect(overlap(segment, n.box), `rule ${i} crosses ${n.key}`).toBe(false);
        }
      }
    });
  });

  it('puts each label on its own line, not beside another one', async () => {
    const layout = await layoutChart(monitoring.stages, monitoring.transitions);
    monitoring.transitions.forEach((_, i) => {
      const route = layout.routes[i];
      if (!route) throw new Error(`no route for ${i}`);
      const distance = Math.min(
        ...route.points.slice(1).map((b, k) => {
          const a = route.points[k] as { x: number; y: number };
          const x = Math.max(Math.min(a.x, b.x), Math.min(route.label.x, Math.max(a.x, b.x)));
          const y = Math.max(Math.min(a.y, b.y), Math.min(route.label.y, Math.max(a.y, b.y)));
          return Math.hypot(route.label.x - x, route.label.y - y);
        }),
      );
      expect(distance, `label ${i}`).toBeLessThanOrEqual(route.labelHeight);
    });
  });

  it('draws along the laid-out routes only while the stages stand where the layout put them', async () => {
    const layout = await layoutChart(monitoring.stages, monitoring.transitions);
    const all = routedTransitions(layout, monitoring.transitions, layout.positions);
    expect([...all].sort()).toEqual(monitoring.transitions.map((_, i) => i));
    // Moving "lost" drops the rules into it, and any other rule whose line or label it now covers.
    const lost = layout.positions.lost as { x: number; y: number };
    const moved = { ...layout.positions, lost: { x: lost.x + 500, y: lost.y + 500 } };
    const some = routedTransitions(layout, monitoring.transitions, moved);
    monitoring.transitions.forEach((t, i) => {
      if (t.to === 'lost') expect(some.has(i), `rule ${i}`).toBe(false);
    });
    const onLabel = layout.routes[1]?.label as { x: number; y: number };
    const covering = { ...layout.positions, analyse: { x: onLabel.x - 20, y: onLabel.y - 20 } };
    expect(routedTransitions(layout, monitoring.transitions, covering).has(1)).toBe(false);
  });
});
