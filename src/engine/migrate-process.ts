/**
 * Moving one process to another version of its definition: load it, let the domain decide, then
 * write the re-keyed process, its protocol entry, timers and tasks in one transaction. A dry run of
 * one process takes the same path and stops before writing; a dry run of many
 * (`previewMigrations`) reads the same inputs for a page of processes at once and asks the same
 * domain function, so both answer what applying would.
 */

import type { Actor, EngineContext } from '../context.ts';
import { notFound } from '../domain/errors.ts';
import {
  type MigrationContext,
  type MigrationDecision,
  type MigrationFacts,
  type MigrationPlan,
  migrate,
} from '../domain/process/migrate.ts';
import type { Effect } from '../domain/process/step.ts';
import { CommandWrites } from '../store/command-writes.ts';
import type { LoadedVersion } from '../store/definition-cache.ts';
import {
  migrationInputsOf,
  restageTasks,
  timersOfProcess,
  unfinishedTasksOfVisit,
} from '../store/process-migration.ts';
import type { ProcessRow } from '../store/processes.ts';
import { applyEffects, saveState, stateOf, writeScope } from './apply-effects.ts';
import { inTransaction, loadForWrite } from './run-command.ts';
import { stepContextFor } from './step-context.ts';

/** Two loaded versions of one definition and how stages map between them. */
export interface VersionMigration {
  readonly from: LoadedVersion;
  readonly to: LoadedVersion;
  readonly stageMap: Readonly<Record<string, string>>;
}

/** What happened (or, in a dry run, would happen) to one process. */
export interface MigrationItem {
  readonly processId: string;
  /** The stage the process is at. */
  readonly from: string;
  /** The stage it moves to; null when its stage has none in the new version (or it has ended). */
  readonly to: string | null;
  readonly outcome: 'moved' | 'would_move' | 'refused';
  /** Why it was refused: a migration refusal or an error code. */
  readonly reason?: string;
  readonly message?: string;
}

export function planOf(migration: VersionMigration): MigrationPlan {
  return {
    fromVersion: migration.from.version,
    toVersion: migration.to.version,
    from: migration.from.compiled,
    to: migration.to.compiled,
    stageMap: migration.stageMap,
  };
}

/**
 * Migrates one process (administrators only, like any change of what a process runs). In a dry run
 * nothing is written (its transaction is rolled back, as a refusal's is). A refusal is an answer,
 * not an error; errors (the process unknown, the caller not allowed) are thrown as for any command.
 */
export async function migrateProcess(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  migration: VersionMigration,
  options: { readonly dryRun: boolean; readonly reason?: string | undefined },
): Promise<MigrationItem> {
  return inTransaction(ctx, async (tx, log) => {
    const row = await loadForWrite(tx, ctx, actor, processId, { requires: 'admin' });
    const [timers, unfinishedTasks] =
      row.definition_id === migration.to.id
        ? await Promise.all([timersOfProcess(tx, row.id), unfinishedTasksOfVisit(tx, row.id, row.visit)])
        : [[], []];
    const now = ctx.clock.now();
    const { working } = await stepContextFor(tx, ctx, migration.to, now, new Set());
    const { answer, decision } = decideMigration(
      row,
      { version: row.definition_version, timers, unfinishedTasks },
      migration,
      {
        now,
        zone: ctx.zone,
        actorId: actor.id,
        working,
        reason: options.reason,
      },
    );
    if (!decision || options.dryRun) throw new NothingWritten(answer);

    // The update and the rows that record the move are written together, as a command's are.
    const writes = new CommandWrites();
    const saved = await saveState(tx, row, decision.process, now, undefined, writes, migration.to.version);
    const effects: Effect[] = [];
    for (const effect of decision.effects) {
      if (effect.type === 'tasks.restage') await restageTasks(tx, row.id, effect.taskIds, effect.stageKey);
      else effects.push(effect);
    }
    await applyEffects(writeScope(tx, ctx, log), {
      row: saved,
      writes,
      def: migration.to,
      effects,
      now,
      responsibleBefore: row.responsible_id,
    });
    return { ...answer, outcome: 'moved' } as const;
  }).catch(answerOfUnwritten);
}

/**
 * A dry run over many processes (administrators only): what `migrateProcess` would answer for
 * each, decided by the same domain function from the same inputs, read for all of them at once
 * (three statements) instead of in a transaction per process. Nothing is locked or written;
 * applying reads and decides again, each process in its own transaction.
 */
export async function previewMigrations(
  ctx: EngineContext,
  actor: Actor,
  processIds: readonly string[],
  migration: VersionMigration,
  options: { readonly reason?: string | undefined } = {},
): Promise<MigrationItem[]> {
  const db = ctx.store.db;
  const inputs = await migrationInputsOf(db, processIds);
  const rows = new Map(inputs.rows.map((r) => [r.id, r]));
  const now = ctx.clock.now();
  const { working } = await stepContextFor(db, ctx, migration.to, now, new Set());
  return processIds.map((processId): MigrationItem => {
    const row = rows.get(processId);
    if (!row) {
      const error = notFound('Process', processId);
      return {
        processId,
        from: '',
        to: null,
        outcome: 'refused',
        reason: error.code,
        message: error.message,
      };
    }
    const facts = {
      version: row.definition_version,
      timers: inputs.timers.get(processId) ?? [],
      unfinishedTasks: inputs.unfinishedTasks.get(processId) ?? [],
    };
    const at = { now, zone: ctx.zone, actorId: actor.id, working, reason: options.reason };
    return decideMigration(row, facts, migration, at).answer;
  });
}

/**
 * The domain's decision for one loaded process and what it answers: a refusal (a process of another
 * definition, or one the domain refuses), or the move it would make (`would_move`) with the decision
 * to write.
 */
function decideMigration(
  row: ProcessRow,
  facts: MigrationFacts,
  migration: VersionMigration,
  at: MigrationContext,
): { answer: MigrationItem; decision?: Extract<MigrationDecision, { outcome: 'move' }> } {
  const { id: processId } = row;
  if (row.definition_id !== migration.to.id) {
    const message = 'The process runs on another definition.';
    return {
      answer: {
        processId,
        from: row.stage_key,
        to: null,
        outcome: 'refused',
        reason: 'not_on_version',
        message,
      },
    };
  }
  const decision = migrate(stateOf(row), facts, planOf(migration), at);
  if (decision.outcome === 'refuse') {
    const { from, to, reason, message } = decision;
    return { answer: { processId, from, to, outcome: 'refused', reason, message } };
  }
  return { answer: { processId, from: decision.from, to: decision.to, outcome: 'would_move' }, decision };
}

/**
 * An answer that wrote nothing (a refusal, a dry run): its transaction is rolled back rather than
 * committed. It locked the process row, and on PostgreSQL committing that lock would wait for a
 * flush to disk; a dry run over thousands of processes would spend most of its time there.
 */
class NothingWritten {
  constructor(readonly answer: MigrationItem) {}
}

function answerOfUnwritten(error: unknown): MigrationItem {
  if (error instanceof NothingWritten) return error.answer;
  throw error;
}
