/** Timers that failed too often to fire: listed for administrators, who retry them once fixed. */

import type { EngineContext } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { decodeIdCursor, encodeIdCursor, pageOf } from '../store/cursor.ts';
import { findTimer, listParkedTimers, type TimerRow, unparkTimer } from '../store/timers.ts';

export interface TimerView {
  readonly key: string;
  readonly kind: TimerRow['kind'];
  readonly processId: string;
  readonly dueAt: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly parkedAt: string | null;
}

function viewOf(row: TimerRow): TimerView {
  return {
    key: row.key,
    kind: row.kind,
    processId: row.process_id,
    dueAt: isoTime(row.due_at),
    attempts: row.attempts,
    lastError: row.last_error,
    parkedAt: isoTime(row.parked_at),
  };
}

/** One page of parked timers, by key; the cursor is the last key shown. */
export async function parkedTimers(
  ctx: EngineContext,
  options: { limit: number; cursor?: string | undefined },
): Promise<{ items: TimerView[]; nextCursor: string | null }> {
  const rows = await listParkedTimers(ctx.store.db, options.limit, decodeIdCursor(options.cursor, 300));
  const { page, nextCursor } = pageOf(rows, options.limit, (last) => encodeIdCursor(last.key));
  return { items: page.map(viewOf), nextCursor };
}

/** Unparks a timer: its attempts start again from zero and it is due now. */
export async function retryParkedTimer(ctx: EngineContext, key: string): Promise<TimerView> {
  const now = ctx.clock.now();
  const row = await ctx.store.transaction(async (tx) => {
    const unparked = await unparkTimer(tx, key, now);
    if (unparked) return unparked;
    if (!(await findTimer(tx, key))) throw notFound('Timer', key);
    throw new DomainError('timer_not_parked', undefined, { key });
  });
  ctx.log?.info({ timer: key }, 'parked timer retried');
  return viewOf(row);
}
