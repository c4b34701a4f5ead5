/**
 * The designer's rules for a stage's time settings, `deadline` and `escalation`. Takes the raw
 * stage (a draft may be half-drawn) and returns every problem at once. Never throws.
 */
import type { TimeSpanProblem, ValidationError } from '../definition/types.ts';
import { isWithinWaitMax, parseDuration } from '../duration.ts';
import { isWorkingDuration } from './deadline.ts';

/** The most steps one escalation ladder may have. */
export const MAX_ESCALATION_STEPS = 10;

const ACTIONS = new Set(['notify', 'reassign']);
const NAMED_TARGETS = new Set(['responsible', 'initiator', 'admins', 'next_online']);
/** A stage is handed to one person: not to its own responsible, not to a group. */
const REASSIGN_TARGETS = new Set(['initiator', 'next_online']);

export interface StageTimingContext {
  /** Whether an employee id exists; unchecked when absent. */
  readonly employeeExists?: ((id: string) => boolean) | undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(obj: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}

/** What is wrong with a duration and its `working` flag, or null when nothing is. */
function spanProblem(duration: unknown, working: unknown): TimeSpanProblem | null {
  if (working !== undefined && typeof working !== 'boolean') return 'shape';
  const parsed = parseDuration(duration);
  if (!parsed) return 'format';
  if (!isWithinWaitMax(parsed)) return 'too_long';
  if (parsed.duration.toMillis() <= 0) return 'not_positive';
  if (working === true && !isWorkingDuration(parsed)) return 'working_units';
  return null;
}

const SPAN_TEXT: Record<TimeSpanProblem, string> = {
  shape: 'is an object with an ISO 8601 duration and an optional "working" flag',
  format: 'is not an ISO 8601 duration',
  too_long: 'is longer than 10 years',
  not_positive: 'must be longer than zero',
  working_units: 'counts working time in hours and minutes only (PT18H is two 9-hour working days)',
};

/**
 * Checks the `deadline` and `escalation` of one raw stage whose key is `key`. An end stage or a
 * wait stage may have neither: their clock never runs.
 */
export function validateStageTiming(
  stage: Readonly<Record<string, unknown>>,
  key: string,
  ctx: StageTimingContext = {},
): ValidationError[] {
  const errors: ValidationError[] = [];
  const where = { stage: key };
  const deadline = field(stage, 'deadline');
  const escalation = field(stage, 'escalation');
  const kind = field(stage, 'kind');
  const reason = kind === 'end' ? 'end_stage' : field(stage, 'wait') !== undefined ? 'wait_stage' : null;
  const stageText = reason === 'end_stage' ? 'an end stage' : 'a wait stage';

  if (deadline !== undefined) {
    const problem = isObject(deadline)
      ? spanProblem(field(deadline, 'duration'), field(deadline, 'working'))
      : 'shape';
    if (problem) {
      errors.push({
        code: 'invalid_deadline',
        message: `Stage "${key}": the deadline ${SPAN_TEXT[problem]}.`,
        ...where,
        params: { problem },
      });
    }
    if (reason) {
      errors.push({
        code: 'timing_not_allowed',
        message: `Stage "${key}" is ${stageText}; it cannot have a deadline.`,
        ...where,
        params: { setting: 'deadline', reason },
      });
    }
  }

  if (escalation === undefined) return errors;
  const stepError = (step: number | null, problem: EscalationProblem, text: string): void => {
    const at = step === null ? 'the escalation' : `escalation step ${step + 1}`;
    errors.push({
      code: 'invalid_escalation',
      message: `Stage "${key}": ${at} ${text}.`,
      ...where,
      params: { step, problem },
    });
  };
  if (!Array.isArray(escalation)) {
    stepError(null, 'shape', 'must be a list of steps');
    return errors;
  }
  if (escalation.length > MAX_ESCALATION_STEPS) {
    stepError(null, 'too_many', `has more than ${MAX_ESCALATION_STEPS} steps`);
  }
  if (reason && escalation.length > 0) {
    errors.push({
      code: 'timing_not_allowed',
      message: `Stage "${key}" is ${stageText}; it cannot escalate.`,
      ...where,
      params: { setting: 'escalation', reason },
    });
  }
  escalation.forEach((step: unknown, index) => {
    if (!isObject(step)) {
      stepError(index, 'shape', 'is not an object with "after" and "action"');
      return;
    }
    const problem = spanProblem(field(step, 'after'), field(step, 'working'));
    if (problem) stepError(index, problem, `"after" ${SPAN_TEXT[problem]}`);
    const action = field(step, 'action');
    if (typeof action !== 'string' || !ACTIONS.has(action)) {
      stepError(index, 'action', 'must notify or reassign');
    }
    const to = field(step, 'to');
    if (to === undefined) return;
    if (typeof to === 'string') {
      if (!NAMED_TARGETS.has(to)) {
        stepError(
          index,
          'target',
          'goes to the responsible, the initiator, the admins, the next online or an employee',
        );
      } else if (action === 'reassign' && !REASSIGN_TARGETS.has(to)) {
        stepError(
          index,
          'target_for_action',
          'hands the stage to the initiator, the next online or an employee',
        );
      }
      return;
    }
    const employeeId = isObject(to) ? field(to, 'employeeId') : undefined;
    if (typeof employeeId !== 'string' || employeeId === '') {
      stepError(
        index,
        'target',
        'goes to the responsible, the initiator, the admins, the next online or an employee',
      );
    } else if (ctx.employeeExists && !ctx.employeeExists(employeeId)) {
      errors.push({
        code: 'unknown_employee',
        message: `Stage "${key}": escalation step ${index + 1} names an employee who does not exist.`,
        ...where,
        params: { role: 'escalation_target' },
      });
    }
  });
  return errors;
}

type EscalationProblem = Extract<ValidationError, { code: 'invalid_escalation' }>['params']['problem'];
