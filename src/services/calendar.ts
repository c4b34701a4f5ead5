/** The organisation's business calendar: read by everyone, changed by administrators. */
import { type Actor, type EngineContext, requireAdmin } from '../context.ts';
import { type Calendar, calendarOrDefault, validateCalendar } from '../domain/calendar/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import { forgetCalendar } from '../engine/step-context.ts';
import { loadCalendar, storeCalendar } from '../store/calendar.ts';

export async function getCalendar(ctx: EngineContext): Promise<Calendar> {
  return calendarOrDefault(await loadCalendar(ctx.store.db), ctx.zone);
}

/**
 * Replaces the calendar. Deadlines already set keep their moment; stages entered or resumed from now
 * on count working time on the new calendar.
 */
export async function putCalendar(ctx: EngineContext, actor: Actor, input: unknown): Promise<Calendar> {
  requireAdmin(actor, 'Only administrators change the business calendar.');
  const checked = validateCalendar(input);
  if (!checked.ok) {
    throw new DomainError('validation_failed', checked.errors[0]?.message ?? 'The calendar is not valid.', {
      errors: checked.errors,
    });
  }
  try {
    await ctx.store.transaction((tx) => storeCalendar(tx, checked.calendar));
  } finally {
    forgetCalendar(ctx.store);
  }
  return checked.calendar;
}
