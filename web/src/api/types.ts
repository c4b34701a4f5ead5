/**
 * Shapes of the API's answers, as the web app reads them: the server's own contract
 * (src/api/contract.ts, the response schemas /api/openapi.json publishes) and the domain's types.
 * The web app imports them from here only.
 */

export type {
  Absence,
  BulkAnswer,
  BulkItem,
  CalendarAnswer,
  Counterparty,
  Definition,
  DefinitionVersion,
  DocumentRecord,
  Employee,
  EventItem,
  MigrationAnswer,
  MigrationItem,
  Notification,
  Page,
  ProcessCard,
  ProcessCounts,
  ProcessStatus,
  ProcessSummary,
  Project,
  ProtocolEntry,
  Ref,
  Stage,
  StageAnalyticsAnswer,
  StageKind,
  StageState,
  StageTask,
  Task,
  TaskCompletion,
  Transition,
} from '../../../src/api/contract.ts';
/** One problem the definition validator found: the server's own type (its codes are a closed union). */
export type { ValidationCode, ValidationError } from '../../../src/domain/definition/types.ts';
export type { LinkType } from '../../../src/domain/records.ts';
