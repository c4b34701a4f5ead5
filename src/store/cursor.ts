/**
 * Paging cursors: opaque to clients (base64url of a small JSON array), checked on the way back in,
 * so a cursor the server did not make answers 400 `invalid_cursor` on every list instead of being
 * compared with ids as text or failing in SQL.
 */
import { DomainError } from '../domain/errors.ts';

/** Longest id a cursor may carry; ids are generated, this only bounds what a client can send. */
const MAX_ID_LENGTH = 100;

/** Encodes a cursor from its sort-key parts. */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Decodes a cursor to its parts, or throws `invalid_cursor` when it is not one the server made. */
export function decodeCursor(cursor: string): readonly unknown[] {
  const raw = Buffer.from(cursor, 'base64url');
  // Node decodes base64 leniently (it skips what is not the alphabet): insist on the exact text.
  if (raw.length === 0 || raw.toString('base64url') !== cursor) throw new DomainError('invalid_cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new DomainError('invalid_cursor');
  }
  if (!Array.isArray(parsed)) throw new DomainError('invalid_cursor');
  return parsed;
}

/** A cursor holding the id (or other unique key) of the last row of a page, for lists ordered by it. */
export function encodeIdCursor(id: string): string {
  return encodeCursor([id]);
}

/** The id an id cursor holds; `undefined` for none (or an empty one); `invalid_cursor` for anything else. */
export function decodeIdCursor(cursor: string | undefined, maxLength = MAX_ID_LENGTH): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const parts = decodeCursor(cursor);
  const [id] = parts;
  if (parts.length !== 1 || typeof id !== 'string' || id === '' || id.length > maxLength)
    throw new DomainError('invalid_cursor');
  return id;
}

/**
 * Keyset paging: the page of `rows` (fetched with `limit + 1`, the extra row only telling that more
 * follow) and the cursor to the next page, made from the page's last row; `null` on the last page.
 */
export function pageOf<R>(
  rows: readonly R[],
  limit: number,
  cursorOf: (last: R) => string,
): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** A page of rows keyed by `id`, with the id cursor. */
export function idPageOf<R extends { readonly id: string }>(rows: readonly R[], limit: number) {
  return pageOf(rows, limit, (last) => encodeIdCursor(last.id));
}

/** A cursor for lists ordered by a number (epoch milliseconds) and then the id. */
export function encodeSortCursor(next: { value: number; id: string }): string {
  return encodeCursor([next.value, next.id]);
}

/** The sort value and id a sort cursor holds; `invalid_cursor` for anything else. */
export function decodeSortCursor(cursor: string): { value: number; id: string } {
  const parts = decodeCursor(cursor);
  const [value, id] = parts;
  // Sort keys are epoch milliseconds: a fraction or a huge number would fail in SQL (bigint), not here.
  if (parts.length !== 2 || !Number.isSafeInteger(value) || typeof id !== 'string')
    throw new DomainError('invalid_cursor');
  return { value: value as number, id };
}
