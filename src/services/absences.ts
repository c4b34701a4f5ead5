/**
 * Absences with deputies: an employee (or an administrator for them) records when they are away and
 * who acts for them. While it lasts, routing, tasks and escalations go to the deputy; with
 * `moveOpenWork`, the stages the employee holds move to the deputy when it starts. When it ends,
 * every stage the deputy held for them goes back (the worker applies both, see engine/time-control).
 */
import type { Actor, EngineContext } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { forgetAbsences } from '../engine/step-context.ts';
import { applyAbsenceNow } from '../engine/time-control.ts';
import {
  type AbsenceRow,
  deleteAbsence,
  endAbsenceAt,
  findAbsence,
  insertAbsence,
  overlapsAbsence,
  unendedAbsences,
} from '../store/absences.ts';
import { findEmployee } from '../store/employees.ts';
import { requireEmployee } from '../store/references.ts';

export interface AbsenceInput {
  readonly from: number;
  readonly to: number;
  readonly deputyId: string;
  readonly moveOpenWork?: boolean | undefined;
}

export function absenceView(row: AbsenceRow) {
  return {
    id: row.id,
    employeeId: row.employee_id,
    from: isoTime(row.from_at),
    to: isoTime(row.to_at),
    deputyId: row.deputy_id,
    moveOpenWork: row.move_open_work === 1,
  };
}
export type AbsenceView = ReturnType<typeof absenceView>;

/** The employee themselves or an administrator; others get 403. */
function requireSelfOrAdmin(actor: Actor, employeeId: string): void {
  if (actor.id !== employeeId && actor.role !== 'admin') {
    throw new DomainError('forbidden', 'Only the employee or an administrator records their absence.');
  }
}

async function requireKnownEmployee(ctx: EngineContext, employeeId: string): Promise<void> {
  const employee = await findEmployee(ctx.store.db, employeeId);
  if (!employee) throw notFound('Employee', employeeId);
}

export async function createAbsence(
  ctx: EngineContext,
  actor: Actor,
  employeeId: string,
  input: AbsenceInput,
): Promise<AbsenceView> {
  await requireKnownEmployee(ctx, employeeId);
  requireSelfOrAdmin(actor, employeeId);
  const now = ctx.clock.now();
  if (!(input.from < input.to)) {
    throw new DomainError('invalid_time', 'An absence ends after it starts.', { field: 'to' });
  }
  if (input.to <= now)
    throw new DomainError('invalid_time', 'An absence must end in the future.', { field: 'to' });
  if (input.deputyId === employeeId) {
    throw new DomainError('invalid_time', 'The deputy is someone else.', { field: 'deputyId' });
  }
  const row: AbsenceRow = {
    id: ctx.newId(),
    employee_id: employeeId,
    deputy_id: input.deputyId,
    from_at: Math.max(input.from, now),
    to_at: input.to,
    move_open_work: input.moveOpenWork ? 1 : 0,
    created_by: actor.id,
    created_at: now,
    started_at: null,
    ended_at: null,
  };
  try {
    await ctx.store.transaction(async (tx) => {
      await requireEmployee(tx, input.deputyId, 'deputyId');
      if (await overlapsAbsence(tx, employeeId, row.from_at, row.to_at)) {
        throw new DomainError('duplicate', 'Another absence of this employee covers part of this time.', {
          field: 'from',
        });
      }
      await insertAbsence(tx, row);
    });
  } finally {
    forgetAbsences(ctx.store);
  }
  // One that starts now moves the work at once rather than at the worker's next round.
  if (row.from_at <= now) await applyAbsenceNow(ctx, row.id);
  return absenceView(row);
}

/** The employee's absences that have not ended yet (anyone may see who is away and who stands in). */
export async function listAbsences(
  ctx: EngineContext,
  employeeId: string,
): Promise<{ items: AbsenceView[] }> {
  await requireKnownEmployee(ctx, employeeId);
  const rows = await unendedAbsences(ctx.store.db, ctx.clock.now(), { employeeId, limit: 500 });
  return { items: rows.map(absenceView) };
}

/** Everyone's absences that have not ended yet: who is away, until when, and who stands in. */
export async function listAllAbsences(ctx: EngineContext): Promise<{ items: AbsenceView[] }> {
  const rows = await unendedAbsences(ctx.store.db, ctx.clock.now(), { limit: 500 });
  return { items: rows.map(absenceView) };
}

/**
 * Removes an absence: one not begun is deleted; one under way ends now, and the stages the deputy
 * held go back to the employee.
 */
export async function removeAbsence(
  ctx: EngineContext,
  actor: Actor,
  employeeId: string,
  absenceId: string,
): Promise<void> {
  const row = await findAbsence(ctx.store.db, absenceId);
  if (!row || row.employee_id !== employeeId) throw notFound('Absence', absenceId);
  requireSelfOrAdmin(actor, employeeId);
  const now = ctx.clock.now();
  try {
    if (row.started_at === null && row.from_at > now) {
      await ctx.store.transaction((tx) => deleteAbsence(tx, absenceId));
      return;
    }
    await ctx.store.transaction((tx) => endAbsenceAt(tx, absenceId, now));
  } finally {
    forgetAbsences(ctx.store);
  }
  await applyAbsenceNow(ctx, absenceId);
}
