/** The engine's configurable bounds (STAGEFLOW_MAX_SPAWN_PER_STAGE, …), with their defaults. */

import type { EngineContext } from '../context.ts';
import { DEFAULT_SPAWN_LIMITS, type SpawnLimits } from '../domain/definition/spawn-limits.ts';

export interface EngineLimits {
  readonly spawn: SpawnLimits;
  /** Failed attempts to fire a timer after which it is parked for an administrator. */
  readonly timerMaxAttempts: number;
}

export const DEFAULT_ENGINE_LIMITS: EngineLimits = { spawn: DEFAULT_SPAWN_LIMITS, timerMaxAttempts: 5 };

/** The context's limits, the defaults where it names none. */
export function limitsOf(ctx: Pick<EngineContext, 'limits'>): EngineLimits {
  return ctx.limits ?? DEFAULT_ENGINE_LIMITS;
}
