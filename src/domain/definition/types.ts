/** The process definition model: stages joined by result-labelled transitions. */

export type StageKind = 'start' | 'normal' | 'end';

/** Who an automatic task goes to: the stage's responsible, or a named employee. */
export type TaskAssignee = 'responsible' | { readonly employeeId: string };

/** A task created automatically when a process enters the stage. */
export interface StageTask {
  readonly title: string;
  readonly description?: string | undefined;
  readonly assignee: TaskAssignee;
  /** A blocking ("process") task keeps the stage from finishing until it is done. */
  readonly blocking?: boolean | undefined;
  /** ISO 8601 duration after entering the stage at which the task opens. */
  readonly startDelay?: string | undefined;
  /** ISO 8601 duration after the task opens at which it is due. */
  readonly dueIn?: string | undefined;
}

/** An event (call, meeting, letter, note …) created automatically when a process enters the stage. */
export interface StageEvent {
  readonly type: string;
  readonly comment?: string | undefined;
}

/**
 * A span of time a stage setting measures: calendar time (ISO 8601, e.g. `P2D`) or, with `working`,
 * working time on the organisation's business calendar (`PT18H` = two days of 09:00–18:00).
 */
export interface TimeSpan {
  readonly duration: string;
  readonly working?: boolean | undefined;
}

/** Whom an escalation step notifies, or to whom it hands the stage. */
export type EscalationTarget =
  | 'responsible'
  | 'initiator'
  | 'admins'
  | 'next_online'
  | { readonly employeeId: string };

/** One step of a stage's escalation ladder, measured from entering the stage on the stage's clock. */
export interface EscalationStep {
  readonly after: string;
  readonly working?: boolean | undefined;
  readonly action: 'notify' | 'reassign';
  readonly to?: EscalationTarget | undefined;
}

export interface Position {
  readonly x: number;
  readonly y: number;
}

export interface Stage {
  readonly key: string;
  readonly name: string;
  readonly kind: StageKind;
  /** Ordered: the first online employee gets the stage. */
  readonly responsibles?: readonly string[] | undefined;
  readonly task?: StageTask | undefined;
  readonly event?: StageEvent | undefined;
  /** ISO 8601 duration the process sleeps on entering, then follows the single transition. */
  readonly wait?: string | undefined;
  /** Definitions launched as child processes on entering the stage. */
  readonly spawn?: readonly string[] | undefined;
  /** When the stage falls due after it is entered (its SLA); pauses stop the clock. */
  readonly deadline?: TimeSpan | undefined;
  /** Steps taken, each once, while the stage stays unfinished. */
  readonly escalation?: readonly EscalationStep[] | undefined;
  readonly position?: Position | undefined;
}

export interface Transition {
  readonly from: string;
  readonly to: string;
  readonly result: string;
}

/** The part of a definition that a version freezes. */
export interface DefinitionBody {
  readonly stages: readonly Stage[];
  readonly transitions: readonly Transition[];
}

export type DefinitionStatus = 'draft' | 'published';

/** Every code the definition validator reports; clients switch on these, never on the English text. */
export const VALIDATION_CODES = [
  'invalid_shape',
  'invalid_stage',
  'duplicate_stage_key',
  'empty_stage_name',
  'invalid_kind',
  'invalid_responsibles',
  'duplicate_responsible',
  'unknown_employee',
  'invalid_task',
  'invalid_event',
  'invalid_duration',
  'wait_out_of_range',
  'invalid_spawn',
  'invalid_position',
  'no_start_stage',
  'no_stages',
  'multiple_start_stages',
  'invalid_transition',
  'unknown_stage',
  'empty_result',
  'duplicate_result',
  'end_stage_has_transition',
  'wait_on_end_stage',
  'no_outgoing_transition',
  'wait_needs_one_transition',
  'unreachable_stage',
  'no_end_stage',
  'no_end_reachable',
  'spawn_definition_missing',
  'spawn_definition_unpublished',
  'spawn_cycle',
  'spawn_limit_exceeded',
  'invalid_deadline',
  'invalid_escalation',
  'timing_not_allowed',
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

/** The typed facts a code carries when one code covers several cases (the message is only English). */
export interface ValidationParamsByCode {
  /** Which part of the stage's task is wrong: the task as a whole, its title, or its assignee. */
  readonly invalid_task: { readonly problem: 'shape' | 'title' | 'assignee' };
  /** Which duration is wrong, and whether it is unreadable or longer than allowed. */
  readonly invalid_duration: {
    readonly field: 'wait' | 'startDelay' | 'dueIn';
    readonly problem: 'format' | 'too_long';
  };
  /** unknown_employee: a responsible of the stage, the task's employee, or an escalation step's. */
  readonly unknown_employee: { readonly role: 'responsible' | 'task_assignee' | 'escalation_target' };
  /**
   * Which spawn limit is exceeded, the limit itself and what was found. A null count means counting
   * stopped once past the limit (more than `max`).
   */
  readonly spawn_limit_exceeded: {
    readonly limit: 'per_stage' | 'per_launch' | 'depth';
    readonly max: number;
    readonly count: number | null;
  };
  /** What is wrong with the stage's deadline (see TimeSpanProblem). */
  readonly invalid_deadline: { readonly problem: TimeSpanProblem };
  /** Which escalation step is wrong (null: the ladder as a whole) and how. */
  readonly invalid_escalation: {
    readonly step: number | null;
    readonly problem: TimeSpanProblem | 'too_many' | 'action' | 'target' | 'target_for_action';
  };
  /** A deadline or an escalation ladder on a stage whose clock never runs: an end or a wait stage. */
  readonly timing_not_allowed: {
    readonly setting: 'deadline' | 'escalation';
    readonly reason: 'end_stage' | 'wait_stage';
  };
}
/**
 * A problem with a span of a time setting: not an object with a duration (`shape`), not an ISO 8601
 * duration (`format`), over 10 years (`too_long`), zero (`not_positive`), or a working span with
 * other units than hours, minutes and seconds (`working_units`).
 */
export type TimeSpanProblem = 'shape' | 'format' | 'too_long' | 'not_positive' | 'working_units';
type ParamCode = keyof ValidationParamsByCode;
/** The parameters a code carries; undefined for codes that need none. */
export type ValidationParams<C extends ValidationCode> = C extends ParamCode
  ? ValidationParamsByCode[C]
  : undefined;

interface ValidationErrorBase {
  readonly message: string;
  readonly stage?: string;
  readonly transition?: number;
}

/** One problem validation found, naming the stage or transition at fault. */
export type ValidationError = ValidationErrorBase &
  (
    | { [C in ParamCode]: { readonly code: C; readonly params: ValidationParamsByCode[C] } }[ParamCode]
    | { readonly code: Exclude<ValidationCode, ParamCode>; readonly params?: undefined }
  );

export interface ValidationResult {
  readonly valid: boolean;
  readonly errors: readonly ValidationError[];
}

/**
 * A definition body indexed for the engine: stages by key and the transitions leaving each stage,
 * in their declared order.
 */
export interface CompiledDefinition {
  readonly body: DefinitionBody;
  readonly start: Stage;
  readonly stages: ReadonlyMap<string, Stage>;
  readonly outgoing: ReadonlyMap<string, readonly Transition[]>;
}

/** Indexes a (valid) body. Throws when it has no start stage: only valid bodies are compiled. */
export function compileDefinition(body: DefinitionBody): CompiledDefinition {
  const stages = new Map<string, Stage>();
  for (const stage of body.stages) stages.set(stage.key, stage);
  const outgoing = new Map<string, Transition[]>();
  for (const stage of body.stages) outgoing.set(stage.key, []);
  for (const t of body.transitions) outgoing.get(t.from)?.push(t);
  const start = body.stages.find((s) => s.kind === 'start');
  if (!start) throw new Error('a compiled definition needs a start stage');
  return { body, start, stages, outgoing };
}
