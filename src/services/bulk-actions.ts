/**
 * Bulk actions from the journal: reassign, pause, resume, cancel or migrate many processes, named
 * by id or by a journal filter. Each process is checked and changed on its own, in its own
 * transaction, exactly as the single-process route would; one refusal never undoes another item.
 */

import type { Actor, EngineContext } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { applyBulkAction, type BulkCommand } from '../engine/bulk-action.ts';
import { migrateProcess, type VersionMigration } from '../engine/migrate-process.ts';
import { pauseEnd } from '../engine/pause-process.ts';
import { type JournalFilter, journal } from '../queries/process-card.ts';
import { accessOf, findProcess } from '../store/processes.ts';
import { requireEmployee } from '../store/references.ts';
import { loadMigration } from './migrations.ts';

/** Most processes one bulk request may name or match; more is a 413 `too_large`. */
export const BULK_MAX = 5000;

export const BULK_ACTIONS = ['reassign', 'pause', 'resume', 'cancel', 'migrate'] as const;
export type BulkActionType = (typeof BULK_ACTIONS)[number];

export interface BulkActionRequest {
  readonly ids?: readonly string[] | undefined;
  readonly filter?: JournalFilter | undefined;
  readonly action: BulkActionType;
  /** reassign: the new responsible. */
  readonly responsibleId?: string | undefined;
  /** pause: an ISO 8601 duration from now, or… */
  readonly for?: string | undefined;
  /** …an ISO 8601 time; the same for every item. */
  readonly until?: string | undefined;
  /** Recorded in each changed process's protocol. */
  readonly reason?: string | undefined;
  /** migrate: the version of each process's definition to move to. */
  readonly toVersion?: number | undefined;
}

export interface BulkItem {
  readonly processId: string;
  readonly outcome: 'done' | 'refused';
  /** Why it was refused: an error code, or a migration refusal. */
  readonly code?: string;
  readonly message?: string;
}

/** Journal pages read to resolve a filter. */
const FILTER_PAGE = 500;

function tooMany(count: number | null): DomainError {
  return new DomainError(
    'too_large',
    `A bulk action takes at most ${BULK_MAX} processes; narrow the filter or send fewer ids.`,
    { max: BULK_MAX, count },
  );
}

/** The processes a request names: its ids (each once, in order) or every visible match of its filter. */
async function targetsOf(ctx: EngineContext, actor: Actor, request: BulkActionRequest): Promise<string[]> {
  if (request.ids) {
    const ids = [...new Set(request.ids)];
    if (ids.length > BULK_MAX) throw tooMany(ids.length);
    return ids;
  }
  const filter = request.filter ?? {};
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    // Oldest first by start time, which no action changes, so the pages stay put.
    const page = await journal(ctx, actor, { filter, sort: 'startedAt', limit: FILTER_PAGE, cursor });
    ids.push(...page.items.map((p) => p.id));
    if (ids.length > BULK_MAX) throw tooMany(null);
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
}

/** The command every item runs, checked once for the whole request; null for a migration. */
async function commandOf(ctx: EngineContext, request: BulkActionRequest): Promise<BulkCommand | null> {
  switch (request.action) {
    case 'reassign': {
      if (request.responsibleId === undefined) throw missing('responsibleId');
      await requireEmployee(ctx.store.db, request.responsibleId, 'responsibleId');
      return { type: 'reassign', responsibleId: request.responsibleId };
    }
    case 'pause': {
      const until = pauseEnd(ctx, { for: request.for, until: request.until });
      if (until <= ctx.clock.now()) {
        throw new DomainError('invalid_time', 'A pause must end in the future.', { until: isoTime(until) });
      }
      return { type: 'pause', until };
    }
    case 'resume':
      return { type: 'resume' };
    case 'cancel':
      return { type: 'cancel' };
    case 'migrate':
      if (request.toVersion === undefined) throw missing('toVersion');
      return null;
  }
}

function missing(field: string): DomainError {
  return new DomainError('validation_failed', `This action needs "${field}".`, { field });
}

/** Runs one action over many processes and answers for each. */
export async function runBulkAction(
  ctx: EngineContext,
  actor: Actor,
  request: BulkActionRequest,
): Promise<{ items: BulkItem[] }> {
  if ((request.ids === undefined) === (request.filter === undefined)) {
    throw new DomainError('validation_failed', 'Give either "ids" or "filter".');
  }
  const command = await commandOf(ctx, request);
  const ids = await targetsOf(ctx, actor, request);
  const migrations = new Map<string, VersionMigration>();
  const items: BulkItem[] = [];
  for (const processId of ids) {
    try {
      if (command) {
        await applyBulkAction(ctx, actor, processId, command, request.reason);
        items.push({ processId, outcome: 'done' });
      } else {
        items.push(await migrateItem(ctx, actor, processId, request, migrations));
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      items.push({ processId, outcome: 'refused', code: error.code, message: error.message });
    }
  }
  return { items };
}

/**
 * Moves one process to `toVersion` of its own definition, every stage to the stage of the same key.
 * A refusal of the migration is an answer; the errors the engine raises (no access, unknown
 * version) are thrown.
 */
async function migrateItem(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  request: BulkActionRequest,
  migrations: Map<string, VersionMigration>,
): Promise<BulkItem> {
  const toVersion = request.toVersion ?? 0;
  const db = ctx.store.db;
  // Access first, so nothing about a process the caller may not change shows in the answer.
  const access = await accessOf(db, processId, actor);
  const row = access === 'none' ? undefined : await findProcess(db, processId);
  if (!row) throw notFound('Process', processId);
  if (access !== 'edit' || actor.role !== 'admin') {
    throw new DomainError('forbidden', 'Only administrators migrate processes.');
  }
  if (row.definition_version === toVersion) {
    return {
      processId,
      outcome: 'refused',
      code: 'already_on_version',
      message: `The process already runs on version ${toVersion}.`,
    };
  }
  const key = `${row.definition_id}@${row.definition_version}`;
  let migration = migrations.get(key);
  if (!migration) {
    migration = await loadMigration(ctx, row.definition_id, row.definition_version, toVersion, {});
    migrations.set(key, migration);
  }
  const item = await migrateProcess(ctx, actor, processId, migration, {
    dryRun: false,
    reason: request.reason?.trim() || undefined,
  });
  if (item.outcome !== 'refused') return { processId, outcome: 'done' };
  return {
    processId,
    outcome: 'refused',
    code: item.reason ?? 'refused',
    ...(item.message === undefined ? {} : { message: item.message }),
  };
}
