/**
 * The first read of a command: the process row (locked where the dialect locks rows) and the
 * caller's access to it, in one statement. Access is as accessOf (processes.ts) answers it: admins
 * edit everything; members edit with an edit role, only look with `view`; others see nothing.
 */
import { runCompiledOnce } from './compiled-once.ts';
import type { ProcessRow } from './processes.ts';
import type { Db } from './store.ts';
import { EDIT_ROLES, type Viewer } from './visibility.ts';

export type Access = 'none' | 'view' | 'edit';

/** The process and the viewer's access to it; undefined when there is no such process. */
export async function findProcessForCommand(
  db: Db,
  id: string,
  viewer: Viewer,
  rowLocks: boolean,
): Promise<{ row: ProcessRow; access: Access } | undefined> {
  const build = ([processId, viewerId]: readonly string[]) => {
    const q = db
      .selectFrom('processes as p')
      .selectAll('p')
      .select((eb) => [
        eb
          .exists(
            eb
              .selectFrom('process_members as m')
              .select('m.role')
              .whereRef('m.process_id', '=', 'p.id')
              .where('m.employee_id', '=', viewerId as string),
          )
          .as('viewer_is_member'),
        eb
          .exists(
            eb
              .selectFrom('process_members as m')
              .select('m.role')
              .whereRef('m.process_id', '=', 'p.id')
              .where('m.employee_id', '=', viewerId as string)
              .where('m.role', 'in', [...EDIT_ROLES]),
          )
          .as('viewer_may_edit'),
      ])
      .where('p.id', '=', processId as string);
    return (rowLocks ? q.forUpdate() : q).compile();
  };
  const result = await runCompiledOnce(db, `process-for-command:${rowLocks}`, [id, viewer.id], build);
  const found = result.rows[0];
  if (!found) return undefined;
  const { viewer_is_member, viewer_may_edit, ...row } = found;
  const access: Access =
    viewer.role === 'admin' ? 'edit' : viewer_may_edit ? 'edit' : viewer_is_member ? 'view' : 'none';
  return { row, access };
}
