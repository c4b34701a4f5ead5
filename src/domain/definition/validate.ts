/**
 * The designer's rules. Takes any JSON-shaped input (a draft may be half-drawn) and returns every
 * problem at once, each naming the stage key or the transition index at fault. Never throws.
 */
import { validateStageTiming } from '../calendar/validate-stage-timing.ts';
import { isWithinWaitBounds, isWithinWaitMax, parseDuration } from '../duration.ts';
import { DEFAULT_SPAWN_LIMITS, MAX_SPAWN_DEPTH, type SpawnLimits, spawnFanOut } from './spawn-limits.ts';
import type { ValidationCode, ValidationError, ValidationParams, ValidationResult } from './types.ts';

/** What validation needs to know about other definitions and employees. */
export interface ValidationContext {
  /** The id of the definition being validated, so a spawn of itself is seen as such. */
  readonly selfId?: string | undefined;
  /** Looks up a spawnable definition: its status and what its start stage spawns when launched. */
  readonly definition?: ((id: string) => SpawnTarget | undefined) | undefined;
  /** Whether an employee id exists; unchecked when absent. */
  readonly employeeExists?: ((id: string) => boolean) | undefined;
  /** The configured bounds on child processes; the defaults when absent. */
  readonly spawnLimits?: SpawnLimits | undefined;
}

export interface SpawnTarget {
  readonly status: 'draft' | 'published';
  /** Definitions the published version's start stage spawns (what launching it spawns at once). */
  readonly startSpawns: readonly string[];
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(obj: Record<string, Json>, name: string): Json {
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}

interface StageInfo {
  readonly key: string;
  readonly kind: Json;
  readonly wait: Json;
  readonly spawn: readonly string[];
}

const KINDS = new Set(['start', 'normal', 'end']);

/** Validates a definition body against every rule of the designer. */
export function validateDefinition(input: Json, ctx: ValidationContext = {}): ValidationResult {
  const errors: ValidationError[] = [];
  const add: Add = (code, message, where = {}, ...params) => {
    const typed = params[0] === undefined ? {} : { params: params[0] };
    errors.push({ code, message, ...where, ...typed } as ValidationError);
  };

  const body = isObject(input) ? input : {};
  if (!isObject(input)) add('invalid_shape', 'A definition is an object with stages and transitions.');
  const rawStages = field(body, 'stages');
  const rawTransitions = field(body, 'transitions');
  if (!Array.isArray(rawStages)) add('invalid_shape', '"stages" must be a list.');
  if (!Array.isArray(rawTransitions)) add('invalid_shape', '"transitions" must be a list.');
  const stageList: Json[] = Array.isArray(rawStages) ? rawStages : [];
  const transitionList: Json[] = Array.isArray(rawTransitions) ? rawTransitions : [];

  // Stages: shape, keys, settings.
  const stages = new Map<string, StageInfo>();
  stageList.forEach((raw, index) => {
    if (!isObject(raw)) {
      add('invalid_stage', `Stage #${index + 1} is not an object.`);
      return;
    }
    const key = field(raw, 'key');
    if (typeof key !== 'string' || key.trim() === '') {
      add('invalid_stage', `Stage #${index + 1} has no key.`);
      return;
    }
    if (stages.has(key)) {
      add('duplicate_stage_key', `Two stages share the key "${key}".`, { stage: key });
      return;
    }
    const name = field(raw, 'name');
    if (typeof name !== 'string' || name.trim() === '')
      add('empty_stage_name', `Stage "${key}" has no name.`, { stage: key });
    const kind = field(raw, 'kind');
    if (typeof kind !== 'string' || !KINDS.has(kind)) {
      add('invalid_kind', `Stage "${key}" must be start, normal or end.`, { stage: key });
    }
    const responsibles = field(raw, 'responsibles');
    if (responsibles !== undefined) {
      if (!Array.isArray(responsibles) || responsibles.some((r) => typeof r !== 'string')) {
        add('invalid_responsibles', `Stage "${key}": responsibles must be a list of employee ids.`, {
          stage: key,
        });
      } else {
        const seen = new Set<string>();
        for (const id of responsibles as string[]) {
          if (seen.has(id))
            add('duplicate_responsible', `Stage "${key}" lists an employee twice.`, { stage: key });
          seen.add(id);
          if (ctx.employeeExists && !ctx.employeeExists(id)) {
            add(
              'unknown_employee',
              `Stage "${key}" names an employee who does not exist.`,
              { stage: key },
              { role: 'responsible' },
            );
          }
        }
      }
    }
    validateTask(field(raw, 'task'), key, ctx, add);
    const event = field(raw, 'event');
    if (event !== undefined) {
      const type = isObject(event) ? field(event, 'type') : undefined;
      const comment = isObject(event) ? field(event, 'comment') : undefined;
      if (
        typeof type !== 'string' ||
        type.trim() === '' ||
        (comment !== undefined && typeof comment !== 'string')
      ) {
        add('invalid_event', `Stage "${key}": an event needs a type.`, { stage: key });
      }
    }
    const wait = field(raw, 'wait');
    if (wait !== undefined) {
      const parsed = parseDuration(wait);
      if (!parsed)
        add(
          'invalid_duration',
          `Stage "${key}": the wait is not an ISO 8601 duration.`,
          { stage: key },
          { field: 'wait', problem: 'format' },
        );
      else if (!isWithinWaitBounds(parsed)) {
        add('wait_out_of_range', `Stage "${key}": a wait lasts from 1 minute to 10 years.`, { stage: key });
      }
    }
    for (const error of validateStageTiming(raw, key, ctx)) errors.push(error);
    const spawnRaw = field(raw, 'spawn');
    let spawn: string[] = [];
    if (spawnRaw !== undefined) {
      if (!Array.isArray(spawnRaw) || spawnRaw.some((s) => typeof s !== 'string')) {
        add('invalid_spawn', `Stage "${key}": spawn must be a list of definition ids.`, { stage: key });
      } else spawn = spawnRaw as string[];
    }
    const position = field(raw, 'position');
    if (position !== undefined) {
      const ok =
        isObject(position) && Number.isFinite(field(position, 'x')) && Number.isFinite(field(position, 'y'));
      if (!ok) add('invalid_position', `Stage "${key}": a position has numeric x and y.`, { stage: key });
    }
    stages.set(key, { key, kind, wait, spawn });
  });

  const starts = [...stages.values()].filter((s) => s.kind === 'start');
  if (starts.length === 0 && stageList.length > 0)
    add('no_start_stage', 'The process needs exactly one start stage.');
  if (stageList.length === 0) add('no_stages', 'The process has no stages.');
  for (const extra of starts.slice(1)) {
    add('multiple_start_stages', `"${extra.key}" is a second start stage; there must be exactly one.`, {
      stage: extra.key,
    });
  }

  // Transitions: shape, targets, results.
  const outgoing = new Map<string, string[]>();
  const incoming = new Map<string, string[]>();
  for (const key of stages.keys()) {
    outgoing.set(key, []);
    incoming.set(key, []);
  }
  const resultsByStage = new Map<string, Set<string>>();
  transitionList.forEach((raw, index) => {
    if (!isObject(raw)) {
      add('invalid_transition', `Transition #${index + 1} is not an object.`, { transition: index });
      return;
    }
    const from = field(raw, 'from');
    const to = field(raw, 'to');
    const result = field(raw, 'result');
    if (typeof from !== 'string' || typeof to !== 'string' || typeof result !== 'string') {
      add('invalid_transition', `Transition #${index + 1} needs from, to and result.`, { transition: index });
      return;
    }
    let ok = true;
    for (const end of [from, to]) {
      if (!stages.has(end)) {
        add('unknown_stage', `Transition #${index + 1} points at a stage "${end}" that does not exist.`, {
          transition: index,
        });
        ok = false;
      }
    }
    if (result.trim() === '') {
      add('empty_result', `Transition #${index + 1} from "${from}" has no result name.`, {
        transition: index,
        ...(stages.has(from) ? { stage: from } : {}),
      });
    } else {
      const seen = resultsByStage.get(from) ?? new Set<string>();
      const norm = result.trim().toLowerCase();
      if (seen.has(norm)) {
        add('duplicate_result', `Stage "${from}" has the result "${result}" twice.`, {
          transition: index,
          ...(stages.has(from) ? { stage: from } : {}),
        });
      }
      seen.add(norm);
      resultsByStage.set(from, seen);
    }
    if (ok) {
      outgoing.get(from)?.push(to);
      incoming.get(to)?.push(from);
    }
  });

  for (const stage of stages.values()) {
    const out = outgoing.get(stage.key)?.length ?? 0;
    if (stage.kind === 'end') {
      if (out > 0)
        add('end_stage_has_transition', `End stage "${stage.key}" must have no way out.`, {
          stage: stage.key,
        });
      if (stage.wait !== undefined)
        add('wait_on_end_stage', `End stage "${stage.key}" cannot wait.`, { stage: stage.key });
    } else if (out === 0) {
      add('no_outgoing_transition', `Stage "${stage.key}" has no way out.`, { stage: stage.key });
    } else if (stage.wait !== undefined && out !== 1) {
      add('wait_needs_one_transition', `Wait stage "${stage.key}" must have exactly one way out.`, {
        stage: stage.key,
      });
    }
  }

  // Reachability: forward from the start, backward from the ends.
  const start = starts[0];
  if (start) {
    const reached = walk([start.key], outgoing);
    for (const key of stages.keys()) {
      if (!reached.has(key))
        add('unreachable_stage', `Stage "${key}" cannot be reached from the start.`, { stage: key });
    }
  }
  const ends = [...stages.values()].filter((s) => s.kind === 'end').map((s) => s.key);
  const canEnd = walk(ends, incoming);
  if (ends.length === 0 && stages.size > 0) add('no_end_stage', 'The process needs at least one end stage.');
  for (const stage of stages.values()) {
    if (ends.length > 0 && !canEnd.has(stage.key) && stage.kind !== 'end') {
      add('no_end_reachable', `From stage "${stage.key}" no end stage can be reached.`, { stage: stage.key });
    }
  }

  validateSpawns(stages, start?.key, ctx, add);

  return { valid: errors.length === 0, errors };
}

type Where = { stage?: string; transition?: number };
/** Records one problem; codes with typed parameters must be given them (see ValidationParamsByCode). */
type Add = <C extends ValidationCode>(
  code: C,
  message: string,
  where?: Where,
  ...params: ValidationParams<C> extends undefined ? [] : [ValidationParams<C>]
) => void;

function validateTask(task: Json, key: string, ctx: ValidationContext, add: Add): void {
  if (task === undefined) return;
  if (!isObject(task)) {
    add('invalid_task', `Stage "${key}": the task is not valid.`, { stage: key }, { problem: 'shape' });
    return;
  }
  const title = field(task, 'title');
  if (typeof title !== 'string' || title.trim() === '')
    add('invalid_task', `Stage "${key}": the task needs a title.`, { stage: key }, { problem: 'title' });
  const assignee = field(task, 'assignee');
  if (assignee !== 'responsible') {
    const id = isObject(assignee) ? field(assignee, 'employeeId') : undefined;
    if (typeof id !== 'string') {
      add(
        'invalid_task',
        `Stage "${key}": the task goes to the responsible or to a named employee.`,
        { stage: key },
        { problem: 'assignee' },
      );
    } else if (ctx.employeeExists && !ctx.employeeExists(id)) {
      add(
        'unknown_employee',
        `Stage "${key}": the task's employee does not exist.`,
        { stage: key },
        { role: 'task_assignee' },
      );
    }
  }
  for (const name of ['startDelay', 'dueIn'] as const) {
    const value = field(task, name);
    if (value === undefined) continue;
    const parsed = parseDuration(value);
    if (!parsed) {
      add(
        'invalid_duration',
        `Stage "${key}": the task's ${name} is not an ISO 8601 duration.`,
        { stage: key },
        { field: name, problem: 'format' },
      );
    } else if (!isWithinWaitMax(parsed)) {
      // Unbounded, a huge duration would give the task a start or due time that is no instant (NaN).
      add(
        'invalid_duration',
        `Stage "${key}": the task's ${name} is longer than 10 years.`,
        { stage: key },
        { field: name, problem: 'too_long' },
      );
    }
  }
}

function validateSpawns(
  stages: ReadonlyMap<string, StageInfo>,
  startKey: string | undefined,
  ctx: ValidationContext,
  add: Add,
): void {
  const selfStartSpawns = startKey ? (stages.get(startKey)?.spawn ?? []) : [];
  const lookup = (id: string): readonly string[] | undefined => {
    if (id === ctx.selfId) return selfStartSpawns;
    const target = ctx.definition?.(id);
    return target?.status === 'published' ? target.startSpawns : undefined;
  };
  for (const stage of stages.values()) {
    for (const id of stage.spawn) {
      if (id !== ctx.selfId && ctx.definition) {
        const target = ctx.definition(id);
        if (!target) {
          add('spawn_definition_missing', `Stage "${stage.key}" spawns a definition that does not exist.`, {
            stage: stage.key,
          });
          continue;
        }
        if (target.status !== 'published') {
          add(
            'spawn_definition_unpublished',
            `Stage "${stage.key}" spawns a definition that is not published.`,
            {
              stage: stage.key,
            },
          );
        }
      }
    }
    // Entering this stage launches its spawns, whose start stages launch theirs at once, and so on:
    // a cycle there would launch processes forever on a single transition.
    if (stage.spawn.length > 0 && hasSpawnCycle(stage.spawn, lookup)) {
      add('spawn_cycle', `Stage "${stage.key}" would launch child processes forever.`, { stage: stage.key });
    } else if (stage.spawn.length > 0) {
      checkFanOut(stage, stage.key === startKey, lookup, ctx.spawnLimits ?? DEFAULT_SPAWN_LIMITS, add);
    }
  }
}

/** Entering the stage (for the start stage: launching the process) must stay within the limits. */
function checkFanOut(
  stage: StageInfo,
  isStart: boolean,
  startSpawns: (id: string) => readonly string[] | undefined,
  limits: SpawnLimits,
  add: Add,
): void {
  const where = { stage: stage.key };
  if (stage.spawn.length > limits.perStage) {
    add(
      'spawn_limit_exceeded',
      `Stage "${stage.key}" spawns ${stage.spawn.length} processes; a stage may spawn at most ${limits.perStage}.`,
      where,
      { limit: 'per_stage', max: limits.perStage, count: stage.spawn.length },
    );
  }
  const fan = spawnFanOut(stage.spawn, startSpawns, limits.perLaunch + 1);
  const total = fan.processes + (isStart ? 1 : 0);
  if (total > limits.perLaunch) {
    const counted = fan.processes <= limits.perLaunch;
    add(
      'spawn_limit_exceeded',
      `Stage "${stage.key}" would create ${counted ? total : `more than ${limits.perLaunch}`} processes at once, nested children included; at most ${limits.perLaunch} are allowed.`,
      where,
      { limit: 'per_launch', max: limits.perLaunch, count: counted ? total : null },
    );
  }
  if (fan.depth > MAX_SPAWN_DEPTH) {
    add(
      'spawn_limit_exceeded',
      `Stage "${stage.key}" launches children ${fan.depth} levels deep; at most ${MAX_SPAWN_DEPTH} are allowed.`,
      where,
      { limit: 'depth', max: MAX_SPAWN_DEPTH, count: fan.depth },
    );
  }
}

function hasSpawnCycle(
  roots: readonly string[],
  startSpawns: (id: string) => readonly string[] | undefined,
): boolean {
  const state = new Map<string, 'open' | 'closed'>();
  const visit = (id: string): boolean => {
    const s = state.get(id);
    if (s === 'open') return true;
    if (s === 'closed') return false;
    state.set(id, 'open');
    for (const next of startSpawns(id) ?? []) if (visit(next)) return true;
    state.set(id, 'closed');
    return false;
  };
  return roots.some((id) => visit(id));
}

function walk(from: readonly string[], edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>(from);
  const queue = [...from];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const to of edges.get(next) ?? []) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}
