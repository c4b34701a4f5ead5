/**
 * The one catalogue of error codes. Every error a client can see has a stable snake_case code,
 * an HTTP status, and a kind: `user` errors are the caller's (4xx), `operational` ones are the
 * environment's (busy database: retried), `unexpected` ones are bugs (500).
 */
type ErrorKind = 'user' | 'operational' | 'unexpected';

/** Every code with its HTTP status, its kind and the message it carries when none is given. */
// biome-ignore format: one error a line, as the table it is
const ERROR_TABLE = {
  validation_failed: [400, 'user', 'The request is malformed.'],
  malformed_json: [400, 'user', 'The request body is not valid JSON.'],
  invalid_cursor: [400, 'user', 'The paging cursor is not valid.'],
  unauthorized: [401, 'user', 'Log in first.'],
  invalid_credentials: [401, 'user', 'Wrong login or password.'],
  forbidden: [403, 'user', 'You are not allowed to do this.'],
  not_stage_responsible: [403, 'user', 'This stage belongs to its responsible; take it over first to work on it.'],
  not_found: [404, 'user', 'Not found.'],
  method_not_allowed: [405, 'user', 'This method is not allowed here.'],
  version_conflict: [409, 'user', 'Someone changed this in the meantime; reload and retry.'],
  duplicate: [409, 'user', 'Such a record already exists.'],
  too_large: [413, 'user', 'The request is too large.'],
  unsupported_media_type: [415, 'user', 'This content type is not supported.'],
  invalid_definition: [422, 'user', 'The process definition is not valid.'],
  definition_not_published: [422, 'user', 'Only a published definition can be launched.'],
  reference_not_found: [422, 'user', 'A referenced record does not exist.'],
  blocking_task_open: [422, 'user', 'A blocking task of this stage is still open.'],
  result_required: [422, 'user', 'Choose a result: the stage has several ways out.'],
  unknown_result: [422, 'user', 'This stage has no such result.'],
  process_not_active: [422, 'user', 'The process is not active.'],
  stage_already_started: [422, 'user', 'Work on this stage has already started.'],
  stage_waiting: [422, 'user', 'This stage is waiting and continues by itself when the wait ends; it cannot be finished by hand.'],
  invalid_duration: [422, 'user', 'The duration is not valid.'],
  invalid_time: [422, 'user', 'The time is not valid.'],
  task_not_open: [422, 'user', 'The task is not open.'],
  spawn_limit_exceeded: [422, 'user', 'This would launch more child processes at once than allowed.'],
  timer_not_parked: [409, 'user', 'The timer is not parked.'],
  idempotency_key_reused: [422, 'user', 'This Idempotency-Key was already used for a different request.'],
  idempotency_answer_lost: [409, 'user', 'The first request with this Idempotency-Key took effect, but its answer was lost; reload.'],
  rate_limited: [429, 'user', 'Too many attempts; wait a little.'],
  malformed_request: [400, 'user', 'The HTTP request is malformed.'],
  request_timeout: [408, 'user', 'The request took too long to arrive.'],
  headers_too_large: [431, 'user', 'The request headers are too large.'],
  database_busy: [503, 'operational', 'The database is busy; retry.'],
  pool_exhausted: [503, 'operational', 'The server is handling as much as it can; retry in a moment.'],
  database_unavailable: [503, 'operational', 'The database cannot be reached right now; retry in a moment.'],
  internal: [500, 'unexpected', 'Something went wrong on our side.'],
} as const satisfies Record<string, readonly [status: number, kind: ErrorKind, text: string]>;

type ErrorTable = typeof ERROR_TABLE;

export const ERROR_CATALOGUE = Object.fromEntries(
  Object.entries(ERROR_TABLE).map(([code, [status, kind, text]]) => [code, { status, kind, text }]),
) as {
  readonly [C in keyof ErrorTable]: {
    readonly status: ErrorTable[C][0];
    readonly kind: ErrorTable[C][1];
    readonly text: ErrorTable[C][2];
  };
};

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
