/**
 * The answers of the API: one zod schema per answer shape, and the TypeScript type it stands for.
 * The routes declare these as their response schemas (so every answer is checked against them and
 * /api/openapi.json describes them); the web app imports the types. Only zod and the domain here:
 * nothing that runs only on the server.
 */
import { z } from 'zod';
import {
  type Stage as DomainStage,
  type StageTask as DomainStageTask,
  type ValidationResult as DomainValidationResult,
  VALIDATION_CODES,
} from '../domain/definition/types.ts';
import { ERROR_CATALOGUE, type ErrorCode } from '../domain/errors.ts';
import { LINK_TYPES } from '../domain/records.ts';

/** Every time in an answer: ISO 8601 in UTC. */
const time = z.iso.datetime().describe('ISO 8601 UTC time');

/** A page of a list: the items and the cursor of the next page (null on the last one). */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// ---------------------------------------------------------------- errors

const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

/** The one shape of every failure (4xx and 5xx). */
export const errorSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .describe('The error: a stable code to switch on, an English message, and details');
export type ErrorAnswer = z.infer<typeof errorSchema>;

/** The error answers every route may give, for its response schema. */
export const errorResponses = { '4xx': errorSchema, '5xx': errorSchema } as const;

/** An answer without a body (204). */
export const noContentSchema = z.null().describe('No content');

/** The bytes of a file, sent as they are (never serialized). */
export const fileBytesSchema = z
  .any()
  .meta({ type: 'string', format: 'binary', description: 'The bytes of the file' });

// ---------------------------------------------------------------- people

export const refSchema = z.strictObject({ id: z.string(), name: z.string() });
export type Ref = z.infer<typeof refSchema>;

export const employeeSchema = z.strictObject({
  id: z.string(),
  login: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'manager']),
  online: z.boolean(),
});
export type Employee = z.infer<typeof employeeSchema>;

export const loginAnswerSchema = z.strictObject({ token: z.string(), employee: employeeSchema });
export type LoginAnswer = z.infer<typeof loginAnswerSchema>;

export const sessionAnswerSchema = z.strictObject({ employee: employeeSchema.nullable() });
export type SessionAnswer = z.infer<typeof sessionAnswerSchema>;

export const logoutAnswerSchema = z.strictObject({ ok: z.literal(true) });

export const employeePageSchema = pageSchema(employeeSchema);

// ---------------------------------------------------------------- definitions

export const stageKindSchema = z.enum(['start', 'normal', 'end']);
export type StageKind = z.infer<typeof stageKindSchema>;

export const stageTaskSchema = z.strictObject({
  title: z.string(),
  description: z.string().optional(),
  assignee: z.union([z.literal('responsible'), z.strictObject({ employeeId: z.string() })]),
  blocking: z.boolean().optional(),
  startDelay: z.string().optional(),
  dueIn: z.string().optional(),
});
export type StageTask = z.infer<typeof stageTaskSchema>;

/** Calendar time, or with `working` working time on the business calendar. */
export const timeSpanSchema = z.strictObject({ duration: z.string(), working: z.boolean().optional() });

export const escalationStepSchema = z.strictObject({
  after: z.string(),
  working: z.boolean().optional(),
  action: z.enum(['notify', 'reassign']),
  to: z
    .union([
      z.enum(['responsible', 'initiator', 'admins', 'next_online']),
      z.strictObject({ employeeId: z.string() }),
    ])
    .optional(),
});

/** A stage as a definition stores it (the draft, or a published version). */
export const stageSchema = z.strictObject({
  key: z.string(),
  name: z.string(),
  kind: stageKindSchema,
  responsibles: z.array(z.string()).readonly().optional(),
  task: stageTaskSchema.optional(),
  event: z.strictObject({ type: z.string(), comment: z.string().optional() }).optional(),
  wait: z.string().optional(),
  spawn: z.array(z.string()).readonly().optional(),
  deadline: timeSpanSchema.optional(),
  escalation: z.array(escalationStepSchema).readonly().optional(),
  position: z.strictObject({ x: z.number(), y: z.number() }).optional(),
});
export type Stage = z.infer<typeof stageSchema>;

/**
 * Every field a stage of the domain may have is in the schema: a field missing here would make an
 * answer fail its (strict) schema at run time, so it fails compiling instead.
 */
type Unlisted<Domain, Schema> = Exclude<keyof Domain, keyof Schema>;
const stageFieldsListed: [Unlisted<DomainStage, Stage> | Unlisted<DomainStageTask, StageTask>] extends [never]
  ? true
  : false = true;
void stageFieldsListed;

export const transitionSchema = z.strictObject({ from: z.string(), to: z.string(), result: z.string() });
export type Transition = z.infer<typeof transitionSchema>;

/**
 * One problem the definition validator found. Its `params` are the typed facts of the codes that
 * cover several cases; `ValidationError` in the domain is their precise type, and the type the
 * answers below are given.
 */
export const validationErrorSchema = z.strictObject({
  code: z.enum(VALIDATION_CODES),
  message: z.string(),
  stage: z.string().optional(),
  transition: z.number().int().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
});

export const validationResultSchema = z.strictObject({
  valid: z.boolean(),
  errors: z.array(validationErrorSchema).readonly(),
});

export const definitionSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(['draft', 'published']),
  /** The latest published version; 0 before the first publication. */
  version: z.number().int(),
  draftChanged: z.boolean(),
  stages: z.array(stageSchema).readonly(),
  transitions: z.array(transitionSchema).readonly(),
  versions: z.array(z.strictObject({ version: z.number().int(), publishedAt: time })),
  validation: validationResultSchema.optional(),
  createdAt: time,
  updatedAt: time,
});

export const definitionPageSchema = pageSchema(definitionSchema);

/** A published version as frozen: what processes launched with it run on. */
export const definitionVersionSchema = z.strictObject({
  id: z.string(),
  version: z.number().int(),
  name: z.string(),
  stages: z.array(stageSchema).readonly(),
  transitions: z.array(transitionSchema).readonly(),
  publishedAt: time,
});

// ---------------------------------------------------------------- processes

export const processStatusSchema = z.enum(['active', 'paused', 'completed', 'cancelled']);
export type ProcessStatus = z.infer<typeof processStatusSchema>;
export const stageStateSchema = z.enum(['not_started', 'in_progress', 'done']);
export type StageState = z.infer<typeof stageStateSchema>;
export const linkTypeSchema = z.enum(LINK_TYPES);

const definitionRef = z.strictObject({ id: z.string(), name: z.string(), version: z.number().int() });

/** A process as the journal lists it. */
export const processSummarySchema = z.strictObject({
  id: z.string(),
  /** Grows with every change; sent back as `expectedVersion`. */
  version: z.number().int(),
  definition: definitionRef,
  status: processStatusSchema,
  counterparty: refSchema.nullable(),
  initiator: refSchema,
  note: z.string(),
  stage: z.strictObject({
    key: z.string(),
    name: z.string(),
    kind: stageKindSchema,
    state: stageStateSchema,
    responsible: refSchema.nullable(),
    enteredAt: time,
    /** When a waiting stage continues by itself; null when it is not waiting. */
    waitingUntil: time.nullable(),
    /** When the stage falls due (its deadline); null without one, or while the process is paused. */
    dueAt: time.nullable(),
    /** Whether the stage is past its deadline now. */
    overdue: z.boolean(),
    /** The absent employee the responsible stands in for as deputy. */
    actingFor: refSchema.nullable(),
    /** While nobody listed is online: until when the stage waits for one before it goes to the first listed. */
    awaitingResponsibleUntil: time.nullable(),
  }),
  parentId: z.string().nullable(),
  pausedUntil: time.nullable(),
  startedAt: time,
  updatedAt: time,
  completedAt: time.nullable(),
});

export const accessLevelSchema = z.enum(['view', 'edit']);

/** What is known of an upload wherever it is shown. */
const uploadFields = { id: z.string(), name: z.string(), size: z.number().int(), contentType: z.string() };

/** The process card: the summary with what the card shows besides. */
export const processCardSchema = processSummarySchema.extend({
  next: z.array(
    z.strictObject({
      result: z.string(),
      stage: z.strictObject({ key: z.string(), name: z.string(), kind: stageKindSchema }),
      responsibles: z.array(refSchema.extend({ online: z.boolean() })),
    }),
  ),
  children: z.array(
    z.strictObject({ id: z.string(), definition: definitionRef, status: processStatusSchema }),
  ),
  links: z.array(z.strictObject({ type: linkTypeSchema, id: z.string(), label: z.string().nullable() })),
  attachments: z.array(z.strictObject({ ...uploadFields, createdAt: time })),
  access: z.array(z.strictObject({ employeeId: z.string(), level: accessLevelSchema })),
  myAccess: accessLevelSchema,
  /** Whether the caller may start or finish the current stage. */
  mayMoveStage: z.boolean(),
  /** False while the stage waits (or the process is not active): finishing is not possible then. */
  mayFinishStage: z.boolean(),
});

export const processPageSchema = pageSchema(processSummarySchema);
export const processCardListSchema = z.strictObject({ items: z.array(processCardSchema) });

/** How many processes the journal filter matches, per status. */
export const processCountsSchema = z.strictObject({
  active: z.number().int(),
  paused: z.number().int(),
  completed: z.number().int(),
  cancelled: z.number().int(),
  /** The counts are lower bounds: a one- or two-character search compared only so many rows. */
  atLeast: z.literal(true).optional(),
});

export const protocolEntrySchema = z.strictObject({
  id: z.string(),
  at: time,
  actor: refSchema.nullable(),
  action: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export const protocolPageSchema = pageSchema(protocolEntrySchema);

/** An upload, as stored. */
export const attachmentSchema = z.strictObject({ ...uploadFields, sha256: z.string() });

// ---------------------------------------------------------------- tasks, events, notifications

/** The process and stage a task or an event belongs to; both null for a standalone one. */
const processStage = { processId: z.string().nullable(), stageKey: z.string().nullable() };

export const taskSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  ...processStage,
  assignee: refSchema.nullable(),
  assigneeId: z.string().nullable(),
  blocking: z.boolean(),
  status: z.enum(['pending', 'open', 'done']),
  startsAt: time,
  dueAt: time.nullable(),
  overdue: z.boolean(),
  createdAt: time,
  completedAt: time.nullable(),
  completedBy: z.string().nullable(),
});
export const taskPageSchema = pageSchema(taskSchema);

/** The completed task and the card of its process (null when the caller may no longer see it). */
export const taskCompletionSchema = z.strictObject({
  task: taskSchema,
  process: processCardSchema.nullable(),
});

export const eventSchema = z.strictObject({
  id: z.string(),
  type: z.string(),
  comment: z.string().nullable(),
  ...processStage,
  at: time,
  actorId: z.string().nullable(),
});
export const eventPageSchema = pageSchema(eventSchema);

export const notificationSchema = z.strictObject({
  id: z.string(),
  kind: z.string(),
  processId: z.string().nullable(),
  text: z.string(),
  details: z.record(z.string(), z.unknown()),
  read: z.boolean(),
  at: time,
});
export const notificationPageSchema = pageSchema(notificationSchema).extend({
  /** How many of the caller's notifications are unread, on every page. */
  unread: z.number().int(),
});
export const readAllAnswerSchema = z.strictObject({ updated: z.number().int() });

// ---------------------------------------------------------------- CRM records

const recordTimes = { createdAt: time, updatedAt: time };

export const counterpartySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  group: z.string().nullable(),
  ...recordTimes,
});
export const projectSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  counterpartyId: z.string().nullable(),
  ...recordTimes,
});
/** Orders, invoices, contracts and waybills. */
export const documentRecordSchema = z.strictObject({
  id: z.string(),
  number: z.string(),
  counterpartyId: z.string().nullable(),
  amount: z.number().nullable(),
  date: z.iso.date().nullable(),
  ...recordTimes,
});

// ---------------------------------------------------------------- administration and system

export const timerKindSchema = z.enum(['wait', 'resume', 'task.start', 'escalate', 'route']);

/** A durable timer: its key, its kind, its process and when it falls due. */
const timerSchema = z.strictObject({
  key: z.string(),
  kind: timerKindSchema,
  processId: z.string(),
  dueAt: time,
});

export const parkedTimerSchema = timerSchema.extend({
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  parkedAt: time.nullable(),
});
export const parkedTimerPageSchema = pageSchema(parkedTimerSchema);

export const reconcileReportSchema = z.strictObject({
  missingTimers: z.array(timerSchema),
  orphanTimers: z.array(timerSchema),
  repaired: z.boolean(),
});

export const healthSchema = z.strictObject({ status: z.literal('ok'), store: z.string(), time });
export const unhealthySchema = z.strictObject({ status: z.literal('unavailable'), store: z.string() });

/** /api/openapi.json: the OpenAPI document itself (its inside is @fastify/swagger's). */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

export const testClockAnswerSchema = z.strictObject({ now: time, fired: z.number().int() });

// ---------------------------------------------------------------- types

export type LinkType = z.infer<typeof linkTypeSchema>;
export type AccessLevel = z.infer<typeof accessLevelSchema>;
/** Validation's verdict, its errors typed precisely per code. */
export type ValidationResult = DomainValidationResult;
export type Definition = Omit<z.infer<typeof definitionSchema>, 'validation'> & {
  validation?: ValidationResult;
};
export type DefinitionVersion = z.infer<typeof definitionVersionSchema>;
export type ProcessSummary = z.infer<typeof processSummarySchema>;
export type ProcessCard = z.infer<typeof processCardSchema>;
export type ProcessCounts = z.infer<typeof processCountsSchema>;
export type ProtocolEntry = z.infer<typeof protocolEntrySchema>;
export type Attachment = z.infer<typeof attachmentSchema>;
export type Task = z.infer<typeof taskSchema>;
export type TaskCompletion = z.infer<typeof taskCompletionSchema>;
export type EventItem = z.infer<typeof eventSchema>;
export type Notification = z.infer<typeof notificationSchema>;
export type NotificationPage = z.infer<typeof notificationPageSchema>;
export type Counterparty = z.infer<typeof counterpartySchema>;
export type Project = z.infer<typeof projectSchema>;
export type DocumentRecord = z.infer<typeof documentRecordSchema>;
export type ParkedTimer = z.infer<typeof parkedTimerSchema>;
export type ReconcileReport = z.infer<typeof reconcileReportSchema>;
export type Health = z.infer<typeof healthSchema>;
export type OpenApiDocument = z.infer<typeof openApiDocumentSchema>;

// ---------------------------------------------------------------- time control

const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD');
const clockTime = z.string().regex(/^\d{2}:\d{2}$/, 'a time, HH:mm');

/** The business calendar: as `GET /api/calendar` answers and `PUT /api/calendar` takes it. */
export const calendarSchema = z
  .strictObject({
    zone: z.string().min(1).max(100).describe('IANA time zone the hours and dates are read in'),
    workingDays: z
      .array(z.number().int().min(1).max(7))
      .max(7)
      .describe('ISO weekdays: 1 = Monday … 7 = Sunday'),
    hours: z.strictObject({ from: clockTime, to: clockTime }),
    holidays: z.array(calendarDate).max(5000).describe('Non-working dates'),
    workingWeekends: z
      .array(calendarDate)
      .max(5000)
      .describe('Dates that are working days although their weekday is not'),
  })
  .describe('The business calendar: working days, working hours, holidays and moved working days');
export type CalendarAnswer = z.infer<typeof calendarSchema>;

export const absenceSchema = z.strictObject({
  id: z.string(),
  employeeId: z.string(),
  from: time,
  to: time,
  deputyId: z.string(),
  moveOpenWork: z.boolean(),
});
export type Absence = z.infer<typeof absenceSchema>;

// ---------------------------------------------------------------- stage analytics

const analyticsCount = z.number().int().min(0);
const analyticsMs = z.number().int().min(0).nullable();

/** The JSON answer of `GET /api/definitions/:id/analytics`. */
export const stageAnalyticsSchema = z.strictObject({
  definition: z.strictObject({ id: z.string(), version: z.number().int().optional() }),
  launched: analyticsCount,
  completed: analyticsCount,
  cancelled: analyticsCount,
  leadTimeMedianMs: analyticsMs,
  stages: z.array(
    z.strictObject({
      key: z.string(),
      name: z.string(),
      entered: analyticsCount,
      completed: analyticsCount,
      now: analyticsCount,
      medianMs: analyticsMs,
      p90Ms: analyticsMs,
      workingMedianMs: analyticsMs.describe('Median working time in the stage (business calendar)'),
      workingP90Ms: analyticsMs.describe('90th percentile of the working time in the stage'),
      results: z.array(
        z.strictObject({
          result: z.string(),
          to: z.string(),
          count: analyticsCount,
          share: z.number().min(0).max(1),
        }),
      ),
    }),
  ),
});
export type StageAnalyticsAnswer = z.infer<typeof stageAnalyticsSchema>;

// ---------------------------------------------------------------- version migration and bulk actions

export const migrationItemSchema = z.strictObject({
  processId: z.string(),
  from: z.string().describe('The stage the process is at'),
  to: z
    .string()
    .nullable()
    .describe('The stage of the new version it moves (or would move) to; null when it has none'),
  outcome: z.enum(['moved', 'would_move', 'refused']),
  reason: z
    .string()
    .optional()
    .describe(
      'Why it was refused: stage_unmapped, stage_is_end, waiting_timer, blocking_task_open, ' +
        'process_not_active, not_on_version, or an error code',
    ),
  message: z.string().optional(),
});
export type MigrationItem = z.infer<typeof migrationItemSchema>;

export const migrationAnswerSchema = z.strictObject({
  items: z.array(migrationItemSchema),
  next: z
    .string()
    .nullable()
    .describe('Pass as `after` to continue after a `limit`; null when every process was answered'),
});
export type MigrationAnswer = z.infer<typeof migrationAnswerSchema>;

export const bulkItemSchema = z.strictObject({
  processId: z.string(),
  outcome: z.enum(['done', 'refused']),
  code: z.string().optional().describe('Why it was refused: the error code, or a migration refusal'),
  message: z.string().optional(),
});
export type BulkItem = z.infer<typeof bulkItemSchema>;

export const bulkAnswerSchema = z.strictObject({ items: z.array(bulkItemSchema) });
export type BulkAnswer = z.infer<typeof bulkAnswerSchema>;
