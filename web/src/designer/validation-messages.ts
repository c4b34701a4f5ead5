/**
 * Validation problems in the reader's language, naming stages by their names (the validator speaks
 * English and uses keys). Codes this file does not know keep the validator's own message.
 */
import type { TFunction } from 'i18next';
import type { Stage, Transition, ValidationError } from '../api/types.ts';

export interface ErrorSubjects {
  readonly stages: readonly Stage[];
  readonly transitions: readonly Transition[];
}

const KNOWN = new Set([
  'invalid_shape',
  'invalid_stage',
  'duplicate_stage_key',
  'empty_stage_name',
  'invalid_kind',
  'invalid_responsibles',
  'duplicate_responsible',
  'unknown_employee',
  'invalid_event',
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
]);

/** Which variant of a code the validator's message describes (it has one code for several cases). */
function variant(error: ValidationError): string | null {
  if (error.code === 'invalid_task') {
    if (error.message.includes('title')) return 'invalid_task_title';
    if (error.message.includes('responsible or')) return 'invalid_task_assignee';
    return 'invalid_task';
  }
  if (error.code === 'invalid_duration') {
    if (error.message.includes('startDelay')) return 'invalid_duration_startDelay';
    if (error.message.includes('dueIn')) return 'invalid_duration_dueIn';
    return 'invalid_duration_wait';
  }
  return KNOWN.has(error.code) ? error.code : null;
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
  const code = variant(error);
  if (!code) return error.message;
  const transition = error.transition === undefined ? undefined : transitions[error.transition];
  return t(`errors.${code}`, {
    stage: stageLabel(error.stage ?? transition?.from, stages),
    key: error.stage ?? '',
    n: (error.transition ?? 0) + 1,
    result: transition?.result ?? '',
    from: stageLabel(transition?.from, stages),
    to: stageLabel(transition?.to, stages),
    defaultValue: error.message,
  });
}
