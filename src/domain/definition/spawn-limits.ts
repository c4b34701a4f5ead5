/**
 * Bounds on child processes. One stage may list at most `perStage` spawns, and one launch or one
 * command may create at most `perLaunch` processes in all, counting the children that start stages
 * of spawned definitions launch at once, level after level. Without them one launch through a
 * two-level chain (50 × 50) created 2 551 processes in one transaction.
 */

export interface SpawnLimits {
  /** Most entries in one stage's `spawn` list. */
  readonly perStage: number;
  /** Most processes one launch or one command creates, the launched process and nested children included. */
  readonly perLaunch: number;
}

export const DEFAULT_SPAWN_LIMITS: SpawnLimits = { perStage: 20, perLaunch: 100 };

/**
 * Most levels of children below the process a launch or command acts on. Validation forbids
 * cycles, but two definitions published at the same moment can still spawn each other.
 */
export const MAX_SPAWN_DEPTH = 16;

/** What entering one stage launches at once, in the worst case. */
export interface FanOut {
  /** Processes created by the spawns (not counting the process entering the stage). */
  readonly processes: number;
  /** Levels of children: 1 when the spawned definitions spawn nothing at once. */
  readonly depth: number;
}

/**
 * The worst-case fan-out of launching each of `roots`, following what their start stages spawn.
 * `startSpawns` answers the spawns of a definition's start stage (undefined: unknown, spawns
 * nothing). Counts stop growing past `cap`, so a huge tree costs no more than a small one, and a
 * cycle counts as `cap` (cycles are reported on their own).
 */
export function spawnFanOut(
  roots: readonly string[],
  startSpawns: (id: string) => readonly string[] | undefined,
  cap: number,
): FanOut {
  const memo = new Map<string, FanOut | 'open'>();
  const tree = (id: string): FanOut => {
    const known = memo.get(id);
    if (known === 'open') return { processes: cap, depth: MAX_SPAWN_DEPTH + 1 };
    if (known) return known;
    memo.set(id, 'open');
    const below = forest(startSpawns(id) ?? []);
    const result = { processes: Math.min(cap, 1 + below.processes), depth: below.depth + 1 };
    memo.set(id, result);
    return result;
  };
  const forest = (ids: readonly string[]): FanOut => {
    let processes = 0;
    let depth = 0;
    for (const id of ids) {
      const t = tree(id);
      processes = Math.min(cap, processes + t.processes);
      depth = Math.max(depth, t.depth);
    }
    return { processes, depth };
  };
  return forest(roots);
}
