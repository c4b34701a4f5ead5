/**
 * Table types for Kysely. Times are epoch milliseconds (bigint), booleans are 0/1 integers and
 * structured values are JSON text, so both dialects store and return exactly the same values.
 */
import type { ColumnType, Generated } from 'kysely';

export interface EmployeeTable {
  id: string;
  login: string;
  name: string;
  role: 'admin' | 'manager';
  password_hash: string;
  active: number;
  created_at: number;
}

export interface SessionTable {
  token_hash: string;
  employee_id: string;
  created_at: number;
  expires_at: number;
}

export interface CounterpartyTable {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  grp: string | null;
  created_at: number;
  updated_at: number;
}

export interface ProjectTable {
  id: string;
  name: string;
  counterparty_id: string | null;
  created_at: number;
  updated_at: number;
}

/** Orders, invoices, contracts and waybills share one shape. */
export interface DocumentTable {
  id: string;
  number: string;
  counterparty_id: string | null;
  amount: number | null;
  date: string | null;
  created_at: number;
  updated_at: number;
}

export interface DefinitionTable {
  id: string;
  name: string;
  description: string;
  /** The draft body (JSON of {stages, transitions}). */
  draft: string;
  status: 'draft' | 'published';
  /** The latest published version; 0 before the first publish. */
  version: number;
  /** 1 when the draft differs from the latest published version. */
  draft_changed: number;
  created_at: number;
  updated_at: number;
}

export interface DefinitionVersionTable {
  definition_id: string;
  version: number;
  name: string;
  body: string;
  published_at: number;
  published_by: string | null;
}

export interface ProcessTable {
  id: string;
  definition_id: string;
  definition_version: number;
  status: 'active' | 'paused' | 'completed' | 'cancelled';
  stage_key: string;
  stage_state: 'not_started' | 'in_progress' | 'done';
  visit: number;
  responsible_id: string | null;
  entered_at: number;
  note: string;
  counterparty_id: string | null;
  initiator_id: string;
  parent_id: string | null;
  paused_until: number | null;
  started_at: number;
  updated_at: number;
  completed_at: number | null;
  version: number;
  /** When the current stage falls due (its deadline on the stage clock); null without one or paused. */
  due_at: number | null;
  /** The absent employee the responsible stands in for as deputy. */
  acting_for_id: string | null;
  /** The stage clock of a timed stage, as JSON (see domain/process/stage-clock.ts); null otherwise. */
  stage_clock: string | null;
  /** While the stage waits for a listed responsible to come online: when it stops waiting. */
  routing_until: number | null;
}

/** Who is connected to a process: initiator, (former) responsible, task holder, or granted view/edit. */
export interface ProcessMemberTable {
  process_id: string;
  employee_id: string;
  role: 'initiator' | 'responsible' | 'task' | 'view' | 'edit';
}

export interface ProtocolTable {
  id: Generated<number>;
  process_id: string;
  at: number;
  actor_id: string | null;
  action: string;
  details: string;
}

export interface ProcessLinkTable {
  process_id: string;
  type: 'invoice' | 'order' | 'contract' | 'project' | 'waybill';
  linked_id: string;
}

export interface TaskTable {
  id: string;
  process_id: string | null;
  stage_key: string | null;
  visit: number | null;
  title: string;
  description: string | null;
  assignee_id: string | null;
  follows_responsible: number;
  blocking: number;
  status: 'pending' | 'open' | 'done';
  starts_at: number;
  due_at: number | null;
  created_at: number;
  completed_at: number | null;
  completed_by: string | null;
}

export interface EventTable {
  id: string;
  process_id: string | null;
  stage_key: string | null;
  type: string;
  comment: string | null;
  at: number;
  actor_id: string | null;
}

export interface TimerTable {
  key: string;
  kind: 'wait' | 'resume' | 'task.start' | 'escalate' | 'route';
  process_id: string;
  due_at: number;
  /** 1 for a wait that fell due while its process was paused. */
  deferred: number;
  /** Failed attempts to fire it so far. */
  attempts: Generated<number>;
  /** Set when it failed too often: a parked timer is no longer claimed, and admins see it. */
  parked_at: number | null;
  last_error: string | null;
}

/** The first answer to a POST that carried an Idempotency-Key, replayed for repeats. */
export interface IdempotencyKeyTable {
  employee_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status: number;
  body: string;
  created_at: number;
}

export interface NotificationTable {
  id: string;
  employee_id: string;
  kind: string;
  process_id: string | null;
  text: string;
  details: string;
  read: number;
  at: number;
}

export interface AttachmentTable {
  id: string;
  process_id: string;
  name: string;
  size: number;
  content_type: string;
  sha256: string;
  created_at: number;
  created_by: string | null;
}

export interface PresenceTable {
  node_id: string;
  employee_id: string;
  connections: number;
  heartbeat_at: number;
}

/**
 * One row per stage visit, written with the protocol entries that record it: when the process
 * entered the stage, and when and how it left (a transition with its result, the end of the
 * process at an end stage, or its cancellation). Null `left_by`: the process is in the stage now.
 */
export interface StageVisitTable {
  process_id: string;
  visit: number;
  definition_id: string;
  version: number;
  stage_key: string;
  entered_at: number;
  left_at: number | null;
  left_by: 'transition' | 'end' | 'cancel' | null;
  result: string | null;
  to_stage: string | null;
  /** `left_at - entered_at` once left. */
  duration_ms: number | null;
  /** Working time on the business calendar in force when the visit was left; null while open. */
  working_ms: number | null;
}

/** Closed stage visits counted per UTC day of entry and way out ('' for no result or target). */
export interface AnalyticsVisitCountTable {
  definition_id: string;
  version: number;
  stage_key: string;
  day: number;
  /** '' counts the visits still open (result and target '' too). */
  left_by: 'transition' | 'end' | 'cancel' | '';
  result: string;
  to_stage: string;
  n: number;
  /** 1: the folded count of the key; 0: a delta added since (analytics-rollups.ts). */
  base: ColumnType<number, number | undefined, number>;
}

/**
 * Histograms of times (analytics-rollups.ts): per stage ('' for the process as a whole) and UTC
 * day or month of entry or launch, how many times fell in each log-spaced bucket.
 */
export interface AnalyticsDurationTable {
  definition_id: string;
  version: number;
  stage_key: string;
  grain: 'day' | 'month';
  /** The period's first day, in days since 1970-01-01. */
  period: number;
  measure: 'wall' | 'working' | 'lead';
  bucket: number;
  n: number;
  /** 1: the folded count of the key; 0: a delta added since (analytics-rollups.ts). */
  base: ColumnType<number, number | undefined, number>;
}

/** Processes counted per UTC day of launch and status (the running ones kept by triggers). */
export interface AnalyticsProcessCountTable {
  definition_id: string;
  version: number;
  day: number;
  status: 'active' | 'paused' | 'completed' | 'cancelled';
  n: number;
  /** 1: the folded count of the key; 0: a delta added since (analytics-rollups.ts). */
  base: ColumnType<number, number | undefined, number>;
}

export interface SettingTable {
  key: string;
  value: string;
}

/**
 * An employee's absence with the deputy who acts for them. The row is its own durable timer: the
 * worker applies its start and its end once each (`started_at`/`ended_at` set in that transaction).
 */
export interface AbsenceTable {
  id: string;
  employee_id: string;
  deputy_id: string;
  from_at: number;
  to_at: number;
  /** 1: the employee's current stages move to the deputy when it starts and back when it ends. */
  move_open_work: number;
  created_by: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
}

export interface Database {
  employees: EmployeeTable;
  sessions: SessionTable;
  counterparties: CounterpartyTable;
  projects: ProjectTable;
  orders: DocumentTable;
  invoices: DocumentTable;
  contracts: DocumentTable;
  waybills: DocumentTable;
  definitions: DefinitionTable;
  definition_versions: DefinitionVersionTable;
  processes: ProcessTable;
  process_members: ProcessMemberTable;
  protocol: ProtocolTable;
  process_links: ProcessLinkTable;
  tasks: TaskTable;
  events: EventTable;
  timers: TimerTable;
  notifications: NotificationTable;
  attachments: AttachmentTable;
  presence: PresenceTable;
  settings: SettingTable;
  idempotency_keys: IdempotencyKeyTable;
  stage_visits: StageVisitTable;
  analytics_visit_counts: AnalyticsVisitCountTable;
  analytics_durations: AnalyticsDurationTable;
  analytics_process_counts: AnalyticsProcessCountTable;
  absences: AbsenceTable;
}
