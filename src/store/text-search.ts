/** Case-insensitive "contains" search in SQL, the same on both dialects. */
import { type RawBuilder, sql } from 'kysely';

/** Makes `%`, `_` and `\` in searched text match themselves in a LIKE pattern escaped by `\`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The LIKE pattern of "contains the text", case folded, its wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${escapeLike(text.toLowerCase())}%`;
}

/** `lower(column)` contains the text, its wildcards taken literally. */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like ${containsPattern(text)} escape '\\'`;
}

/**
 * The shortest text a trigram index can look up, in characters. Shorter searches keep their
 * meaning (a substring anywhere, case ignored) but are answered by comparing rows: the journal
 * reads its sort index and stops at a full page, which for one or two characters (found in most
 * texts) comes quickly; counts for such a search compare every row in range.
 */
export const TRIGRAM_MIN_LENGTH = 3;

/** Whether a text index can answer a search for this text. */
export function indexableText(text: string): boolean {
  return [...text].length >= TRIGRAM_MIN_LENGTH;
}

/** An FTS5 query matching the text as one phrase: with the trigram tokenizer, a plain substring. */
export function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
