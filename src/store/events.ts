/** Events of processes: what happened at a stage, as the event list shows it. */
import type { Insertable, Selectable } from 'kysely';
import { insertRows } from './insert-rows.ts';
import type { EventTable } from './schema.ts';
import type { Db } from './store.ts';
import { type Viewer, visibleTo } from './visibility.ts';

export type EventRow = Selectable<EventTable>;

export async function insertEvents(db: Db, rows: readonly Insertable<EventTable>[]): Promise<void> {
  await insertRows(db, 'events', rows);
}

/**
 * One page of events, by id: of one process, or else of every process the viewer may see;
 * `limit + 1` rows tell whether more follow.
 */
export async function listEventRows(
  db: Db,
  viewer: Viewer,
  processId: string | undefined,
  after: string | undefined,
  limit: number,
): Promise<EventRow[]> {
  let q = db.selectFrom('events').selectAll('events');
  if (processId) q = q.where('events.process_id', '=', processId);
  else if (viewer.role !== 'admin') {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('processes as p')
          .select('p.id')
          .whereRef('p.id', '=', 'events.process_id')
          .where(visibleTo(viewer)),
      ),
    );
  }
  if (after) q = q.where('events.id', '>', after);
  return q.orderBy('events.id').limit(limit).execute();
}
