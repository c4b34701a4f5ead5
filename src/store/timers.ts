/** Timer rows: set and fired by the engine, claimed by the worker, parked, and repaired by the reconciler. */
import { type ExpressionBuilder, type Insertable, type Selectable, sql } from 'kysely';
import { runCompiledOnce } from './compiled-once.ts';
import type { Database, TimerTable } from './schema.ts';
import type { Db } from './store.ts';

export type TimerRow = Selectable<TimerTable>;

/** Longest `last_error` kept: enough to tell the cause, small enough for a list. */
const LAST_ERROR_MAX = 2000;

/**
 * Counts a failed firing of a timer: it is tried again at `retryAt`, or, at `maxAttempts`, parked
 * (no longer claimed) at `now`. A timer no longer due by `dueBy` was counted already this round
 * (another node failed on it too) and is left alone. Returns the row as it now stands; undefined
 * when it is gone.
 */
export async function recordTimerFailure(
  db: Db,
  key: string,
  error: string,
  options: { now: number; dueBy: number; retryAt: (attempts: number) => number; maxAttempts: number },
): Promise<TimerRow | undefined> {
  const row = await db.selectFrom('timers').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row || row.parked_at !== null || row.due_at > options.dueBy) return row;
  const attempts = row.attempts + 1;
  const parked = attempts >= options.maxAttempts;
  const patch = {
    attempts,
    last_error: error.slice(0, LAST_ERROR_MAX),
    parked_at: parked ? options.now : null,
    due_at: parked ? row.due_at : options.retryAt(attempts),
  };
  await db.updateTable('timers').set(patch).where('key', '=', key).execute();
  return { ...row, ...patch };
}

/** Parked timers by key, after `afterKey`; one more than `limit` tells there is a next page. */
export async function listParkedTimers(db: Db, limit: number, afterKey?: string): Promise<TimerRow[]> {
  let q = db.selectFrom('timers').selectAll().where('parked_at', 'is not', null);
  if (afterKey !== undefined) q = q.where('key', '>', afterKey);
  return q
    .orderBy('key')
    .limit(limit + 1)
    .execute();
}

/** Unparks a timer: its count starts again and it is due at `now`. Undefined when no such timer. */
export async function unparkTimer(db: Db, key: string, now: number): Promise<TimerRow | undefined> {
  return db
    .updateTable('timers')
    .set({ attempts: 0, parked_at: null, last_error: null, due_at: now })
    .where('key', '=', key)
    .where('parked_at', 'is not', null)
    .returningAll()
    .executeTakeFirst();
}

export async function findTimer(db: Db, key: string): Promise<TimerRow | undefined> {
  return db.selectFrom('timers').selectAll().where('key', '=', key).executeTakeFirst();
}

/** A filter on processes `p`: those with no timer of `kind`. */
function hasNoTimer(kind: TimerRow['kind']) {
  return ({ not, exists, selectFrom }: ExpressionBuilder<Database & { p: Database['processes'] }, 'p'>) =>
    not(
      exists(
        selectFrom('timers as t')
          .select('t.key')
          .whereRef('t.process_id', '=', 'p.id')
          .where('t.kind', '=', kind),
      ),
    );
}

/** Paused processes with a pause end but no resume timer. */
export async function pausedWithoutResumeTimer(db: Db): Promise<{ id: string; paused_until: number }[]> {
  const rows = await db
    .selectFrom('processes as p')
    .select(['p.id', 'p.paused_until'])
    .where('p.status', '=', 'paused')
    .where('p.paused_until', 'is not', null)
    .where(hasNoTimer('resume'))
    .execute();
  return rows.map((r) => ({ id: r.id, paused_until: Number(r.paused_until) }));
}

/** The definition versions that running (active or paused) processes use. */
export async function runningVersions(
  db: Db,
): Promise<{ definition_id: string; definition_version: number }[]> {
  return db
    .selectFrom('processes')
    .select(['definition_id', 'definition_version'])
    .distinct()
    .where('status', 'in', ['active', 'paused'])
    .execute();
}

/** Running processes of one definition version at one of `stageKeys` with no wait timer. */
export async function atStagesWithoutWaitTimer(
  db: Db,
  definitionId: string,
  version: number,
  stageKeys: readonly string[],
): Promise<{ id: string; stage_key: string; visit: number; entered_at: number }[]> {
  if (stageKeys.length === 0) return [];
  return db
    .selectFrom('processes as p')
    .select(['p.id', 'p.stage_key', 'p.visit', 'p.entered_at'])
    .where('p.definition_id', '=', definitionId)
    .where('p.definition_version', '=', version)
    .where('p.status', 'in', ['active', 'paused'])
    .where('p.stage_key', 'in', [...stageKeys])
    .where(hasNoTimer('wait'))
    .execute();
}

/** The start timer of task `k`. */
function startTimerOf(eb: ExpressionBuilder<Database & { k: Database['tasks'] }, 'k'>) {
  const key = sql<string>`${sql.lit(TASK_START_PREFIX)} || ${sql.ref('k.id')}`;
  return eb.selectFrom('timers as t').select('t.key').where('t.key', '=', key);
}

/** Pending tasks (their start is still to come) whose start timer is missing. */
export async function pendingTasksWithoutTimer(
  db: Db,
): Promise<{ id: string; process_id: string | null; starts_at: number }[]> {
  return db
    .selectFrom('tasks as k')
    .select(['k.id', 'k.process_id', 'k.starts_at'])
    .where('k.status', '=', 'pending')
    .where((eb) => eb.not(eb.exists(startTimerOf(eb))))
    .execute();
}

const TASK_START_PREFIX = 'task-start:';

/** The task timer `t` starts, if it is still pending. */
function pendingTaskOf(eb: ExpressionBuilder<Database & { t: Database['timers'] }, 't'>) {
  const id = sql<string>`substr(${sql.ref('t.key')}, ${sql.lit(TASK_START_PREFIX.length + 1)})`;
  return eb.selectFrom('tasks as k').select('k.id').where('k.id', '=', id).where('k.status', '=', 'pending');
}

/**
 * Timers that can never do anything: a wait or resume of a process that does not exist or has
 * ended, a task start of a task that does not exist or is no longer pending.
 */
export async function orphanTimers(db: Db): Promise<TimerRow[]> {
  const processGone = await db
    .selectFrom('timers as t')
    .leftJoin('processes as p', 'p.id', 't.process_id')
    .selectAll('t')
    .where('t.kind', 'in', ['wait', 'resume'])
    .where((eb) => eb.or([eb('p.id', 'is', null), eb('p.status', 'in', ['completed', 'cancelled'])]))
    .execute();
  const taskGone = await db
    .selectFrom('timers as t')
    .selectAll('t')
    .where('t.kind', '=', 'task.start')
    .where((eb) => eb.not(eb.exists(pendingTaskOf(eb))))
    .execute();
  return [...processGone, ...taskGone];
}

/** When each of these wait timers falls due, by key; keys without a timer are absent. */
export async function timerDueTimes(db: Db, keys: readonly string[]): Promise<Map<string, number>> {
  const due = new Map<string, number>();
  if (keys.length === 0) return due;
  const rows = await db
    .selectFrom('timers')
    .select(['key', 'due_at'])
    .where('key', 'in', [...keys])
    .execute();
  for (const r of rows) due.set(r.key, Number(r.due_at));
  return due;
}

/** How many timers that are not parked fall due after `from` and at or before `to`. */
export async function countTimersDueBetween(db: Db, from: number, to: number): Promise<number> {
  const row = await db
    .selectFrom('timers')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('due_at', '>', from)
    .where('due_at', '<=', to)
    .where('parked_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The columns a new timer row is written with (the rest take their defaults). */
const TIMER_COLUMNS = ['key', 'kind', 'process_id', 'due_at', 'deferred'] as const;

/** The key `setTimers` ignores new rows on when a row has it already. */
export const TIMER_CONFLICT_KEY: readonly string[] = ['key'];

/** Sets timers; a key that exists already is left as it is, so re-running a step cannot double a timer. */
export async function setTimers(db: Db, rows: readonly Insertable<TimerTable>[]): Promise<void> {
  if (rows.length === 0) return;
  // A few rows of the usual columns (a command's): compiled once per row count, then only bound.
  const usual =
    rows.length <= 8 &&
    rows.every(
      (r) => Object.keys(r).length === TIMER_COLUMNS.length && TIMER_COLUMNS.every((c) => r[c] !== undefined),
    );
  if (!usual) {
    await db
      .insertInto('timers')
      .values([...rows])
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return;
  }
  const values = rows.flatMap((r) => TIMER_COLUMNS.map((c) => r[c]));
  await runCompiledOnce(db, `timers:set:${rows.length}`, values, (m) =>
    db
      .insertInto('timers')
      .values(
        rows.map(
          (_, i) =>
            Object.fromEntries(TIMER_COLUMNS.map((c, j) => [c, m[i * TIMER_COLUMNS.length + j]])) as never,
        ),
      )
      .onConflict((oc) => oc.column('key').doNothing())
      .compile(),
  );
}

export async function deleteTimers(db: Db, processId: string, kind: TimerTable['kind']): Promise<void> {
  await runCompiledOnce(db, 'timers:delete-of-kind', [processId, kind], ([p, k]) =>
    db
      .deleteFrom('timers')
      .where('process_id', '=', p as string)
      .where('kind', '=', k as never)
      .compile(),
  );
}

/** Holds a wait that fell due during a pause until the pause ends (the fired row is re-created). */
export async function deferTimer(db: Db, key: string, processId: string, until: number): Promise<void> {
  await db
    .insertInto('timers')
    .values({ key, kind: 'wait', process_id: processId, due_at: until, deferred: 1 })
    .onConflict((oc) => oc.column('key').doUpdateSet({ due_at: until, deferred: 1 }))
    .execute();
}

/**
 * How a claim treats due timers another transaction holds: `skip` leaves them to it (nodes claim
 * disjoint batches), `wait` waits until it has fired them, `none` takes no row locks (SQLite).
 */
export type ClaimLock = 'skip' | 'wait' | 'none';

/** Claims up to `limit` due timers that are not parked (the partial index `timers_due` serves it). */
export async function claimDueTimers(
  db: Db,
  now: number,
  limit: number,
  lock: ClaimLock,
): Promise<TimerRow[]> {
  let q = db
    .selectFrom('timers')
    .selectAll()
    .where('due_at', '<=', now)
    .where('parked_at', 'is', null)
    .orderBy('due_at')
    .orderBy('key')
    .limit(limit);
  if (lock === 'skip') q = q.forUpdate().skipLocked();
  else if (lock === 'wait') q = q.forUpdate();
  return q.execute();
}

/** Deletes a timer; false when it was gone already (another node fired it). */
export async function deleteTimer(db: Db, key: string): Promise<boolean> {
  const result = await db.deleteFrom('timers').where('key', '=', key).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Deletes the timers of these keys; returns the keys that were there. */
export async function deleteTimersByKey(db: Db, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .deleteFrom('timers')
    .where('key', 'in', [...keys])
    .returning('key')
    .execute();
  return new Set(rows.map((r) => r.key));
}

/** Makes the held waits of a resumed process due now. */
export async function releaseDeferredTimers(db: Db, processId: string, now: number): Promise<void> {
  await db
    .updateTable('timers')
    .set({ due_at: now, deferred: 0 })
    .where('process_id', '=', processId)
    .where('deferred', '=', 1)
    .execute();
}

/** Whether the process has a timer of this kind. */
export async function hasTimerOfKind(db: Db, processId: string, kind: TimerTable['kind']): Promise<boolean> {
  const existing = await db
    .selectFrom('timers')
    .select('key')
    .where('process_id', '=', processId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return existing !== undefined;
}
