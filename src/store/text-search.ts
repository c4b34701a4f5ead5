/** Case-insensitive "contains" search in SQL, the same on both dialects. */
import { type RawBuilder, sql } from 'kysely';

/** Makes `%`, `_` and `\` in searched text match themselves in a LIKE pattern escaped by `\`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `lower(column)` contains the text, its wildcards taken literally. */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${escapeLike(text.toLowerCase())}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
