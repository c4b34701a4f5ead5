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

/** One problem validation found, naming the stage or transition at fault. */
export interface ValidationError {
  readonly code: string;
  readonly message: string;
  readonly stage?: string;
  readonly transition?: number;
}

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
