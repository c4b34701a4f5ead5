/**
 * Time control outside any one command: absences starting and ending (the deputy takes the absent
 * employee's stages, and gives back those held for them), and stages waiting for a listed
 * responsible to come online. The worker calls these with the timers; each change runs through the
 * state machine in a transaction of its own and is recorded in the protocol.
 */
import type { EngineContext } from '../context.ts';
import type { Command } from '../domain/process/step.ts';
import {
  type AbsenceEdge,
  type AbsenceRow,
  claimDueAbsences,
  dueEdgesOf,
  findAbsenceForUpdate,
  hasDueAbsences,
  markAbsenceEdge,
  processesAwaitingResponsible,
  processIdsActedFor,
  processIdsHeldBy,
} from '../store/absences.ts';
import { findProcessForUpdate } from '../store/processes.ts';
import type { Db } from '../store/store.ts';
import type { CommitLog } from './apply-effects.ts';
import { onlineSet } from './apply-effects.ts';
import { applyCommand, inTransaction } from './run-command.ts';

async function commandOn(tx: Db, ctx: EngineContext, processId: string, command: Command, log: CommitLog) {
  const row = await findProcessForUpdate(tx, processId, ctx.store.caps.rowLocks);
  if (!row || row.status === 'completed' || row.status === 'cancelled') return false;
  return (await applyCommand(tx, ctx, row, command, log)).changed;
}

async function applyEdge(tx: Db, ctx: EngineContext, absence: AbsenceRow, edge: AbsenceEdge, log: CommitLog) {
  if (!(await markAbsenceEdge(tx, absence.id, edge, ctx.clock.now()))) return 0;
  let changed = 0;
  if (edge === 'start') {
    if (absence.move_open_work !== 1) return 0;
    for (const id of await processIdsHeldBy(tx, absence.employee_id)) {
      const command = {
        type: 'absence.start',
        employeeId: absence.employee_id,
        deputyId: absence.deputy_id,
      } as const;
      if (await commandOn(tx, ctx, id, command, log)) changed++;
    }
    return changed;
  }
  for (const id of await processIdsActedFor(tx, absence.employee_id)) {
    if (await commandOn(tx, ctx, id, { type: 'absence.end', employeeId: absence.employee_id }, log))
      changed++;
  }
  return changed;
}

/** Applies the starts and ends of absences that are due, each once; returns how many stages moved. */
export async function applyDueAbsences(ctx: EngineContext, batchSize = 50): Promise<number> {
  let moved = 0;
  for (let round = 0; round < 1000; round++) {
    const now = ctx.clock.now();
    // Most rounds find nothing: no transaction is opened for them.
    if (!(await hasDueAbsences(ctx.store.db, now))) break;
    const { claimed, changed } = await inTransaction(ctx, async (tx, log) => {
      const due = await claimDueAbsences(tx, now, batchSize, ctx.store.caps.skipLocked);
      let n = 0;
      // Starts before ends, each in the order it fell due: an absence that began and ended while
      // nobody was running applies both, in order.
      for (const { row, edge } of due) n += await applyEdge(tx, ctx, row, edge, log);
      return { claimed: due.length, changed: n };
    });
    moved += changed;
    if (claimed === 0) break;
  }
  return moved;
}

/**
 * Applies the due start or end of one absence now: the employee who ends an absence early (or
 * begins one now) sees the stages moved when the answer comes. Its row is locked without skipping:
 * when the worker of any node has claimed the edge first, this waits for that transaction, then
 * finds the edge applied and does nothing.
 */
export async function applyAbsenceNow(ctx: EngineContext, absenceId: string): Promise<number> {
  const now = ctx.clock.now();
  return inTransaction(ctx, async (tx, log) => {
    const row = await findAbsenceForUpdate(tx, absenceId, ctx.store.caps.rowLocks);
    if (!row) return 0;
    let changed = 0;
    for (const edge of dueEdgesOf(row, now)) changed += await applyEdge(tx, ctx, row, edge, log);
    return changed;
  });
}

/**
 * Gives each stage that waits for a listed responsible to the first of them who is online now. Safe
 * on every node at once: a stage already given is left alone.
 */
export async function routeAwaitingStages(ctx: EngineContext): Promise<number> {
  const waiting = await processesAwaitingResponsible(ctx.store.db);
  if (waiting.length === 0) return 0;
  // Who is listed on each waiting stage, and which of them are online: a stage with nobody online
  // is left as it is without a transaction of its own (the transaction below checks again).
  const stageOf = (p: (typeof waiting)[number]) =>
    `${p.definition_id}@${p.definition_version}:${p.stage_key}`;
  const listedOn = new Map<string, readonly string[]>();
  for (const p of waiting) {
    if (listedOn.has(stageOf(p))) continue;
    const def = await ctx.definitions.load(ctx.store.db, p.definition_id, p.definition_version);
    listedOn.set(stageOf(p), def.compiled.stages.get(p.stage_key)?.responsibles ?? []);
  }
  const online = await onlineSet(ctx, ctx.store.db, [...new Set([...listedOn.values()].flat())]);
  const candidates = waiting.filter((p) => listedOn.get(stageOf(p))?.some((id) => online.has(id)));
  let routed = 0;
  for (const { id: processId } of candidates) {
    const changed = await inTransaction(ctx, async (tx, log) => {
      const row = await findProcessForUpdate(tx, processId, ctx.store.caps.rowLocks);
      if (!row || row.routing_until === null) return false;
      const def = await ctx.definitions.load(tx, row.definition_id, row.definition_version);
      const listed = def.compiled.stages.get(row.stage_key)?.responsibles ?? [];
      const online = await onlineSet(ctx, tx, listed);
      const first = listed.find((id) => online.has(id));
      if (!first) return false;
      return (await applyCommand(tx, ctx, row, { type: 'responsible.online', employeeId: first }, log))
        .changed;
    });
    if (changed) routed++;
  }
  return routed;
}
