/**
 * The shape of every command on a running process: load it, check the caller may act, let the
 * state machine decide, then write the new state and apply its effects in one transaction.
 */

import type { Actor, EngineContext } from '../context.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { type Command, step } from '../domain/process/step.ts';
import { findProcessForCommand } from '../store/command-load.ts';
import { CommandWrites } from '../store/command-writes.ts';
import type { LoadedVersion } from '../store/definition-cache.ts';
import { type ProcessRow, recordChange } from '../store/processes.ts';
import type { Db } from '../store/store.ts';
import { countOpenBlockingTasks } from '../store/tasks.ts';
import {
  applyEffects,
  CommitLog,
  candidateResponsibles,
  onlineSet,
  saveState,
  stateOf,
  type WriteBatch,
  writeScope,
} from './apply-effects.ts';
import { faultPoint } from './fault-points.ts';
import { stepContextFor } from './step-context.ts';

export interface CommandOptions {
  /** The version the caller last saw; 409 when the process has moved on since. */
  readonly expectedVersion?: number | undefined;
  /** Who may run it: anyone with edit access (default), or administrators only. */
  readonly requires?: 'edit' | 'admin';
}

/** Runs `tx`-bound work and announces its notifications once it has committed. */
export async function inTransaction<T>(
  ctx: EngineContext,
  work: (tx: Db, log: CommitLog) => Promise<T>,
): Promise<T> {
  // A fresh log per attempt: a transaction the store runs again must not announce twice.
  let log = new CommitLog();
  const result = await ctx.store.transaction(async (tx) => {
    log = new CommitLog();
    const value = await work(tx, log);
    await faultPoint('before-commit');
    return value;
  });
  await faultPoint('after-commit');
  if (log.notifications.length > 0) ctx.onNotifications?.(log.notifications);
  return result;
}

/** Loads a process the actor may act on: 404 when they may not see it, 403 when they may only look. */
export async function loadForWrite(
  tx: Db,
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  options: CommandOptions = {},
): Promise<ProcessRow> {
  // The row and the caller's access come in one statement.
  const found = await findProcessForCommand(tx, processId, actor, ctx.store.caps.rowLocks);
  const row = found?.row;
  const access = found?.access ?? 'none';
  if (!row || access === 'none') throw notFound('Process', processId);
  if (access !== 'edit' || (options.requires === 'admin' && actor.role !== 'admin')) {
    throw new DomainError('forbidden', 'You may not change this process.');
  }
  if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
    throw new DomainError('version_conflict', undefined, {
      expected: options.expectedVersion,
      actual: row.version,
    });
  }
  return row;
}

/**
 * Records, now and by the actor, a change that is not a state change (a file, a link, access) in the
 * protocol; returns the moment it was recorded at.
 */
export async function recordActorChange(
  tx: Db,
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  action: string,
  details: Record<string, unknown>,
): Promise<number> {
  const now = ctx.clock.now();
  await recordChange(tx, { processId, at: now, actorId: actor.id, action, details });
  return now;
}

/**
 * Applies a command to a loaded process within the transaction; returns the row as it now stands.
 * With `batch`, the rows that only record the change are held there for the caller to write.
 */
export async function applyCommand(
  tx: Db,
  ctx: EngineContext,
  row: ProcessRow,
  command: Command,
  log: CommitLog,
  batch?: WriteBatch,
): Promise<{ row: ProcessRow; def: LoadedVersion; changed: boolean }> {
  const def = await ctx.definitions.load(tx, row.definition_id, row.definition_version);
  const moves = command.type === 'stage.finish' || command.type === 'wait.elapse';
  const stage = def.compiled.stages.get(row.stage_key);
  const openBlockingTasks =
    command.type === 'stage.finish' && stage?.task?.blocking
      ? await countOpenBlockingTasks(tx, row.id, row.visit)
      : 0;
  const online =
    moves || command.type === 'escalate'
      ? await onlineSet(ctx, tx, candidateResponsibles(def, row.stage_key, command.type === 'escalate'))
      : new Set<string>();
  const now = ctx.clock.now();
  const outcome = step(
    stateOf(row),
    command,
    await stepContextFor(tx, ctx, def, now, online, { openBlockingTasks }),
  );
  // A stale timer, or a change to what already is: nothing to write, no version bump.
  if (outcome.ignored || outcome.effects.length === 0) return { row, def, changed: false };
  // Without a batch, the update and the rows that record the change are written together.
  const writes = batch ? undefined : new CommandWrites();
  const saved = await saveState(tx, row, outcome.process, now, batch, writes);
  await applyEffects(writeScope(tx, ctx, log), {
    row: saved,
    def,
    effects: outcome.effects,
    now,
    responsibleBefore: row.responsible_id,
    batch,
    writes,
    visitBefore: { visit: row.visit, stageKey: row.stage_key, enteredAt: row.entered_at },
  });
  return { row: saved, def, changed: true };
}

/** Loads, checks, steps and saves: the whole of a user command on one process. */
export async function runProcessCommand(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  command: Command,
  options: CommandOptions = {},
): Promise<ProcessRow> {
  return inTransaction(ctx, async (tx, log) => {
    const row = await loadForWrite(tx, ctx, actor, processId, options);
    return (await applyCommand(tx, ctx, row, command, log)).row;
  });
}
