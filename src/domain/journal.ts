/**
 * The orders the journal lists processes in, newest or oldest first by last change, launch or
 * deadline. Ordered by deadline, the journal lists only the processes whose current stage has one.
 */
export const JOURNAL_SORTS = [
  '-updatedAt',
  'updatedAt',
  '-startedAt',
  'startedAt',
  'dueAt',
  '-dueAt',
] as const;

export type JournalSort = (typeof JOURNAL_SORTS)[number];
