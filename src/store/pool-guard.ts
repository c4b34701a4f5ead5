/**
 * A transaction never waits on the pool. Inside `Store.transaction()` the callback must use the
 * connection it was given; a query through the store's pool-backed `db` there would take a second
 * connection, and with every pooled connection held by a transaction doing the same, the pool waits
 * on itself and the node freezes (on SQLite's single connection it waits forever on its own lock).
 *
 * The store marks the transaction's async scope, and the pool-backed dialect refuses to hand out a
 * connection inside it: the mistake fails at once, in the first test that reaches it, instead of
 * hanging under load.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  TransactionSettings,
} from 'kysely';

const scope = new AsyncLocalStorage<true>();

/** Thrown when pooled work is attempted inside a transaction: a programming error. */
export class PoolInTransactionError extends Error {
  constructor() {
    super('A query used the connection pool inside a transaction; use the transaction connection.');
    this.name = 'PoolInTransactionError';
  }
}

/** Runs `fn` as a transaction's body: pooled connections are refused until it settles. */
export function withinTransaction<T>(fn: () => Promise<T>): Promise<T> {
  return scope.run(true, fn);
}

function inTransactionScope(): boolean {
  return scope.getStore() === true;
}

/** Wraps a dialect so that its driver refuses to acquire a pooled connection inside a transaction. */
export function guardedDialect(inner: Dialect): Dialect {
  return {
    createAdapter: (): DialectAdapter => inner.createAdapter(),
    createDriver: (): Driver => new GuardedDriver(inner.createDriver()),
    // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect interface takes any database type.
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => inner.createIntrospector(db),
    createQueryCompiler: (): QueryCompiler => inner.createQueryCompiler(),
  };
}

class GuardedDriver implements Driver {
  readonly #inner: Driver;
  constructor(inner: Driver) {
    this.#inner = inner;
  }
  init(): Promise<void> {
    return this.#inner.init();
  }
  acquireConnection(): Promise<DatabaseConnection> {
    if (inTransactionScope()) return Promise.reject(new PoolInTransactionError());
    return this.#inner.acquireConnection();
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }
  savepoint = this.#savepointStep('savepoint');
  rollbackToSavepoint = this.#savepointStep('rollbackToSavepoint');
  releaseSavepoint = this.#savepointStep('releaseSavepoint');
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(connection);
  }
  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
  /** Passes a savepoint step on to the wrapped driver, which must support savepoints. */
  #savepointStep(step: 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint') {
    return (
      connection: DatabaseConnection,
      name: string,
      compile: QueryCompiler['compileQuery'],
    ): Promise<void> => {
      const inner = this.#inner[step];
      if (!inner) throw new Error('savepoints are not supported by this dialect');
      return inner.call(this.#inner, connection, name, compile);
    };
  }
}
