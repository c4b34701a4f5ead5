/** Access rules as part of the query, so lists and counts never show what the caller may not see. */
import { type ExpressionBuilder, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface Viewer {
  readonly id: string;
  readonly role: 'admin' | 'manager';
}

/** Member roles that may change a process; `view` may only look. */
export const EDIT_ROLES = ['initiator', 'responsible', 'task', 'edit'] as const;

/** `where` clause: the process `p` is visible to the viewer. */
export function visibleTo(viewer: Viewer) {
  return (eb: ExpressionBuilder<Database & { p: Database['processes'] }, 'p'>) =>
    viewer.role === 'admin'
      ? sql<boolean>`1 = 1`
      : eb.exists(
          eb
            .selectFrom('process_members as m')
            .select(sql`1`.as('one'))
            .whereRef('m.process_id', '=', 'p.id')
            .where('m.employee_id', '=', viewer.id),
        );
}
