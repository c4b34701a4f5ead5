/** Rows of the files attached to processes (the bytes live on disk, by attachment id). */
import type { Insertable, Selectable, WhereInterface } from 'kysely';
import type { AttachmentTable, Database } from './schema.ts';
import type { Db } from './store.ts';

export type AttachmentRow = Selectable<AttachmentTable>;

export async function insertAttachment(db: Db, row: Insertable<AttachmentTable>): Promise<void> {
  await db.insertInto('attachments').values(row).execute();
}

/** The where clause naming one attachment of a process. */
function theAttachment<Q extends WhereInterface<Database, 'attachments'>>(
  q: Q,
  processId: string,
  id: string,
): Q {
  return q.where('id', '=', id).where('process_id', '=', processId) as Q;
}

export async function findAttachmentRow(db: Db, processId: string, attachmentId: string) {
  return theAttachment(db.selectFrom('attachments').selectAll(), processId, attachmentId).executeTakeFirst();
}

/** Deletes an attachment's row and returns it; undefined when there was none. */
export async function deleteAttachmentRow(db: Db, processId: string, attachmentId: string) {
  return theAttachment(db.deleteFrom('attachments'), processId, attachmentId)
    .returningAll()
    .executeTakeFirst();
}

/** The attachments of a process, oldest first. */
export async function attachmentsOf(db: Db, processId: string) {
  return db
    .selectFrom('attachments')
    .select(['id', 'name', 'size', 'content_type', 'created_at'])
    .where('process_id', '=', processId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
