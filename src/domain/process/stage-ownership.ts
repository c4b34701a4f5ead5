/**
 * Who may move a stage. The current stage belongs to its responsible: starting and finishing it are
 * theirs and the administrators'. A stage without a responsible belongs to everyone who may edit
 * the process. Everything else about a process (pause, note, files, links, access, reassigning the
 * stage) stays with anyone who may edit it; reassigning to oneself is how a colleague takes over.
 */

/** The caller, as far as ownership is concerned. */
export interface Mover {
  readonly id: string;
  readonly role: 'admin' | 'manager';
}

/** Whether `mover`, who may edit the process, may start or finish its current stage. */
export function mayMoveStage(mover: Mover, responsibleId: string | null): boolean {
  return mover.role === 'admin' || responsibleId === null || responsibleId === mover.id;
}

/** Whether `mover` may complete a task of the process: its assignee, the stage's responsible, an admin. */
export function mayCompleteTask(
  mover: Mover,
  assigneeId: string | null,
  responsibleId: string | null,
): boolean {
  return (
    mover.role === 'admin' ||
    assigneeId === mover.id ||
    (responsibleId !== null && responsibleId === mover.id)
  );
}
