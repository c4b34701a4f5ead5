/** CPU time of processes on this machine (the servers and the PostgreSQL backends), from /proc. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds of `pid` so far, all its threads; undefined when it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds so far of each of `pids` still running; undefined when none of them can be read (they
 * run on another machine).
 */
export function cpuSecondsByPid(pids: readonly number[]): Map<number, number> | undefined {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    const s = cpuSecondsOf(pid);
    if (s !== undefined) seconds.set(pid, s);
  }
  return pids.length > 0 && seconds.size === 0 ? undefined : seconds;
}

/**
 * CPU seconds used between two readings of `cpuSecondsByPid` by the processes of the second (one
 * that came meanwhile counts from zero, one that went not at all); null when either is missing.
 */
export function cpuSecondsBetween(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
): number | null {
  if (!before || !after) return null;
  let used = 0;
  for (const [pid, s] of after) used += s - (before.get(pid) ?? 0);
  return used;
}
