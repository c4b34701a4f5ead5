/**
 * SQLite's WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside the
 * COMMIT that crosses its threshold, on the connection that serves requests: that commit then
 * copies the WAL into the database and waits for two fsyncs. Here the automatic checkpoint is off
 * on the serving connection; a worker thread with a connection of its own runs a PASSIVE checkpoint
 * (it never blocks the writer) every few dozen commits and every second the WAL file changed (the
 * periodic look also catches writes made outside `store.transaction`, which are no commits here).
 * The worker starts with the first checkpoint needed, so a store that never writes never starts one
 * (closing the last connection checkpoints the WAL anyway).
 *
 * SQLite starts the WAL over only after a checkpoint that caught up with the writer, which a
 * PASSIVE one under constant writing rarely does. When the WAL file is larger than
 * `restartAtBytes`, the worker copies what is there and, as soon as it is done, the serving
 * connection runs one RESTART checkpoint between two transactions (left to copy: the commit or two
 * since), so the WAL never grows without bound and the next write starts it over;
 * journal_size_limit keeps the file from staying larger.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

export interface CheckpointSchedule {
  readonly kickEveryCommits: number;
  readonly checkpointEveryMs: number;
  /** The WAL file size beyond which the serving connection runs a RESTART checkpoint. */
  readonly restartAtBytes: number;
  /** The size the WAL file is cut back to after SQLite starts it over. */
  readonly walSizeLimitBytes: number;
}

export const CHECKPOINT_SCHEDULE: CheckpointSchedule = {
  kickEveryCommits: 32,
  checkpointEveryMs: 1000,
  // One RESTART (a short copy and two fsyncs) per 64 MiB written; SQLite's own default
  // checkpoints every 4 MiB, inside a COMMIT.
  restartAtBytes: 64 * 1024 * 1024,
  walSizeLimitBytes: 64 * 1024 * 1024,
};

export interface Checkpoints {
  /** Called after every COMMIT of the serving connection, outside any transaction. */
  afterCommit(): void;
  /** Stops the worker (after a checkpoint it is running) and closes its connection. */
  close(): Promise<void>;
}

const NONE: Checkpoints = { afterCommit() {}, close: async () => {} };

/** The worker's state, shared with it: it sleeps while IDLE and is woken by a change. */
const IDLE = 0;
const CHECKPOINT = 1;
const CLOSE = 2;

const WORKER = `
const { workerData } = require('node:worker_threads');
const state = new Int32Array(workerData.state);
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
for (;;) {
  Atomics.wait(state, 0, ${IDLE});
  if (Atomics.load(state, 0) === ${CLOSE}) break;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or failed: the next one copies what this one did not.
  }
  Atomics.compareExchange(state, 0, ${CHECKPOINT}, ${IDLE});
}
db.close();
`;

/** The checkpoint schedule of a file database in WAL mode; nothing for an in-memory one. */
export function walCheckpoints(
  raw: BetterSqlite3.Database,
  file: string,
  schedule: CheckpointSchedule = CHECKPOINT_SCHEDULE,
): Checkpoints {
  const mode = String(raw.pragma('journal_mode', { simple: true }));
  if (file === ':memory:' || file === '' || mode !== 'wal') return NONE;
  const walFile = `${file}-wal`;
  raw.pragma('wal_autocheckpoint = 0');
  raw.pragma(`journal_size_limit = ${schedule.walSizeLimitBytes}`);
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  let commits = 0;
  const state = new Int32Array(new SharedArrayBuffer(4));
  let closed = false;
  let failed = false;
  /** The WAL passed restartAtBytes: a RESTART is due as soon as the worker is idle. */
  let overflow = false;

  const start = () => {
    const started = new Worker(WORKER, {
      eval: true,
      workerData: {
        file,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        state: state.buffer,
      },
    });
    started.unref();
    started.on('error', () => {
      failed = true;
    });
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    return started;
  };

  const kick = () => {
    if (closed || failed || Atomics.load(state, 0) !== IDLE) return;
    worker ??= start();
    Atomics.store(state, 0, CHECKPOINT);
    Atomics.notify(state, 0);
  };

  /** The worker has just copied all but the last commit or two: a short RESTART. */
  const restart = () => {
    const [result] = raw.pragma('wal_checkpoint(RESTART)') as { busy: number }[];
    overflow = result?.busy !== 0;
  };

  /** Without its worker the serving connection checkpoints as SQLite does by default. */
  const fallBack = () => {
    closed = true;
    clearInterval(timer);
    raw.pragma('wal_autocheckpoint = 1000');
  };

  // Every checkpointEveryMs from the start: writes outside store.transaction never reach
  // afterCommit, so the WAL file is looked at here too, and copied when it changed.
  let seen: number | undefined;
  const timer = setInterval(() => {
    if (closed) return;
    try {
      if (failed) return fallBack();
      const idle = Atomics.load(state, 0) === IDLE;
      if (overflow && idle && !raw.inTransaction) restart();
      const wal = statSync(walFile, { throwIfNoEntry: false });
      if (!wal || wal.size === 0 || wal.mtimeMs === seen) return;
      seen = wal.mtimeMs;
      if (wal.size > schedule.restartAtBytes) overflow = true;
      kick();
    } catch (error) {
      process.emitWarning(`WAL checkpoint failed: ${String(error)}`, 'StageflowWarning');
    }
  }, schedule.checkpointEveryMs).unref();

  return {
    afterCommit() {
      if (closed) return;
      const busy = Atomics.load(state, 0) !== IDLE;
      if (overflow && !busy) restart();
      if (++commits < schedule.kickEveryCommits) return;
      commits = 0;
      if (failed) return fallBack();
      const size = statSync(walFile, { throwIfNoEntry: false })?.size ?? 0;
      // A worker slower than the writer is overtaken (SQLITE_BUSY while it copies: tried again).
      if (size > 2 * schedule.restartAtBytes && busy) raw.pragma('wal_checkpoint(RESTART)');
      if (size > schedule.restartAtBytes) overflow = true;
      kick();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      if (!worker) return;
      worker.ref();
      Atomics.store(state, 0, CLOSE);
      Atomics.notify(state, 0);
      await exited;
    },
  };
}
