/**
 * The one catalogue of error codes. Every error a client can see has a stable snake_case code,
 * an HTTP status, and a kind: `user` errors are the caller's (4xx), `operational` ones are the
 * environment's (busy database: retried), `unexpected` ones are bugs (500).
 */
export const ERROR_CATALOGUE = {
  validation_failed: { status: 400, kind: 'user', text: 'The request is malformed.' },
  malformed_json: { status: 400, kind: 'user', text: 'The request body is not valid JSON.' },
  invalid_cursor: { status: 400, kind: 'user', text: 'The paging cursor is not valid.' },
  unauthorized: { status: 401, kind: 'user', text: 'Log in first.' },
  invalid_credentials: { status: 401, kind: 'user', text: 'Wrong login or password.' },
  forbidden: { status: 403, kind: 'user', text: 'You are not allowed to do this.' },
  not_stage_responsible: {
    status: 403,
    kind: 'user',
    text: 'This stage belongs to its responsible; take it over first to work on it.',
  },
  not_found: { status: 404, kind: 'user', text: 'Not found.' },
  method_not_allowed: { status: 405, kind: 'user', text: 'This method is not allowed here.' },
  version_conflict: {
    status: 409,
    kind: 'user',
    text: 'Someone changed this in the meantime; reload and retry.',
  },
  duplicate: { status: 409, kind: 'user', text: 'Such a record already exists.' },
  too_large: { status: 413, kind: 'user', text: 'The request is too large.' },
  unsupported_media_type: { status: 415, kind: 'user', text: 'This content type is not supported.' },
  invalid_definition: { status: 422, kind: 'user', text: 'The process definition is not valid.' },
  definition_not_published: {
    status: 422,
    kind: 'user',
    text: 'Only a published definition can be launched.',
  },
  reference_not_found: { status: 422, kind: 'user', text: 'A referenced record does not exist.' },
  blocking_task_open: { status: 422, kind: 'user', text: 'A blocking task of this stage is still open.' },
  result_required: { status: 422, kind: 'user', text: 'Choose a result: the stage has several ways out.' },
  unknown_result: { status: 422, kind: 'user', text: 'This stage has no such result.' },
  process_not_active: { status: 422, kind: 'user', text: 'The process is not active.' },
  stage_already_started: { status: 422, kind: 'user', text: 'Work on this stage has already started.' },
  stage_waiting: {
    status: 422,
    kind: 'user',
    text: 'This stage is waiting and continues by itself when the wait ends; it cannot be finished by hand.',
  },
  invalid_duration: { status: 422, kind: 'user', text: 'The duration is not valid.' },
  invalid_time: { status: 422, kind: 'user', text: 'The time is not valid.' },
  task_not_open: { status: 422, kind: 'user', text: 'The task is not open.' },
  spawn_limit_exceeded: {
    status: 422,
    kind: 'user',
    text: 'This would launch more child processes at once than allowed.',
  },
  timer_not_parked: { status: 409, kind: 'user', text: 'The timer is not parked.' },
  idempotency_key_reused: {
    status: 422,
    kind: 'user',
    text: 'This Idempotency-Key was already used for a different request.',
  },
  idempotency_answer_lost: {
    status: 409,
    kind: 'user',
    text: 'The first request with this Idempotency-Key took effect, but its answer was lost; reload.',
  },
  rate_limited: { status: 429, kind: 'user', text: 'Too many attempts; wait a little.' },
  malformed_request: { status: 400, kind: 'user', text: 'The HTTP request is malformed.' },
  request_timeout: { status: 408, kind: 'user', text: 'The request took too long to arrive.' },
  headers_too_large: { status: 431, kind: 'user', text: 'The request headers are too large.' },
  database_busy: { status: 503, kind: 'operational', text: 'The database is busy; retry.' },
  pool_exhausted: {
    status: 503,
    kind: 'operational',
    text: 'The server is handling as much as it can; retry in a moment.',
  },
  database_unavailable: {
    status: 503,
    kind: 'operational',
    text: 'The database cannot be reached right now; retry in a moment.',
  },
  internal: { status: 500, kind: 'unexpected', text: 'Something went wrong on our side.' },
} as const satisfies Record<
  string,
  { status: number; kind: 'user' | 'operational' | 'unexpected'; text: string }
>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error the domain or engine raises on purpose; the API turns it into the error shape. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CATALOGUE[code].text);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

/** Raises a `not_found` error; used for records that do not exist or that the caller may not see. */
export function notFound(what: string, id?: string): DomainError {
  return new DomainError('not_found', `${what} not found.`, id === undefined ? undefined : { id });
}
