/**
 * Backup and restore of the embedded SQLite database (`npm run backup` / `npm run restore`).
 *
 * The backup is online: it goes through SQLite's backup API on a connection of its own, copying
 * every page in one step inside one read transaction, so it is a consistent snapshot even while the
 * app keeps writing (WAL: readers do not block the writer). Attachment files (`DATA_DIR/attachments`,
 * immutable once written) are copied after the snapshot into `<file>.attachments/`.
 *
 * PostgreSQL is backed up with its own tools; see `postgresBackupAdvice`.
 */
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/** The database file inside DATA_DIR. */
export const SQLITE_FILE_NAME = 'stageflow.db';
const ATTACHMENTS = 'attachments';
/** Pages per backup step: all of them, so the copy is one snapshot and never restarts. */
const ALL_PAGES = 0x7fffffff;

export interface BackupSummary {
  /** The database copy. */
  readonly file: string;
  readonly bytes: number;
  /** Attachment files copied beside it, into `<file>.attachments/`. */
  readonly attachments: number;
}

export interface BackupOptions {
  /** Overwrite an existing backup file (backup) or a non-empty database (restore). */
  readonly force?: boolean | undefined;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Where a backup keeps the attachment files. */
export function attachmentsBeside(backupFile: string): string {
  return `${backupFile}.attachments`;
}

/** Copies the attachment files (not half-written `.upload-*` ones); returns how many. */
async function copyAttachments(from: string, to: string): Promise<number> {
  if (!(await exists(from))) return 0;
  const names = (await readdir(from)).filter((n) => !n.startsWith('.'));
  await mkdir(to, { recursive: true });
  for (const name of names) await cp(path.join(from, name), path.join(to, name), { force: true });
  return names.length;
}

/** Throws unless `file` is an intact SQLite database that holds Stageflow's tables. */
function checkStageflowDatabase(file: string, what: string): void {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`${what} ${file} is damaged: ${String(integrity)}`);
    const tables = db
      .prepare("select name from sqlite_master where type = 'table' and name in ('processes', 'protocol')")
      .all();
    if (tables.length !== 2) throw new Error(`${what} ${file} is not a Stageflow database`);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(what)) throw error;
    throw new Error(`${what} ${file} is not a readable SQLite database (${String(error)})`);
  } finally {
    db?.close();
  }
}

/**
 * Online backup of `DATA_DIR/stageflow.db` into `target` (a self-contained SQLite file, checked
 * after writing), then of the attachment files beside it. Refuses to overwrite an existing
 * `target` unless `force`.
 */
export async function backupSqlite(
  dataDir: string,
  target: string,
  options: BackupOptions = {},
): Promise<BackupSummary> {
  const source = path.join(dataDir, SQLITE_FILE_NAME);
  const file = path.resolve(target);
  if (!(await exists(source))) throw new Error(`There is no database to back up at ${source}.`);
  if ((await exists(file)) && !options.force)
    throw new Error(`${file} already exists; choose another name or add --force to overwrite it.`);
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await rm(partial, { force: true });

  const db = new BetterSqlite3(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
  // The copy carries the source's WAL flag; make it one file that needs no -wal beside it.
  const copy = new BetterSqlite3(partial, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  checkStageflowDatabase(partial, 'The backup');
  await rename(partial, file);

  const beside = attachmentsBeside(file);
  await rm(beside, { recursive: true, force: true });
  const attachments = await copyAttachments(path.join(dataDir, ATTACHMENTS), beside);
  return { file, bytes: (await stat(file)).size, attachments };
}

/**
 * Restores a backup made by `backupSqlite` into `DATA_DIR`. Stop the app first. Refuses, unless
 * `force`, when the database there is not empty or looks open (its `-wal` file exists: a running
 * server, or one that did not stop cleanly).
 */
export async function restoreSqlite(
  backupFile: string,
  dataDir: string,
  options: BackupOptions = {},
): Promise<BackupSummary> {
  const source = path.resolve(backupFile);
  if (!(await exists(source))) throw new Error(`There is no backup at ${source}.`);
  checkStageflowDatabase(source, 'The backup');
  const target = path.join(dataDir, SQLITE_FILE_NAME);
  if (!options.force) {
    if (await exists(`${target}-wal`))
      throw new Error(
        `${target} looks open (${SQLITE_FILE_NAME}-wal exists): stop the app first. ` +
          'If it is stopped, start and stop it once, or add --force.',
      );
    if ((await exists(target)) && (await stat(target)).size > 0)
      throw new Error(`${target} already holds a database; add --force to replace it.`);
  }
  await mkdir(dataDir, { recursive: true });
  // Through the backup API rather than a file copy: it writes into the target as SQLite does,
  // so a stale -wal beside an existing target cannot be replayed over the restored pages.
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
  checkStageflowDatabase(target, 'The restored database');
  const attachments = await copyAttachments(attachmentsBeside(source), path.join(dataDir, ATTACHMENTS));
  return { file: target, bytes: (await stat(target)).size, attachments };
}

/** What to tell someone who asks `npm run backup`/`restore` for a PostgreSQL database. */
export function postgresBackupAdvice(command: 'backup' | 'restore'): string {
  return [
    `npm run ${command} handles the embedded SQLite database only; DATABASE_URL points at PostgreSQL.`,
    'Use PostgreSQL’s own tools (the app may keep running for a dump):',
    '  pg_dump --format=custom --file=stageflow.dump "$DATABASE_URL"',
    '  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" stageflow.dump   (app stopped)',
    'and copy DATA_DIR/attachments alongside.',
  ].join('\n');
}
