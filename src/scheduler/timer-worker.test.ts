import { describe, expect, it } from 'vitest';
import { lanesForPool } from './timer-worker.ts';

describe('timer lanes on PostgreSQL', () => {
  it('take at most a third of the pool, at least one, three at most', () => {
    expect([1, 2, 3, 5, 6, 8, 9, 10, 20, 100].map(lanesForPool)).toEqual([1, 1, 1, 1, 2, 2, 3, 3, 3, 3]);
  });
});
