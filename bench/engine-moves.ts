/**
 * Figure 1: stage moves per second through the engine's use cases (no HTTP). One admin, one
 * published 6-stage line (start, 4 normal, end; each stage has the single result "Next"); each
 * process is launched, then finished stage by stage to the end: 5 moves. Sequential, so the
 * store's one connection is never contended.
 */
import { type Actor, createEngineContext, type EngineContext } from '../src/engine/context.ts';
import { createDefinition, publishDefinition } from '../src/engine/definitions.ts';
import { createEmployee } from '../src/engine/employees.ts';
import { launchProcess } from '../src/engine/launch.ts';
import { moveStage } from '../src/engine/move-stage.ts';
import type { Store } from '../src/store/store.ts';
import { latency, log, now, perSecond, round3 } from './stats.ts';

export const STAGES = 6;
export const MOVES_PER_PROCESS = STAGES - 1;

/** start, STAGES-2 normal stages, end; stage i → i+1 on "Next". */
export function chainDefinition() {
  const stages = Array.from({ length: STAGES }, (_, i) => ({
    key: `s${i}`,
    name: `Stage ${i}`,
    kind: i === 0 ? ('start' as const) : i === STAGES - 1 ? ('end' as const) : ('normal' as const),
  }));
  const transitions = stages.slice(1).map((s, i) => ({ from: `s${i}`, to: s.key, result: 'Next' }));
  return { name: 'Bench chain', stages, transitions };
}

export interface EngineMovesResult {
  readonly processes: number;
  readonly warmupProcesses: number;
  readonly launches: number;
  readonly moves: number;
  readonly seconds: { readonly launches: number; readonly moves: number; readonly total: number };
  readonly launchesPerSecond: number;
  readonly movesPerSecond: number;
  /** Launches counted as moves: (launches + moves) ÷ the whole wall time. */
  readonly movesIncludingLaunchPerSecond: number;
  readonly moveLatencyMs: ReturnType<typeof latency>;
  readonly launchLatencyMs: ReturnType<typeof latency>;
}

interface Setup {
  readonly ctx: EngineContext;
  readonly actor: Actor;
  readonly definitionId: string;
}

async function setUp(store: Store): Promise<Setup> {
  const ctx = createEngineContext({ store, clock: { now: () => Date.now() } });
  const admin = await createEmployee(ctx, {
    login: `bench-admin-${Date.now().toString(36)}`,
    name: 'Bench Admin',
    password: 'bench-password-not-secret',
    role: 'admin',
  });
  const actor: Actor = { id: admin.id, role: admin.role, name: admin.name };
  const definition = await createDefinition(ctx, actor, chainDefinition());
  if (!definition.validation?.valid)
    throw new Error(`bench definition invalid: ${JSON.stringify(definition.validation)}`);
  const published = await publishDefinition(ctx, actor, definition.id);
  if (published.version !== 1)
    throw new Error(`bench definition not published (version ${published.version})`);
  return { ctx, actor, definitionId: definition.id };
}

/** Launches one process and moves it to the end; records each call's duration. */
async function runOne(s: Setup, launchMs: number[], moveMs: number[]): Promise<void> {
  let t = now();
  let row = await launchProcess(s.ctx, s.actor, { definitionId: s.definitionId });
  launchMs.push(now() - t);
  for (let i = 0; i < MOVES_PER_PROCESS; i++) {
    t = now();
    row = await moveStage(s.ctx, s.actor, row.id, { state: 'done' });
    moveMs.push(now() - t);
  }
  if (row.status !== 'completed' || row.version !== MOVES_PER_PROCESS + 1) {
    throw new Error(`process ${row.id} ended ${row.status} at version ${row.version}`);
  }
}

export async function benchEngineMoves(
  store: Store,
  options: { processes: number; warmup: number },
): Promise<EngineMovesResult> {
  const s = await setUp(store);
  for (let i = 0; i < options.warmup; i++) await runOne(s, [], []);
  log(`${store.caps.name}: engine warm-up done (${options.warmup} processes)`);
  const launchMs: number[] = [];
  const moveMs: number[] = [];
  const start = now();
  for (let i = 0; i < options.processes; i++) await runOne(s, launchMs, moveMs);
  const totalMs = now() - start;
  const launchTotal = launchMs.reduce((a, b) => a + b, 0);
  const moveTotal = moveMs.reduce((a, b) => a + b, 0);
  const result: EngineMovesResult = {
    processes: options.processes,
    warmupProcesses: options.warmup,
    launches: launchMs.length,
    moves: moveMs.length,
    seconds: {
      launches: round3(launchTotal / 1000),
      moves: round3(moveTotal / 1000),
      total: round3(totalMs / 1000),
    },
    launchesPerSecond: perSecond(launchMs.length, launchTotal),
    movesPerSecond: perSecond(moveMs.length, moveTotal),
    movesIncludingLaunchPerSecond: perSecond(launchMs.length + moveMs.length, totalMs),
    moveLatencyMs: latency(moveMs),
    launchLatencyMs: latency(launchMs),
  };
  log(`${store.caps.name}: engine ${result.movesPerSecond} moves/s, ${result.launchesPerSecond} launches/s`);
  return result;
}
