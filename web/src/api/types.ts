/** Shapes of the API's answers, as the web app reads them (the server's OpenAPI document, /api/openapi.json). */

import type { ValidationError } from '../../../src/domain/definition/types.ts';

export interface Ref {
  id: string;
  name: string;
}

export interface Employee {
  id: string;
  login: string;
  name: string;
  role: 'admin' | 'manager';
  online: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type ProcessStatus = 'active' | 'paused' | 'completed' | 'cancelled';
export type StageState = 'not_started' | 'in_progress' | 'done';
export type StageKind = 'start' | 'normal' | 'end';

export interface ProcessSummary {
  id: string;
  version: number;
  definition: { id: string; name: string; version: number };
  status: ProcessStatus;
  counterparty: Ref | null;
  initiator: Ref;
  note: string;
  stage: {
    key: string;
    name: string;
    kind: StageKind;
    state: StageState;
    responsible: Ref | null;
    enteredAt: string;
    /** When a waiting stage continues by itself; null when it is not waiting. */
    waitingUntil: string | null;
  };
  parentId: string | null;
  pausedUntil: string | null;
  startedAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface ProcessCard extends ProcessSummary {
  next: {
    result: string;
    stage: { key: string; name: string; kind: StageKind };
    responsibles: (Ref & { online: boolean })[];
  }[];
  children: {
    id: string;
    definition: { id: string; name: string; version: number };
    status: ProcessStatus;
  }[];
  links: { type: LinkType; id: string; label: string | null }[];
  attachments: { id: string; name: string; size: number; contentType: string; createdAt: string }[];
  access: { employeeId: string; level: 'view' | 'edit' }[];
  myAccess: 'view' | 'edit';
  mayMoveStage: boolean;
  /** False while the stage waits (or the process is not active): Finish is not possible then. */
  mayFinishStage: boolean;
}

export type LinkType = 'invoice' | 'order' | 'contract' | 'project' | 'waybill';

export interface StageTask {
  title: string;
  description?: string;
  assignee: 'responsible' | { employeeId: string };
  blocking?: boolean;
  startDelay?: string;
  dueIn?: string;
}

export interface Stage {
  key: string;
  name: string;
  kind: StageKind;
  responsibles?: string[];
  task?: StageTask;
  event?: { type: string; comment?: string };
  wait?: string;
  spawn?: string[];
  position?: { x: number; y: number };
}

export interface Transition {
  from: string;
  to: string;
  result: string;
}

/** One problem the definition validator found: the server's own type (its codes are a closed union). */
export type { ValidationCode, ValidationError } from '../../../src/domain/definition/types.ts';

export interface Definition {
  id: string;
  name: string;
  description: string;
  status: 'draft' | 'published';
  version: number;
  draftChanged: boolean;
  stages: Stage[];
  transitions: Transition[];
  versions: { version: number; publishedAt: string }[];
  validation?: { valid: boolean; errors: ValidationError[] };
  createdAt: string;
  updatedAt: string;
}

export interface ProtocolEntry {
  id: string;
  at: string;
  actor: Ref | null;
  action: string;
  details: Record<string, unknown>;
}

export interface Task {
  id: string;
  title: string;
  description: string | null;
  processId: string | null;
  stageKey: string | null;
  assignee: Ref | null;
  assigneeId: string | null;
  blocking: boolean;
  status: 'pending' | 'open' | 'done';
  startsAt: string;
  dueAt: string | null;
  overdue: boolean;
  createdAt?: string;
  completedAt?: string | null;
  completedBy?: string | null;
}

export interface EventItem {
  id: string;
  type: string;
  comment: string | null;
  processId: string | null;
  stageKey: string | null;
  at: string;
  actorId?: string | null;
}

export interface Notification {
  id: string;
  kind: string;
  processId: string | null;
  text: string;
  details?: Record<string, unknown>;
  read: boolean;
  at: string;
}

export interface Counterparty {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  group: string | null;
  createdAt?: string;
  updatedAt?: string;
}

export interface Project {
  id: string;
  name: string;
  counterpartyId: string | null;
  createdAt?: string;
  updatedAt?: string;
}

export interface DocumentRecord {
  id: string;
  number: string;
  counterpartyId: string | null;
  amount: number | null;
  date: string | null;
  createdAt?: string;
  updatedAt?: string;
}

/** `GET /api/processes/counts`: how many processes the journal filter matches, per status. */
export type ProcessCounts = Record<ProcessStatus, number>;

/** `POST /api/tasks/:id/complete`. */
export interface TaskCompletion {
  task: Task;
  process: ProcessCard | null;
}

/** A published version as frozen (GET /api/definitions/:id/versions/:version). */
export interface DefinitionVersion {
  id: string;
  version: number;
  name: string;
  stages: Stage[];
  transitions: Transition[];
  publishedAt: string;
}
