/**
 * Fault points: named places in the engine where a crash test may kill the process, or an
 * in-process test may step in to force an interleaving. A test facility, like STAGEFLOW_TEST_CLOCK:
 * never set STAGEFLOW_FAULTS in production.
 *
 * `STAGEFLOW_FAULTS=<point>:<probability>[,<point>:<probability>…][,seed=<n>]`, for example
 * `STAGEFLOW_FAULTS=before-commit:0.1,seed=42`: at each pass through a listed point the process
 * kills itself with SIGKILL (no cleanup, no graceful shutdown, like a power cut) with that
 * probability, drawn from a generator seeded with `seed` (default 1), so one seed replays the
 * same decisions for the same sequence of passes. The points:
 *
 * - `before-commit`: an engine transaction has done all its work and is about to commit;
 * - `after-commit`: it has committed, and nobody has been answered or notified yet;
 * - `mid-timer-batch`: a timer batch has applied one timer and not yet the rest;
 * - `mid-spawn`: a child process has been launched and its parent has not yet recorded it.
 *
 * Unset, and with no hook registered, a fault point returns `undefined` at once: awaiting it
 * costs one microtask and nothing else.
 */

export type FaultPointName = 'before-commit' | 'after-commit' | 'mid-timer-batch' | 'mid-spawn';

const POINTS: readonly FaultPointName[] = ['before-commit', 'after-commit', 'mid-timer-batch', 'mid-spawn'];

/** Called at every fault point while registered; whatever it awaits, the caller awaits. */
export type FaultHook = (name: FaultPointName) => Promise<void> | void;

interface FaultPlan {
  readonly odds: ReadonlyMap<FaultPointName, number>;
  readonly random: () => number;
}

/** Reads a STAGEFLOW_FAULTS value; throws on anything it does not understand, so a typo is loud. */
export function parseFaults(spec: string | undefined): FaultPlan | undefined {
  if (spec === undefined || spec.trim() === '') return undefined;
  const odds = new Map<FaultPointName, number>();
  let seed = 1;
  for (const part of spec.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const seedMatch = /^seed=(\d+)$/.exec(part);
    if (seedMatch) {
      seed = Number(seedMatch[1]);
      continue;
    }
    const [name, p] = part.split(':');
    const probability = Number(p);
    if (!POINTS.includes(name as FaultPointName) || !(probability >= 0 && probability <= 1)) {
      throw new Error(
        `STAGEFLOW_FAULTS: "${part}" is not <point>:<probability 0..1> or seed=<n>; points: ${POINTS.join(', ')}`,
      );
    }
    odds.set(name as FaultPointName, probability);
  }
  return { odds, random: mulberry32(seed) };
}

/** A small seeded generator (mulberry32): enough to replay a run, not for anything secret. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const plan = parseFaults(process.env.STAGEFLOW_FAULTS);
let hook: FaultHook | undefined;

/** Registers the in-process hook (tests only); `undefined` removes it. */
export function setFaultHook(next: FaultHook | undefined): void {
  hook = next;
}

/** A place where a test may crash the process or step in; see the module comment. */
export function faultPoint(name: FaultPointName): Promise<void> | undefined {
  if (plan) {
    const p = plan.odds.get(name);
    if (p !== undefined && plan.random() < p) process.kill(process.pid, 'SIGKILL');
  }
  if (!hook) return undefined;
  return Promise.resolve(hook(name));
}
