/**
 * Bulk actions over journal processes and version migrations: both sent in small chunks, each
 * chunk under its own `Idempotency-Key`, so a progress bar can follow and a resent chunk has no
 * second effect.
 */

import { ApiError, api } from './client.ts';
import { processPaths } from './processes.ts';
import type { BulkAnswer, BulkItem, MigrationAnswer, MigrationItem, Page, ProcessSummary } from './types.ts';

export type { BulkItem, MigrationItem };

export const bulkActionPaths = {
  bulk: '/api/processes/bulk-actions',
  migrations: (definitionId: string) => `/api/definitions/${encodeURIComponent(definitionId)}/migrations`,
} as const;

export type BulkAction = 'reassign' | 'pause' | 'resume' | 'cancel' | 'migrate';

/** What one bulk action does, apart from the processes it names. */
export interface BulkActionParams {
  readonly action: BulkAction;
  readonly responsibleId?: string;
  readonly for?: string;
  readonly until?: string;
  readonly reason?: string;
  readonly toVersion?: number;
}

/** Processes named per request: small enough that the progress bar moves often. */
export const BULK_CHUNK = 10;

/** A key no other request of this browser uses. */
export function idempotencyKey(): string {
  const random = globalThis.crypto?.randomUUID?.();
  return random ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

const idempotent = (key: string) => ({ 'Idempotency-Key': key });

/** A request that failed as a whole: every process it named is refused with its error. */
function refusedAll(ids: readonly string[], error: unknown): BulkItem[] {
  const code = error instanceof ApiError ? error.code : 'network_error';
  const message = error instanceof Error ? error.message : String(error);
  return ids.map((processId) => ({ processId, outcome: 'refused', code, message }));
}

/**
 * Runs `params` over `ids`, `BULK_CHUNK` at a time; `onProgress` hears each chunk's answers. A
 * chunk that fails as a whole (the network, a 4xx) refuses its processes and the rest go on.
 */
export async function runBulkAction(
  ids: readonly string[],
  params: BulkActionParams,
  onProgress: (items: readonly BulkItem[]) => void,
  signal?: { cancelled: boolean },
): Promise<BulkItem[]> {
  const all: BulkItem[] = [];
  for (let at = 0; at < ids.length && !signal?.cancelled; at += BULK_CHUNK) {
    const chunk = ids.slice(at, at + BULK_CHUNK);
    let items: BulkItem[];
    try {
      const answer = await api.post<BulkAnswer>(
        bulkActionPaths.bulk,
        { ids: chunk, ...params },
        idempotent(idempotencyKey()),
      );
      items = answer.items;
    } catch (error) {
      items = refusedAll(chunk, error);
    }
    all.push(...items);
    onProgress(items);
  }
  return all;
}

/** Journal pages read when gathering every process a filter matches. */
const GATHER_PAGE = 500;

/**
 * Every process the journal shows for `params`, page by page (oldest start first, which no bulk
 * action changes); `onProgress` hears the count so far.
 */
export async function gatherJournal(
  params: Record<string, string | undefined>,
  onProgress: (count: number) => void,
  signal?: { cancelled: boolean },
): Promise<ProcessSummary[]> {
  const out: ProcessSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<ProcessSummary>>(
      processPaths.list({ ...params, sort: 'startedAt', limit: GATHER_PAGE, cursor }),
    );
    out.push(...page.items);
    onProgress(out.length);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && !signal?.cancelled);
  return out;
}

export interface MigrationRequest {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly stageMap: Record<string, string>;
}

/** What a migration would do to every running process of `fromVersion`; changes nothing. */
export const dryRunMigration = (definitionId: string, request: MigrationRequest) =>
  api.post<MigrationAnswer>(
    bulkActionPaths.migrations(definitionId),
    { ...request, dryRun: true },
    idempotent(idempotencyKey()),
  );

/** Processes migrated per request when applying. */
export const MIGRATION_PAGE = 10;

/**
 * Applies a migration a page at a time (continuing after each answer's `next`); `onProgress`
 * hears each page's answers.
 */
export async function applyMigration(
  definitionId: string,
  request: MigrationRequest,
  onProgress: (items: readonly MigrationItem[]) => void,
  signal?: { cancelled: boolean },
): Promise<MigrationItem[]> {
  const all: MigrationItem[] = [];
  let after: string | undefined;
  do {
    const answer = await api.post<MigrationAnswer>(
      bulkActionPaths.migrations(definitionId),
      { ...request, dryRun: false, limit: MIGRATION_PAGE, ...(after ? { after } : {}) },
      idempotent(idempotencyKey()),
    );
    all.push(...answer.items);
    onProgress(answer.items);
    after = answer.next ?? undefined;
  } while (after && !signal?.cancelled);
  return all;
}
