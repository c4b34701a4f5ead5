import { describe, expect, it } from 'vitest';
import { DEFAULT_SPAWN_LIMITS, MAX_SPAWN_DEPTH, spawnFanOut } from './spawn-limits.ts';
import { type SpawnTarget, type ValidationContext, validateDefinition } from './validate.ts';

const published = (startSpawns: readonly string[] = []): SpawnTarget => ({
  status: 'published',
  startSpawns,
});
const times = (id: string, n: number) => Array.from({ length: n }, () => id);

function context(
  defs: Record<string, SpawnTarget>,
  limits = { perStage: 5, perLaunch: 20 },
): ValidationContext {
  return {
    selfId: 'self',
    definition: (id) => (Object.hasOwn(defs, id) ? defs[id] : undefined),
    spawnLimits: limits,
  };
}

/** start (spawning `startSpawn`) → mid (spawning `midSpawn`) → end. */
function body(startSpawn: string[], midSpawn: string[]) {
  return {
    stages: [
      { key: 'start', name: 'Start', kind: 'start', ...(startSpawn.length ? { spawn: startSpawn } : {}) },
      { key: 'mid', name: 'Mid', kind: 'normal', ...(midSpawn.length ? { spawn: midSpawn } : {}) },
      { key: 'end', name: 'End', kind: 'end' },
    ],
    transitions: [
      { from: 'start', to: 'mid', result: 'Go' },
      { from: 'mid', to: 'end', result: 'Done' },
    ],
  };
}

const limitErrors = (result: ReturnType<typeof validateDefinition>) =>
  result.errors.filter((e) => e.code === 'spawn_limit_exceeded').map((e) => e.stage);

describe('spawnFanOut', () => {
  it('given a two-level chain of 50 × 50, then it counts 2 550 children two levels deep', () => {
    const defs: Record<string, readonly string[]> = { b: times('c', 50), c: [] };
    expect(spawnFanOut(times('b', 50), (id) => defs[id], 10_000)).toEqual({ processes: 2550, depth: 2 });
  });

  it('given a tree far larger than the cap, then the count stops at the cap', () => {
    const defs: Record<string, readonly string[]> = {
      a: times('b', 50),
      b: times('c', 50),
      c: times('d', 50),
    };
    expect(spawnFanOut(times('a', 50), (id) => defs[id] ?? [], 101).processes).toBe(101);
  });

  it('given a cycle, then it returns the cap and a depth past the maximum instead of looping', () => {
    const defs: Record<string, readonly string[]> = { a: ['b'], b: ['a'] };
    const fan = spawnFanOut(['a'], (id) => defs[id], 50);
    expect(fan.processes).toBe(50);
    expect(fan.depth).toBeGreaterThan(MAX_SPAWN_DEPTH);
  });
});

describe('validateDefinition: spawn limits', () => {
  it('given no limits in the context, then the defaults apply', () => {
    const ctx: ValidationContext = { selfId: 'self', definition: () => published() };
    expect(limitErrors(validateDefinition(body([], times('x', DEFAULT_SPAWN_LIMITS.perStage)), ctx))).toEqual(
      [],
    );
    expect(
      limitErrors(validateDefinition(body([], times('x', DEFAULT_SPAWN_LIMITS.perStage + 1)), ctx)),
    ).toEqual(['mid']);
  });

  it('given a stage with more spawn entries than allowed, then it reports that stage', () => {
    const result = validateDefinition(body([], times('leaf', 6)), context({ leaf: published() }));
    expect(result.valid).toBe(false);
    expect(limitErrors(result)).toEqual(['mid']);
  });

  it('given nested start spawns within the launch limit, then it is valid', () => {
    // Entering mid: 4 × (1 + 4) = 20.
    const ctx = context({ leaf: published(), mid: published(times('leaf', 4)) });
    expect(validateDefinition(body([], times('mid', 4)), ctx).errors).toEqual([]);
  });

  it('given nested start spawns one over the launch limit, then it reports the stage', () => {
    // Launching: 1 (the process) + 4 × 5 = 21 > 20.
    const ctx = context({ leaf: published(), mid: published(times('leaf', 4)) });
    expect(limitErrors(validateDefinition(body(times('mid', 4), []), ctx))).toEqual(['start']);
  });

  it('given each limit exceeded, then the error carries which limit, the maximum and the count', () => {
    const params = (result: ReturnType<typeof validateDefinition>) =>
      result.errors.flatMap((e) => (e.code === 'spawn_limit_exceeded' ? [e.params] : []));
    const leaves = context({ leaf: published() });
    expect(params(validateDefinition(body([], times('leaf', 6)), leaves))).toEqual([
      { limit: 'per_stage', max: 5, count: 6 },
    ]);
    const nested = context({ leaf: published(), mid: published(times('leaf', 4)) });
    expect(params(validateDefinition(body(times('mid', 4), []), nested))).toEqual([
      { limit: 'per_launch', max: 20, count: 21 },
    ]);
    // Entering mid: 5 × (1 + 5) = 30; counting stops past 20, so the count is unknown.
    const wide = context({ leaf: published(), big: published(times('leaf', 5)) });
    expect(params(validateDefinition(body([], times('big', 5)), wide))).toEqual([
      { limit: 'per_launch', max: 20, count: null },
    ]);
    const defs: Record<string, SpawnTarget> = {};
    for (let i = 0; i <= MAX_SPAWN_DEPTH; i++)
      defs[`d${i}`] = published(i < MAX_SPAWN_DEPTH ? [`d${i + 1}`] : []);
    const deep = context(defs, { perStage: 5, perLaunch: 1000 });
    expect(params(validateDefinition(body([], ['d0']), deep))).toEqual([
      { limit: 'depth', max: MAX_SPAWN_DEPTH, count: MAX_SPAWN_DEPTH + 1 },
    ]);
  });

  it('given a spawn chain deeper than allowed, then it reports the depth', () => {
    const defs: Record<string, SpawnTarget> = {};
    for (let i = 0; i <= MAX_SPAWN_DEPTH; i++)
      defs[`d${i}`] = published(i < MAX_SPAWN_DEPTH ? [`d${i + 1}`] : []);
    const ctx = context(defs, { perStage: 5, perLaunch: 1000 });
    const result = validateDefinition(body([], ['d0']), ctx);
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: 'spawn_limit_exceeded',
        stage: 'mid',
        message: expect.stringContaining('deep'),
      }),
    ]);
    expect(validateDefinition(body([], ['d1']), ctx).errors).toEqual([]);
  });

  it('given a cycle, then it reports the cycle and not a limit', () => {
    const ctx = context({ a: published(['b']), b: published(['a']) });
    expect(validateDefinition(body([], ['a']), ctx).errors.map((e) => e.code)).toEqual(['spawn_cycle']);
  });

  it('given the draft spawning its own definition from a normal stage, then its start spawns count', () => {
    // Entering mid launches `self` (3) and its start stage's 2 leaves each time: 2 × 3 = 6 > 5.
    const ctx = context({ leaf: published() }, { perStage: 5, perLaunch: 5 });
    expect(limitErrors(validateDefinition(body(times('leaf', 2), ['self', 'self']), ctx))).toEqual(['mid']);
  });
});
