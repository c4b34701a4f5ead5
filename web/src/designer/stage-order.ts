import type { Stage } from '../api/types.ts';

const RANK: Record<Stage['kind'], number> = { start: 0, normal: 1, end: 2 };

/** Stages as lists show them: the start first, the end stages last, otherwise in drawn order. */
export function inKindOrder<T extends Pick<Stage, 'kind'>>(stages: readonly T[]): T[] {
  return stages
    .map((stage, i) => ({ stage, i }))
    .sort((a, b) => (RANK[a.stage.kind] ?? 1) - (RANK[b.stage.kind] ?? 1) || a.i - b.i)
    .map(({ stage }) => stage);
}
