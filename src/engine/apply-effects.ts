/**
 * Applies what the state machine decided, inside the caller's transaction: the process row, its
 * protocol, members, tasks, events, timers, notifications and child processes all commit together.
 */
import type { Insertable } from 'kysely';
import { type CommittedNotification, type EngineContext, ROUTING_PRESENCE_MS } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { MAX_SPAWN_DEPTH, type SpawnLimits } from '../domain/definition/spawn-limits.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import type { StageClock } from '../domain/process/stage-clock.ts';
import { type Effect, launch, type ProcessState, startTask } from '../domain/process/step.ts';
import type { CommandWrites } from '../store/command-writes.ts';
import type { LoadedVersion } from '../store/definition-cache.ts';
import { currentVersion } from '../store/definitions.ts';
import { activeAdminIds } from '../store/employees.ts';
import { insertEvents } from '../store/events.ts';
import { insertLinks, linksOf } from '../store/links.ts';
import { type ProcessUpdate, updateProcessesIfVersion } from '../store/process-batch.ts';
import {
  addMembers,
  insertProcess,
  insertProtocol,
  type ProcessRow,
  updateProcessIfVersion,
} from '../store/processes.ts';
import type {
  EventTable,
  NotificationTable,
  ProcessLinkTable,
  ProcessMemberTable,
  ProtocolTable,
  TaskTable,
  TimerTable,
} from '../store/schema.ts';
import { recordStageVisits, stageVisitChanges, type VisitOwner } from '../store/stage-visits.ts';
import { recordStageVisitsOfMany, type VisitStep } from '../store/stage-visits-batch.ts';
import type { Db } from '../store/store.ts';
import { insertTasks, reassignFollowingTasks } from '../store/tasks.ts';
import {
  deferTimer,
  deleteTimers,
  releaseDeferredTimers,
  setTimers,
  TIMER_CONFLICT_KEY,
} from '../store/timers.ts';
import { faultPoint } from './fault-points.ts';
import { limitsOf } from './limits.ts';
import { type NotificationDraft, notificationRows, writeNotifications } from './notifications.ts';
import { stepContextFor, workingTimeFor } from './step-context.ts';

export { logNotifications } from './notifications.ts';

/** Collects what a transaction did that must be announced after it commits. */
export class CommitLog {
  readonly notifications: CommittedNotification[] = [];
  /**
   * Set by a bulk launch: its `process.launched` notifications are held here instead of written,
   * so the launch can write one grouped row per recipient (see launch.ts).
   */
  heldLaunches: Insertable<NotificationTable>[] | undefined;
}

/**
 * Counts the processes one launch or one command creates, nested children included, and refuses
 * (422, the whole transaction rolls back) past the configured limits: a spawned definition may have
 * been republished bigger than when the spawning one was checked at publish.
 */
export class SpawnBudget {
  #created = 0;
  constructor(readonly limits: SpawnLimits) {}

  /** Counts one more process; throws `spawn_limit_exceeded` when that is one too many. */
  take(definitionId: string, depth: number): void {
    if (depth > MAX_SPAWN_DEPTH) {
      throw new DomainError(
        'spawn_limit_exceeded',
        `Child processes would nest more than ${MAX_SPAWN_DEPTH} levels deep (definitions that spawn each other?).`,
        { limit: 'depth', max: MAX_SPAWN_DEPTH, definitionId },
      );
    }
    this.#created++;
    if (this.#created > this.limits.perLaunch) {
      throw new DomainError(
        'spawn_limit_exceeded',
        `This would create more than ${this.limits.perLaunch} processes at once, nested children included.`,
        { limit: 'perLaunch', max: this.limits.perLaunch, definitionId },
      );
    }
  }

  /** Refuses a stage whose spawn list is longer than allowed (the limit may have been lowered). */
  checkStage(stageKey: string, spawns: number): void {
    if (spawns > this.limits.perStage) {
      throw new DomainError(
        'spawn_limit_exceeded',
        `Stage "${stageKey}" spawns ${spawns} processes; a stage may spawn at most ${this.limits.perStage}.`,
        { limit: 'perStage', max: this.limits.perStage, stage: stageKey },
      );
    }
  }
}

/**
 * What a launch or a command writes with: its transaction and commit log, and how deep in spawned
 * children it is, all of them counted against one budget.
 */
export interface WriteScope {
  readonly tx: Db;
  readonly ctx: EngineContext;
  readonly log: CommitLog;
  readonly depth: number;
  readonly budget: SpawnBudget;
}

/** The scope of a launch or a command itself: depth 0 and a budget of its own. */
export function writeScope(tx: Db, ctx: EngineContext, log: CommitLog): WriteScope {
  return { tx, ctx, log, depth: 0, budget: new SpawnBudget(limitsOf(ctx).spawn) };
}

export function stateOf(row: ProcessRow): ProcessState {
  return {
    id: row.id,
    status: row.status,
    stageKey: row.stage_key,
    stageState: row.stage_state,
    visit: row.visit,
    responsibleId: row.responsible_id,
    enteredAt: row.entered_at,
    note: row.note,
    pausedUntil: row.paused_until,
    completedAt: row.completed_at,
    actingForId: row.acting_for_id ?? null,
    initiatorId: row.initiator_id,
    dueAt: row.due_at ?? null,
    clock: row.stage_clock ? (JSON.parse(row.stage_clock) as StageClock) : null,
    routingUntil: row.routing_until ?? null,
  };
}

/**
 * The responsibles of every stage the process could enter next, whose presence routing needs (with
 * `current`, those of the stage it is at too: an escalation hands it to the next online there).
 */
export function candidateResponsibles(
  def: LoadedVersion,
  stageKey: string | null,
  current = false,
): string[] {
  const keys =
    stageKey === null
      ? [def.compiled.start.key]
      : (def.compiled.outgoing.get(stageKey) ?? []).map((t) => t.to);
  if (current && stageKey !== null) keys.push(stageKey);
  const ids = new Set<string>();
  for (const key of keys) for (const id of def.compiled.stages.get(key)?.responsibles ?? []) ids.add(id);
  return [...ids];
}

/** Which of `ids` are online, read through `db` (inside a transaction: the transaction's connection). */
export async function onlineSet(
  ctx: EngineContext,
  db: Db,
  ids: readonly string[],
): Promise<ReadonlySet<string>> {
  return ids.length === 0 ? new Set() : ctx.presence.onlineAmong(db, ids, { recentMs: ROUTING_PRESENCE_MS });
}

export interface LaunchSpec {
  readonly definitionId: string;
  readonly actorId: string;
  readonly counterpartyId: string | null;
  readonly note: string;
  readonly links: readonly { readonly type: ProcessLinkTable['type']; readonly id: string }[];
  readonly parentId: string | null;
}

/** The latest published version of a definition, or a 422 when it has none. */
export async function publishedVersion(
  tx: Db,
  ctx: EngineContext,
  definitionId: string,
): Promise<LoadedVersion> {
  const def = await currentVersion(tx, definitionId);
  if (!def) throw notFound('Definition', definitionId);
  if (def.version === 0) {
    throw new DomainError('definition_not_published', undefined, { definitionId });
  }
  return ctx.definitions.load(tx, definitionId, def.version);
}

/** Launches a process inside the given transaction and returns its row. */
export async function launchInTransaction(scope: WriteScope, spec: LaunchSpec): Promise<ProcessRow> {
  const { tx, ctx } = scope;
  scope.budget.take(spec.definitionId, scope.depth);
  const def = await publishedVersion(tx, ctx, spec.definitionId);
  const now = ctx.clock.now();
  const online = await onlineSet(ctx, tx, candidateResponsibles(def, null));
  const outcome = launch(
    { id: ctx.newId(), actorId: spec.actorId, note: spec.note, parentId: spec.parentId },
    await stepContextFor(tx, ctx, def, now, online),
  );
  const p = outcome.process;
  const row: ProcessRow = {
    id: p.id,
    definition_id: def.id,
    definition_version: def.version,
    status: p.status,
    stage_key: p.stageKey,
    stage_state: p.stageState,
    visit: p.visit,
    responsible_id: p.responsibleId,
    entered_at: p.enteredAt,
    note: p.note,
    counterparty_id: spec.counterpartyId,
    initiator_id: spec.actorId,
    parent_id: spec.parentId,
    paused_until: p.pausedUntil,
    started_at: now,
    updated_at: now,
    completed_at: p.completedAt,
    version: 1,
    due_at: p.dueAt,
    acting_for_id: p.actingForId,
    stage_clock: p.clock ? JSON.stringify(p.clock) : null,
    routing_until: p.routingUntil,
  };
  await insertProcess(tx, row);
  if (spec.links.length > 0) {
    await insertLinks(tx, row.id, spec.links);
  }
  await applyEffects(scope, { row, def, effects: outcome.effects, now, links: spec.links });
  return row;
}

interface ApplyInput {
  /** The process row as it now stands (already written). */
  readonly row: ProcessRow;
  readonly def: LoadedVersion;
  readonly effects: readonly Effect[];
  readonly now: number;
  /** The process's links, inherited by spawned children; loaded on demand when absent. */
  readonly links?: LaunchSpec['links'] | undefined;
  /** The responsible before this change (absent on launch): already a `responsible` member. */
  readonly responsibleBefore?: string | null | undefined;
  /** Holds the rows that only record the change, to be written with other commands' (WriteBatch). */
  readonly batch?: WriteBatch | undefined;
  /**
   * Holds the process's update (saveState) and the rows that record the change until all are
   * known, then writes them together; a command's own writes, when no batch holds them.
   */
  readonly writes?: CommandWrites | undefined;
  /** The stage visit the process was at before the change (see VisitOwner). */
  readonly visitBefore?: VisitOwner['current'];
}

/** Rows per multi-row statement: well under either store's limit on bound parameters. */
const ROWS_PER_STATEMENT = 500;

async function inChunks<T>(rows: readonly T[], write: (chunk: readonly T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
    await write(rows.slice(i, i + ROWS_PER_STATEMENT));
}

/**
 * The rows several commands of one transaction append (protocol, stage visits, members, tasks,
 * events, timers, notifications, and optionally the processes' new states), held and written by `flush` as one statement per table instead of a few per
 * command. Nothing reads these rows back within the command that wrote them, but a later command
 * on the same process may: the caller flushes before it (`holds`).
 */
export class WriteBatch {
  readonly #protocol: Insertable<ProtocolTable>[] = [];
  readonly #members: ProcessMemberTable[] = [];
  readonly #tasks: Insertable<TaskTable>[] = [];
  readonly #events: Insertable<EventTable>[] = [];
  readonly #timers: Insertable<TimerTable>[] = [];
  readonly #notifications: Insertable<NotificationTable>[] = [];
  readonly #visits: VisitStep[] = [];
  readonly #updates: ProcessUpdate[] = [];
  readonly #processes = new Set<string>();

  /**
   * With `holdsUpdates`, the new states of processes are held too and written first at `flush`,
   * as one version-checked statement: only for a caller that has locked the processes' rows
   * before stepping them, or whose transaction is the store's only writer (SQLite), so that no
   * version can move underneath.
   */
  constructor(readonly holdsUpdates = false) {}

  /** Holds a version-checked update of a process's row. */
  update(change: ProcessUpdate): void {
    this.#processes.add(change.id);
    this.#updates.push(change);
  }

  /** Whether rows of this process are held. */
  holds(processId: string): boolean {
    return this.#processes.has(processId);
  }

  add(
    processId: string,
    rows: {
      protocol: readonly Insertable<ProtocolTable>[];
      members: readonly ProcessMemberTable[];
      tasks: readonly Insertable<TaskTable>[];
      events: readonly Insertable<EventTable>[];
      timers: readonly Insertable<TimerTable>[];
      notifications: readonly Insertable<NotificationTable>[];
      visits: VisitStep;
    },
  ): void {
    this.#processes.add(processId);
    this.#visits.push(rows.visits);
    this.#protocol.push(...rows.protocol);
    this.#members.push(...rows.members);
    this.#tasks.push(...rows.tasks);
    this.#events.push(...rows.events);
    this.#timers.push(...rows.timers);
    this.#notifications.push(...rows.notifications);
  }

  /** Writes what is held, one statement per table (per ROWS_PER_STATEMENT rows), and forgets it. */
  async flush(tx: Db, log: CommitLog): Promise<void> {
    const updates = this.#updates.splice(0);
    if (updates.length > 0 && (await updateProcessesIfVersion(tx, updates)) !== updates.length) {
      throw new DomainError('version_conflict', undefined, { processIds: updates.map((u) => u.id) });
    }
    await inChunks(this.#protocol.splice(0), (rows) => insertProtocol(tx, rows));
    await recordStageVisitsOfMany(tx, this.#visits.splice(0));
    await inChunks(this.#members.splice(0), (rows) => addMembers(tx, rows));
    await inChunks(this.#tasks.splice(0), (rows) => insertTasks(tx, rows));
    await inChunks(this.#events.splice(0), (rows) => insertEvents(tx, rows));
    await inChunks(this.#timers.splice(0), (rows) => setTimers(tx, rows));
    await inChunks(this.#notifications.splice(0), (rows) => writeNotifications(tx, rows, log));
    this.#processes.clear();
  }
}

/**
 * Writes the new state of an existing process, checking its version; 409 when someone was faster.
 * A batch that holds process updates takes the write instead (see WriteBatch), and so do the
 * command's held writes, which check the version when applyEffects writes them.
 */
export async function saveState(
  tx: Db,
  before: ProcessRow,
  next: ProcessState,
  now: number,
  batch?: WriteBatch,
  writes?: CommandWrites,
  /** The definition version the process moves to (a migration), written in the same update. */
  version?: number,
): Promise<ProcessRow> {
  const patch = {
    definition_version: version ?? before.definition_version,
    status: next.status,
    stage_key: next.stageKey,
    stage_state: next.stageState,
    visit: next.visit,
    responsible_id: next.responsibleId,
    entered_at: next.enteredAt,
    note: next.note,
    paused_until: next.pausedUntil,
    completed_at: next.completedAt,
    due_at: next.dueAt,
    acting_for_id: next.actingForId,
    stage_clock: next.clock ? JSON.stringify(next.clock) : null,
    routing_until: next.routingUntil,
    updated_at: now,
  };
  // Only the columns that changed are written: every index over an unchanged column stays untouched.
  const changed: Partial<typeof patch> = { updated_at: now };
  for (const key of Object.keys(patch) as (keyof typeof patch)[]) {
    if (patch[key] !== before[key]) Object.assign(changed, { [key]: patch[key] });
  }
  if (batch?.holdsUpdates) {
    batch.update({ id: before.id, expectedVersion: before.version, patch: changed });
    return { ...before, ...patch, version: before.version + 1 };
  }
  if (writes) {
    writes.updateProcess(before.id, before.version, changed);
    return { ...before, ...patch, version: before.version + 1 };
  }
  const ok = await updateProcessIfVersion(tx, before.id, before.version, changed);
  if (!ok) {
    throw new DomainError('version_conflict', undefined, { processId: before.id });
  }
  return { ...before, ...patch, version: before.version + 1 };
}

export async function applyEffects(scope: WriteScope, input: ApplyInput): Promise<void> {
  const { tx, ctx, log } = scope;
  const { row, def, now } = input;
  const spawns = input.effects.filter((e) => e.type === 'child.spawn');
  if (spawns[0]) scope.budget.checkStage(spawns[0].stageKey, spawns.length);
  const protocol: Insertable<ProtocolTable>[] = [];
  const members: ProcessMemberTable[] = [];
  const drafts: NotificationDraft[] = [];
  const tasks: Insertable<TaskTable>[] = [];
  const events: Insertable<EventTable>[] = [];
  const timers: Insertable<TimerTable>[] = [];
  const stageName = (key: string) => def.compiled.stages.get(key)?.name ?? key;
  const record = (action: string, actorId: string | null, details: Record<string, unknown>) =>
    protocol.push({
      process_id: row.id,
      at: now,
      actor_id: actorId,
      action,
      details: JSON.stringify(details),
    });
  const notify = (employeeId: string, kind: string, details: Readonly<Record<string, unknown>>) => {
    drafts.push({ id: ctx.newId(), employeeId, kind, details });
  };

  for (const effect of input.effects) {
    switch (effect.type) {
      case 'protocol':
        record(effect.action, effect.actorId, { ...effect.details });
        break;
      case 'member.add':
        // Every change of responsible adds this row and responsible rows are never removed, so
        // re-adding the one who stays responsible (the usual stage move) would be a no-op upsert.
        if (effect.role === 'responsible' && effect.employeeId === input.responsibleBefore) break;
        members.push({ process_id: row.id, employee_id: effect.employeeId, role: effect.role });
        break;
      case 'notify':
        notify(effect.employeeId, effect.kind, effect.details);
        break;
      case 'notify.admins':
        for (const adminId of await activeAdminIds(tx)) notify(adminId, effect.kind, effect.details);
        break;
      case 'task.create': {
        const id = ctx.newId();
        const start = startTask(
          {
            id,
            title: effect.title,
            stageKey: effect.stageKey,
            assigneeId: effect.assigneeId,
            startsAt: effect.startsAt,
          },
          effect.actorId,
          now,
        );
        tasks.push({
          id,
          process_id: row.id,
          stage_key: effect.stageKey,
          visit: effect.visit,
          title: effect.title,
          description: effect.description,
          assignee_id: effect.assigneeId,
          follows_responsible: effect.followsResponsible ? 1 : 0,
          blocking: effect.blocking ? 1 : 0,
          status: start.status,
          starts_at: effect.startsAt,
          due_at: effect.dueAt,
          created_at: now,
          completed_at: null,
          completed_by: null,
        });
        record('task.created', effect.actorId, {
          taskId: id,
          title: effect.title,
          assigneeId: effect.assigneeId,
          blocking: effect.blocking,
          startsAt: isoTime(effect.startsAt),
          dueAt: isoTime(effect.dueAt),
        });
        if (effect.assigneeId)
          members.push({ process_id: row.id, employee_id: effect.assigneeId, role: 'task' });
        if (start.status === 'pending') {
          const { timer } = start;
          timers.push({
            key: timer.key,
            kind: timer.kind,
            process_id: row.id,
            due_at: timer.dueAt,
            deferred: 0,
          });
        } else {
          for (const opened of start.effects) {
            if (opened.type === 'protocol') record(opened.action, opened.actorId, { ...opened.details });
            else if (opened.type === 'notify') notify(opened.employeeId, opened.kind, opened.details);
          }
        }
        break;
      }
      case 'event.create': {
        const id = ctx.newId();
        events.push({
          id,
          process_id: row.id,
          stage_key: effect.stageKey,
          type: effect.eventType,
          comment: effect.comment,
          at: now,
          actor_id: effect.actorId,
        });
        record('event.created', effect.actorId, {
          eventId: id,
          type: effect.eventType,
          comment: effect.comment,
        });
        break;
      }
      case 'timer.set':
        timers.push({
          key: effect.key,
          kind: effect.kind,
          process_id: row.id,
          due_at: effect.dueAt,
          deferred: 0,
        });
        break;
      case 'timer.cancel':
        await deleteTimers(tx, row.id, effect.kind);
        break;
      case 'timer.defer':
        await deferTimer(tx, effect.key, row.id, effect.until);
        break;
      case 'timer.release':
        await releaseDeferredTimers(tx, row.id, now);
        break;
      case 'tasks.reassign': {
        const moved = await reassignFollowingTasks(tx, row.id, row.visit, effect.toId);
        for (const task of moved) {
          members.push({ process_id: row.id, employee_id: effect.toId, role: 'task' });
          record('task.reassigned', null, { taskId: task.id, from: effect.fromId, to: effect.toId });
        }
        break;
      }
      case 'child.spawn': {
        const links = input.links ?? (await inheritedLinks(tx, row.id));
        const child = await launchInTransaction(
          { ...scope, depth: scope.depth + 1 },
          {
            definitionId: effect.definitionId,
            actorId: effect.actorId ?? row.initiator_id,
            counterpartyId: row.counterparty_id,
            note: '',
            links,
            parentId: row.id,
          },
        );
        await faultPoint('mid-spawn');
        record('child.spawned', effect.actorId, {
          childId: child.id,
          definitionId: effect.definitionId,
          stage: effect.stageKey,
          stageName: stageName(effect.stageKey),
        });
        break;
      }
    }
  }
  const batch = input.batch;
  const changes = stageVisitChanges(protocol);
  const visits: VisitStep = {
    owner: {
      processId: row.id,
      definitionId: def.id,
      version: def.version,
      startedAt: row.started_at,
      current: input.visitBefore,
    },
    at: now,
    changes,
    working: changes.some((c) => c.kind === 'leave') ? await workingTimeFor(tx, ctx) : undefined,
  };
  const writes = input.writes;
  if (!batch && writes) {
    // The process's update and the rows below go together (one statement on PostgreSQL); members
    // after them, as their counters read the process's new status.
    writes.insert('protocol', protocol, (db) => insertProtocol(db, protocol));
    await recordStageVisits(tx, visits.owner, visits.at, visits.changes, visits.working, writes);
    writes.insert('tasks', tasks, (db) => insertTasks(db, tasks));
    writes.insert('events', events, (db) => insertEvents(db, events));
    writes.insert('timers', timers, (db) => setTimers(db, timers), TIMER_CONFLICT_KEY);
    if (!(await writes.flush(tx))) {
      throw new DomainError('version_conflict', undefined, { processId: row.id });
    }
    await addMembers(tx, members);
  } else if (!batch) {
    await insertProtocol(tx, protocol);
    await recordStageVisits(tx, visits.owner, visits.at, visits.changes, visits.working);
    await addMembers(tx, members);
    await insertTasks(tx, tasks);
    await insertEvents(tx, events);
    await setTimers(tx, timers);
  }
  const notifications = await notificationRows(tx, row, def, drafts, now);
  const held = log.heldLaunches;
  const written = held ? notifications.filter((n) => n.kind !== 'process.launched') : notifications;
  if (held) held.push(...notifications.filter((n) => n.kind === 'process.launched'));
  if (batch) batch.add(row.id, { protocol, members, tasks, events, timers, notifications: written, visits });
  else await writeNotifications(tx, written, log);
}

async function inheritedLinks(tx: Db, processId: string): Promise<LaunchSpec['links']> {
  const rows = await linksOf(tx, processId);
  return rows.map((r) => ({ type: r.type, id: r.linked_id }));
}
