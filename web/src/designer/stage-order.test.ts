import { describe, expect, it } from 'vitest';
import { inKindOrder } from './stage-order.ts';

describe('inKindOrder', () => {
  it('puts the start first and the ends last, keeping the order within each kind', () => {
    const stages = [
      { key: 'lost', kind: 'end' },
      { key: 'b', kind: 'normal' },
      { key: 'call', kind: 'start' },
      { key: 'done', kind: 'end' },
      { key: 'a', kind: 'normal' },
    ] as const;
    expect(inKindOrder(stages).map((s) => s.key)).toEqual(['call', 'b', 'a', 'lost', 'done']);
  });
});
