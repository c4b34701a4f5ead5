/** What both figures work on: a 6-stage line, and the process rows the engine leaves behind. */

export const STAGES = 6;
/** Stage moves from the start stage to the end stage of one process. */
export const MOVES_PER_PROCESS = STAGES - 1;

/** start, STAGES-2 normal stages, end; stage i → i+1 on the single result "Next". */
export function chainDefinition() {
  const stages = Array.from({ length: STAGES }, (_, i) => ({
    key: `s${i}`,
    name: `Stage ${i}`,
    kind: i === 0 ? ('start' as const) : i === STAGES - 1 ? ('end' as const) : ('normal' as const),
  }));
  const transitions = stages.slice(1).map((s, i) => ({ from: `s${i}`, to: s.key, result: 'Next' }));
  return { name: 'Bench chain', stages, transitions };
}

/** An existing process row the floor updates; `version` is kept current by whoever writes it. */
export interface ProcessTarget {
  readonly id: string;
  version: number;
  readonly actorId: string;
}
