/** Where "now" comes from. The engine and the scheduler read time only through a Clock. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** A time as the API shows every time: an ISO 8601 UTC string; `null` stays `null`. */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
