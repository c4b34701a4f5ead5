/**
 * Validation problems in the reader's language, naming stages by their names (the validator speaks
 * English and uses keys). The codes are the server's closed union: each one is handled below, and the
 * values a text needs come from the error's typed `params`, never from its English message.
 */
import type { TFunction } from 'i18next';
import type { Stage, Transition, ValidationError } from '../api/types.ts';

export interface ErrorSubjects {
  readonly stages: readonly Stage[];
  readonly transitions: readonly Transition[];
}

/** The `errors.*` translation key for the problem, and the values its text needs beyond the subjects. */
interface MessageKey {
  readonly key: string;
  readonly values?: Readonly<Record<string, number>>;
}

const TASK_KEYS = { shape: 'invalid_task', title: 'invalid_task_title', assignee: 'invalid_task_assignee' };

/** Null only for a code this build does not know (a newer server): the server's own message is shown. */
function messageKey(error: ValidationError): MessageKey | null {
  switch (error.code) {
    case 'invalid_task':
      return { key: TASK_KEYS[error.params.problem] };
    case 'invalid_duration':
      return { key: `invalid_duration_${error.params.field}` };
    case 'unknown_employee':
      return {
        key:
          error.params.role === 'task_assignee'
            ? 'unknown_employee_task'
            : error.params.role === 'escalation_target'
              ? 'unknown_employee_escalation'
              : 'unknown_employee',
      };
    case 'spawn_limit_exceeded': {
      const { limit, max, count } = error.params;
      if (count === null) return { key: `spawn_limit_${limit}_over`, values: { max } };
      return { key: `spawn_limit_${limit}`, values: { max, number: count } };
    }
    case 'invalid_deadline':
      return { key: `invalid_deadline_${error.params.problem}` };
    case 'invalid_escalation': {
      const { step, problem } = error.params;
      return step === null
        ? { key: `invalid_escalation_${problem}` }
        : { key: `invalid_escalation_step_${problem}`, values: { step: step + 1 } };
    }
    case 'timing_not_allowed':
      return { key: `timing_not_allowed_${error.params.reason}` };
    case 'invalid_shape':
    case 'invalid_stage':
    case 'duplicate_stage_key':
    case 'empty_stage_name':
    case 'invalid_kind':
    case 'invalid_responsibles':
    case 'duplicate_responsible':
    case 'invalid_event':
    case 'wait_out_of_range':
    case 'invalid_spawn':
    case 'invalid_position':
    case 'no_start_stage':
    case 'no_stages':
    case 'multiple_start_stages':
    case 'invalid_transition':
    case 'unknown_stage':
    case 'empty_result':
    case 'duplicate_result':
    case 'end_stage_has_transition':
    case 'wait_on_end_stage':
    case 'no_outgoing_transition':
    case 'wait_needs_one_transition':
    case 'unreachable_stage':
    case 'no_end_stage':
    case 'no_end_reachable':
    case 'spawn_definition_missing':
    case 'spawn_definition_unpublished':
    case 'spawn_cycle':
      return { key: error.code };
    default: {
      const unknown: never = error;
      void unknown;
      return null;
    }
  }
}

function stageLabel(key: string | undefined, stages: readonly Stage[]): string {
  if (key === undefined) return '';
  const name = stages.find((s) => s.key === key)?.name.trim();
  return name || key;
}

/** The problem as a sentence for the validation panel. */
export function describeValidationError(
  error: ValidationError,
  t: TFunction<'designer'>,
  { stages, transitions }: ErrorSubjects,
): string {
  const found = messageKey(error);
  if (!found) return error.message;
  const transition = error.transition === undefined ? undefined : transitions[error.transition];
  return t(`errors.${found.key}`, {
    stage: stageLabel(error.stage ?? transition?.from, stages),
    key: error.stage ?? '',
    n: (error.transition ?? 0) + 1,
    result: transition?.result ?? '',
    from: stageLabel(transition?.from, stages),
    to: stageLabel(transition?.to, stages),
    ...found.values,
    defaultValue: error.message,
  });
}
