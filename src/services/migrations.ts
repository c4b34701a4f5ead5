/**
 * Migrating the running processes of one definition version to another: page by page over the
 * processes, each process in its own transaction, every one answered (moved, would move, or refused
 * and why); a dry run reads and decides a page at a time and writes nothing. Completed and cancelled processes stay on their version and are not listed.
 */

import { type Actor, type EngineContext, requireAdmin } from '../context.ts';
import { DomainError } from '../domain/errors.ts';
import { stageMapProblems } from '../domain/process/migrate.ts';
import {
  type MigrationItem,
  migrateProcess,
  planOf,
  previewMigrations,
  type VersionMigration,
} from '../engine/migrate-process.ts';
import { runningProcessIds } from '../store/process-migration.ts';
import { findProcess } from '../store/processes.ts';

export type { MigrationItem };

export interface MigrationRequest {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly stageMap?: Readonly<Record<string, string>> | undefined;
  readonly dryRun?: boolean | undefined;
  /** Continue after this process id (the previous answer's `next`). */
  readonly after?: string | undefined;
  /** At most this many processes in this answer; all of them when absent. */
  readonly limit?: number | undefined;
}

export interface MigrationAnswer {
  readonly items: MigrationItem[];
  /** Where the next call continues (`after`); null when every process was answered. */
  readonly next: string | null;
}

/** Processes read per page: each is then migrated in its own transaction. */
const PAGE = 200;

/** Loads both versions and checks the stage map: 404 for an unknown version, 422 for unknown stages. */
export async function loadMigration(
  ctx: EngineContext,
  definitionId: string,
  fromVersion: number,
  toVersion: number,
  stageMap: Readonly<Record<string, string>>,
): Promise<VersionMigration> {
  const db = ctx.store.db;
  const from = await ctx.definitions.load(db, definitionId, fromVersion);
  const to = await ctx.definitions.load(db, definitionId, toVersion);
  const migration: VersionMigration = { from, to, stageMap };
  const problems = stageMapProblems(planOf(migration));
  const first = problems[0];
  if (first) {
    throw new DomainError(
      'reference_not_found',
      first.problem === 'unknown_old_stage'
        ? `Version ${fromVersion} has no stage "${first.stage}".`
        : `Version ${toVersion} has no stage "${first.stage}".`,
      { field: first.field, problems },
    );
  }
  return migration;
}

/** Migrates (or, in a dry run, previews) the running processes of `fromVersion`. Administrators only. */
export async function migrateProcesses(
  ctx: EngineContext,
  actor: Actor,
  definitionId: string,
  request: MigrationRequest,
): Promise<MigrationAnswer> {
  requireAdmin(actor, 'Only administrators migrate processes.');
  const migration = await loadMigration(
    ctx,
    definitionId,
    request.fromVersion,
    request.toVersion,
    request.stageMap ?? {},
  );
  const dryRun = request.dryRun === true;
  const items: MigrationItem[] = [];
  let after = request.after;
  const limit = request.limit ?? Number.POSITIVE_INFINITY;
  while (items.length < limit) {
    const size = Math.min(PAGE, limit - items.length);
    const ids = await runningProcessIds(ctx.store.db, definitionId, request.fromVersion, after, size);
    if (dryRun) items.push(...(await previewMigrations(ctx, actor, ids, migration)));
    else for (const id of ids) items.push(await migrateOne(ctx, actor, id, migration));
    after = ids.at(-1) ?? after;
    if (ids.length < size) return { items, next: null };
  }
  // A full last page: more may follow (the next call answers none when none do).
  return { items, next: after ?? null };
}

/** One process's answer; an error the engine raises for it (a conflict, no access) is a refusal too. */
async function migrateOne(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  migration: VersionMigration,
): Promise<MigrationItem> {
  try {
    return await migrateProcess(ctx, actor, processId, migration, { dryRun: false });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const row = await findProcess(ctx.store.db, processId);
    return {
      processId,
      from: row?.stage_key ?? '',
      to: null,
      outcome: 'refused',
      reason: error.code,
      message: error.message,
    };
  }
}
