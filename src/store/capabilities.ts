/** What differs between the two SQL dialects, named once instead of tested everywhere. */
export interface DialectCapabilities {
  readonly name: 'sqlite' | 'postgres';
  /** `FOR UPDATE SKIP LOCKED` lets several nodes claim disjoint batches of due timers. */
  readonly skipLocked: boolean;
  /** `SELECT … FOR UPDATE`: a command locks its process row, so commands on one process queue. */
  readonly rowLocks: boolean;
  /** How an auto-incrementing key column is declared. */
  readonly autoIncrementType: 'integer' | 'bigserial';
}

export const SQLITE_CAPABILITIES: DialectCapabilities = {
  name: 'sqlite',
  skipLocked: false,
  rowLocks: false,
  autoIncrementType: 'integer',
};

export const POSTGRES_CAPABILITIES: DialectCapabilities = {
  name: 'postgres',
  skipLocked: true,
  rowLocks: true,
  autoIncrementType: 'bigserial',
};
