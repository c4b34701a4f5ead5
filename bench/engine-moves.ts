/**
 * Figure 1: stage moves per second through the engine's use cases (no HTTP). One admin, one
 * published 6-stage line (start, 4 normal, end; each stage has the single result "Next"); each
 * process is launched, then finished stage by stage to the end: 5 moves. Sequential, so the
 * store's one connection is never contended.
 */
import { type Actor, createEngineContext, type EngineContext } from '../src/context.ts';
import { launchProcess } from '../src/engine/launch.ts';
import { moveStage } from '../src/engine/move-stage.ts';
import { createDefinition, publishDefinition } from '../src/services/definitions.ts';
import { createEmployee } from '../src/services/employees.ts';
import type { Store } from '../src/store/store.ts';
import { latency, now, perSecond, round3 } from './stats.ts';
import { chainDefinition, MOVES_PER_PROCESS, type ProcessTarget } from './workload.ts';

export interface EngineSamples {
  readonly launchMs: number[];
  readonly moveMs: number[];
  /** Wall time of the measured blocks, launches and moves together. */
  wallMs: number;
}

export const newEngineSamples = (): EngineSamples => ({ launchMs: [], moveMs: [], wallMs: 0 });

export interface EngineBench {
  /** Runs `processes` processes start to end, adding their timings to `samples`; returns their rows. */
  run(processes: number, samples?: EngineSamples): Promise<ProcessTarget[]>;
}

/** Creates the admin and publishes the definition the processes run on. */
export async function prepareEngineBench(store: Store): Promise<EngineBench> {
  const ctx: EngineContext = createEngineContext({ store, clock: { now: () => Date.now() } });
  const admin = await createEmployee(ctx, {
    login: `bench-admin-${Date.now().toString(36)}`,
    name: 'Bench Admin',
    password: 'bench-password-not-secret',
    role: 'admin',
  });
  const actor: Actor = { id: admin.id, role: admin.role, name: admin.name };
  const definition = await createDefinition(ctx, actor, chainDefinition());
  if (!definition.validation?.valid) {
    throw new Error(`bench definition invalid: ${JSON.stringify(definition.validation)}`);
  }
  const published = await publishDefinition(ctx, actor, definition.id);
  if (published.version !== 1)
    throw new Error(`bench definition not published (version ${published.version})`);
  const request = { definitionId: definition.id };

  return {
    async run(processes, samples = newEngineSamples()) {
      const rows: ProcessTarget[] = [];
      const start = now();
      for (let p = 0; p < processes; p++) {
        let t = now();
        let row = await launchProcess(ctx, actor, request);
        samples.launchMs.push(now() - t);
        for (let m = 0; m < MOVES_PER_PROCESS; m++) {
          t = now();
          row = await moveStage(ctx, actor, row.id, { state: 'done' });
          samples.moveMs.push(now() - t);
        }
        if (row.status !== 'completed' || row.version !== MOVES_PER_PROCESS + 1) {
          throw new Error(`process ${row.id} ended ${row.status} at version ${row.version}`);
        }
        rows.push({ id: row.id, version: row.version, actorId: actor.id });
      }
      samples.wallMs += now() - start;
      return rows;
    },
  };
}

export interface EngineMovesResult {
  readonly processes: number;
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

export function summariseEngine(samples: EngineSamples): EngineMovesResult {
  const launchTotal = samples.launchMs.reduce((a, b) => a + b, 0);
  const moveTotal = samples.moveMs.reduce((a, b) => a + b, 0);
  return {
    processes: samples.launchMs.length,
    launches: samples.launchMs.length,
    moves: samples.moveMs.length,
    seconds: {
      launches: round3(launchTotal / 1000),
      moves: round3(moveTotal / 1000),
      total: round3(samples.wallMs / 1000),
    },
    launchesPerSecond: perSecond(samples.launchMs.length, launchTotal),
    movesPerSecond: perSecond(samples.moveMs.length, moveTotal),
    movesIncludingLaunchPerSecond: perSecond(samples.launchMs.length + samples.moveMs.length, samples.wallMs),
    moveLatencyMs: latency(samples.moveMs),
    launchLatencyMs: latency(samples.launchMs),
  };
}
