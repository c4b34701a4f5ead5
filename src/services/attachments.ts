/**
 * Files attached to a process. Bytes are streamed to `DATA_DIR/attachments/<generated id>` (never
 * the client's name) with their sha256; the content type comes from the bytes, not from the client;
 * the display name is stripped of path parts and control characters.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromFile } from 'file-type';
import type { Actor, EngineContext } from '../context.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { requireUnfinished } from '../domain/process/step.ts';
import { inTransaction, loadForWrite, recordActorChange } from '../engine/run-command.ts';
import { deleteAttachmentRow, findAttachmentRow, insertAttachment } from '../store/attachments.ts';
import { accessOf, findProcessStatus, recordChange } from '../store/processes.ts';

const FALLBACK_TYPE = 'application/octet-stream';
/** Bytes of an upload in flight are written under this prefix, then renamed to the attachment's id. */
const TEMP_PREFIX = '.upload-';

/** The name to show: the last path part, without control characters, at most 255 characters. */
export function displayName(raw: string | undefined): string {
  const last = (raw ?? '').split(/[/\\]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const clean = last.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  const safe = clean === '.' || clean === '..' ? '' : clean;
  return (safe || 'file').slice(0, 255);
}

function attachmentDir(dataDir: string): string {
  return path.join(dataDir, 'attachments');
}

export function attachmentPath(dataDir: string, id: string): string {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound('Attachment', id);
  return path.join(attachmentDir(dataDir), id);
}

async function requireAccess(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  level: 'view' | 'edit',
): Promise<void> {
  const found = await findProcessStatus(ctx.store.db, processId);
  const access = found ? await accessOf(ctx.store.db, processId, actor) : 'none';
  if (!found || access === 'none') throw notFound('Process', processId);
  if (level === 'edit' && access !== 'edit')
    throw new DomainError('forbidden', 'You may not change this process.');
  if (level === 'edit') requireUnfinished(found.status);
}

/**
 * Checks, before a byte of an upload is read, that the actor may attach files to the process:
 * 404 when they may not see it, 403 when they may only look, 422 when it is completed or cancelled.
 */
export async function requireAttachable(ctx: EngineContext, actor: Actor, processId: string): Promise<void> {
  await requireAccess(ctx, actor, processId, 'edit');
}

/**
 * Removes the temporary files of uploads that were in flight when the server stopped (a crash or a
 * kill leaves them); called once at start-up, before the server takes requests.
 */
export async function removeStaleUploads(dataDir: string): Promise<number> {
  const dir = attachmentDir(dataDir);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const stale = names.filter((name) => name.startsWith(TEMP_PREFIX));
  for (const name of stale) await rm(path.join(dir, name), { force: true });
  return stale.length;
}

export interface Upload {
  readonly filename: string | undefined;
  readonly stream: Readable & { truncated?: boolean };
  /**
   * Reads the rest of the request once the file's bytes are stored, and rejects when it is not
   * well-formed (a second file, a cut-off body); nothing is recorded then.
   */
  readonly rest?: (() => Promise<void>) | undefined;
}

/** Stores an upload; throws `too_large` when the stream was cut at the size limit. */
export async function addAttachment(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  dataDir: string,
  upload: Upload,
) {
  await requireAccess(ctx, actor, processId, 'edit');
  const id = ctx.newId();
  const dir = attachmentDir(dataDir);
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `${TEMP_PREFIX}${id}`);
  const hash = createHash('sha256');
  let size = 0;
  upload.stream.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.length;
  });
  try {
    await pipeline(upload.stream, createWriteStream(temp, { flags: 'wx' }));
    if (upload.stream.truncated)
      throw new DomainError('too_large', 'The file is larger than the upload limit.');
    await upload.rest?.();
    const detected = await fileTypeFromFile(temp);
    const row = {
      id,
      process_id: processId,
      name: displayName(upload.filename),
      size,
      content_type: detected?.mime ?? FALLBACK_TYPE,
      sha256: hash.digest('hex'),
      created_at: ctx.clock.now(),
      created_by: actor.id,
    };
    await rename(temp, attachmentPath(dataDir, id));
    try {
      await inTransaction(ctx, async (tx) => {
        // Checked again: the process may have been completed or cancelled while the bytes arrived.
        requireUnfinished((await loadForWrite(tx, ctx, actor, processId)).status);
        await insertAttachment(tx, row);
        await recordChange(tx, {
          processId,
          at: row.created_at,
          actorId: actor.id,
          action: 'attachment.added',
          details: {
            attachmentId: id,
            name: row.name,
            size,
            contentType: row.content_type,
            sha256: row.sha256,
          },
        });
      });
    } catch (error) {
      await rm(attachmentPath(dataDir, id), { force: true });
      throw error;
    }
    return { id, name: row.name, size, contentType: row.content_type, sha256: row.sha256 };
  } finally {
    await rm(temp, { force: true });
  }
}

/** An attachment the viewer may see, with where its bytes are. */
export async function findAttachment(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  attachmentId: string,
  dataDir: string,
) {
  await requireAccess(ctx, actor, processId, 'view');
  const row = await findAttachmentRow(ctx.store.db, processId, attachmentId);
  if (!row) throw notFound('Attachment', attachmentId);
  return { ...row, file: attachmentPath(dataDir, row.id) };
}

export async function deleteAttachment(
  ctx: EngineContext,
  actor: Actor,
  processId: string,
  attachmentId: string,
  dataDir: string,
) {
  const removed = await inTransaction(ctx, async (tx) => {
    requireUnfinished((await loadForWrite(tx, ctx, actor, processId)).status);
    const row = await deleteAttachmentRow(tx, processId, attachmentId);
    if (!row) throw notFound('Attachment', attachmentId);
    await recordActorChange(tx, ctx, actor, processId, 'attachment.removed', {
      attachmentId,
      name: row.name,
    });
    return row;
  });
  await rm(attachmentPath(dataDir, removed.id), { force: true });
}
