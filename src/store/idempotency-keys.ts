/**
 * Idempotency keys: a POST that carries `Idempotency-Key` takes effect once. The key is claimed
 * by a row written in the request's first write transaction, so the claim commits together with
 * the change it guards, or not at all: a retry after a lost answer finds the claim and is answered
 * from it; a retry of a request that never committed runs afresh. Two copies racing meet at the
 * row's primary key, and the later one rolls back whole.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Store } from './store.ts';
import { isUniqueViolation } from './store.ts';

/** A request's claim on its key, shared between the HTTP layer and the store. */
export interface IdempotencyClaim {
  readonly employeeId: string;
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly requestHash: string;
  readonly now: number;
  /** Set once a transaction that wrote the claim row has committed. */
  committed: boolean;
}

/** The request scope: the HTTP layer sets `claim` once it knows the caller and the key. */
export interface RequestScope {
  claim: IdempotencyClaim | null;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs the rest of a request inside its scope. */
export function runInRequestScope(fn: () => void): void {
  scope.run({ claim: null }, fn);
}

/** The current request's scope, if any. */
export function requestScope(): RequestScope | undefined {
  return scope.getStore();
}

/** Thrown inside a transaction when another request already claimed the same key. */
export class IdempotencyKeyTaken extends Error {
  constructor() {
    super('Another request with this Idempotency-Key took effect first.');
    this.name = 'IdempotencyKeyTaken';
  }
}

/** A stored answer: `status` 0 while the first request is still running (or died before answering). */
export interface StoredAnswer {
  readonly requestHash: string;
  readonly status: number;
  readonly body: string;
  readonly createdAt: number;
}

export async function findAnswer(db: Db, employeeId: string, key: string): Promise<StoredAnswer | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status', 'body', 'created_at'])
    .where('employee_id', '=', employeeId)
    .where('key', '=', key)
    .executeTakeFirst();
  return (
    row && { requestHash: row.request_hash, status: row.status, body: row.body, createdAt: row.created_at }
  );
}

/** Records the answer of the request that claimed the key. */
export async function saveAnswer(
  store: Store,
  claim: IdempotencyClaim,
  status: number,
  body: string,
): Promise<void> {
  await store.db
    .updateTable('idempotency_keys')
    .set({ status, body })
    .where('employee_id', '=', claim.employeeId)
    .where('key', '=', claim.key)
    .execute();
}

/** Deletes keys older than `before`; returns how many went. */
export async function sweepIdempotencyKeys(store: Store, before: number): Promise<number> {
  const result = await store.db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

async function claimWithin(tx: Db, claim: IdempotencyClaim): Promise<void> {
  try {
    await tx
      .insertInto('idempotency_keys')
      .values({
        employee_id: claim.employeeId,
        key: claim.key,
        method: claim.method,
        path: claim.path,
        request_hash: claim.requestHash,
        status: 0,
        body: '',
        created_at: claim.now,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new IdempotencyKeyTaken();
    throw error;
  }
}

/**
 * Wraps a store so that the first write transaction of a request carrying an idempotency claim
 * writes the claim row first, inside the same transaction.
 */
export function withIdempotencyClaims(store: Store): Store {
  return {
    caps: store.caps,
    db: store.db,
    pubsub: store.pubsub,
    close: () => store.close(),
    async transaction(fn) {
      const claim = scope.getStore()?.claim;
      if (!claim || claim.committed) return store.transaction(fn);
      const result = await store.transaction(async (tx) => {
        await claimWithin(tx, claim);
        return fn(tx);
      });
      claim.committed = true;
      return result;
    },
  };
}
