/**
 * What the state machine is told besides the process: the moment, who is online, who stands in for
 * whom, working time on the business calendar, and how long routing waits for someone to come online.
 *
 * Absences and the calendar change rarely and are needed by every command, so each node keeps what
 * it last read (through the command's connection) for at most STEP_CACHE_TTL_MS of real time. A
 * change made through this node (services/absences.ts, services/calendar.ts) drops its copy at once;
 * a change made on another node sharing the database is seen within STEP_CACHE_TTL_MS.
 */
import type { EngineContext } from '../context.ts';
import { type Calendar, calendarOrDefault } from '../domain/calendar/calendar.ts';
import { workingTimeOn } from '../domain/calendar/working-time.ts';
import type { StepContext } from '../domain/process/step.ts';
import { deputiesAt, unendedAbsences } from '../store/absences.ts';
import { loadCalendar } from '../store/calendar.ts';
import type { LoadedVersion } from '../store/definition-cache.ts';
import type { Db, Store } from '../store/store.ts';

/** How long a node trusts the absences and the calendar it read (the bound for changes made on another node). */
export const STEP_CACHE_TTL_MS = 5_000;

/** One value read from the database, kept per node until it is dropped or grows old. */
class NodeCache<T> {
  #value: T | undefined;
  #readAt = 0;
  #generation = 0;

  /** The kept value, or a fresh one from `read`; a value read across a `drop` is not kept. */
  async get(read: () => Promise<T>, fresh: (value: T) => boolean = () => true): Promise<T> {
    const now = Date.now();
    const kept = this.#value;
    if (kept !== undefined && now >= this.#readAt && now - this.#readAt < STEP_CACHE_TTL_MS && fresh(kept))
      return kept;
    const generation = this.#generation;
    const value = await read();
    if (generation === this.#generation) {
      this.#value = value;
      this.#readAt = now;
    }
    return value;
  }

  drop(): void {
    this.#generation++;
    this.#value = undefined;
  }
}

/** More absences not yet ended than this are not kept: each command then reads who is absent now. */
const MAX_KEPT_ABSENCES = 5_000;

/** The absences that end after `since` (those that matter at `since` or later), as read at `since`. */
interface KnownAbsences {
  readonly since: number;
  /** Undefined when there were too many to keep. */
  readonly rows: readonly { employeeId: string; deputyId: string; from: number; to: number }[] | undefined;
}

async function readAbsences(tx: Db, now: number): Promise<KnownAbsences> {
  const rows = await unendedAbsences(tx, now, { limit: MAX_KEPT_ABSENCES + 1 });
  if (rows.length > MAX_KEPT_ABSENCES) return { since: now, rows: undefined };
  return {
    since: now,
    rows: rows.map((r) => ({
      employeeId: r.employee_id,
      deputyId: r.deputy_id,
      from: r.from_at,
      to: r.to_at,
    })),
  };
}

interface StepCaches {
  readonly absences: NodeCache<KnownAbsences>;
  readonly calendar: NodeCache<Calendar>;
}

const caches = new WeakMap<Store, StepCaches>();

function cachesOf(store: Store): StepCaches {
  let found = caches.get(store);
  if (!found) {
    found = { absences: new NodeCache(), calendar: new NodeCache() };
    caches.set(store, found);
  }
  return found;
}

/** Drops this node's copy of the absences; call after an absence is created, changed or removed. */
export function forgetAbsences(store: Store): void {
  cachesOf(store).absences.drop();
}

/** Drops this node's copy of the business calendar; call after it is stored. */
export function forgetCalendar(store: Store): void {
  cachesOf(store).calendar.drop();
}

/** Who stands in for whom at `now`, from the node's copy of the absences. */
async function deputiesFor(tx: Db, store: Store, now: number): Promise<Map<string, string>> {
  const known = await cachesOf(store).absences.get(
    () => readAbsences(tx, now),
    // A moment before the copy was read (a clock set back) may need absences it left out.
    (kept) => kept.since <= now,
  );
  if (!known.rows) return deputiesAt(tx, undefined, now);
  const deputies = new Map<string, string>();
  for (const a of known.rows) if (a.from <= now && a.to > now) deputies.set(a.employeeId, a.deputyId);
  return deputies;
}

/** Whether any stage of each definition version measures working time, worked out once per version. */
const workingTimeUse = new WeakMap<LoadedVersion, boolean>();

/** Whether any stage of the definition measures working time. */
function usesWorkingTime(def: LoadedVersion): boolean {
  let uses = workingTimeUse.get(def);
  if (uses === undefined) {
    uses = def.compiled.body.stages.some(
      (s) => s.deadline?.working === true || (s.escalation ?? []).some((e) => e.working === true),
    );
    workingTimeUse.set(def, uses);
  }
  return uses;
}

/** The organisation's business calendar, or the default one in the app's zone. */
export async function calendarOf(db: Db, ctx: Pick<EngineContext, 'zone'>): Promise<Calendar> {
  return calendarOrDefault(await loadCalendar(db), ctx.zone);
}

/**
 * Working time in [a, b) on the business calendar in force (this node's copy), for the working
 * time of the stage visits a command closes; null where the calendar cannot tell (a span past the
 * year 9999), so recording a figure never fails the command.
 */
export async function workingTimeFor(
  tx: Db,
  ctx: EngineContext,
): Promise<(a: number, b: number) => number | null> {
  const working = workingTimeOn(await cachesOf(ctx.store).calendar.get(() => calendarOf(tx, ctx)));
  return (a, b) => {
    try {
      return working.between(a, b);
    } catch {
      return null;
    }
  };
}

export async function stepContextFor(
  tx: Db,
  ctx: EngineContext,
  def: LoadedVersion,
  now: number,
  online: ReadonlySet<string>,
  extra: Partial<StepContext> = {},
): Promise<StepContext> {
  const deputies = await deputiesFor(tx, ctx.store, now);
  const working = usesWorkingTime(def)
    ? workingTimeOn(await cachesOf(ctx.store).calendar.get(() => calendarOf(tx, ctx)))
    : undefined;
  return {
    now,
    zone: ctx.zone,
    definition: def.compiled,
    isOnline: (id) => online.has(id),
    deputyOf: (id) => deputies.get(id) ?? null,
    working,
    routingWaitMs: ctx.routingWaitMs ?? 0,
    ...extra,
  };
}
