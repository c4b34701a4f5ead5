/**
 * ISO 8601 durations (`PT1M`, `P30D`, `P2Y`): parsing, bounds, and calendar-correct addition in a
 * time zone. `P1D` is one calendar day (23 or 25 hours across a DST change), `P1M` from 31 January
 * lands on the last day of February, as a person reading a calendar expects.
 */
import { DateTime, Duration, IANAZone } from 'luxon';

/** A parsed duration, kept as its ISO text and its calendar components. */
export interface ParsedDuration {
  readonly iso: string;
  readonly duration: Duration;
}

const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/** Parses an ISO 8601 duration of whole, non-negative units; `null` when the text is not one. */
export function parseDuration(text: unknown): ParsedDuration | null {
  if (typeof text !== 'string' || text.length > 64 || !ISO_DURATION.test(text)) return null;
  const duration = Duration.fromISO(text);
  if (!duration.isValid) return null;
  return { iso: text, duration };
}

/** The shortest and longest wait a stage may have. */
export const WAIT_MIN = 'PT1M';
export const WAIT_MAX = 'P10Y';

/**
 * The length of a duration in milliseconds, measured on the calendar from a fixed reference (the epoch,
 * UTC) so `P120M` and `P10Y` compare as equal; NaN when it lands on no instant.
 */
function lengthMs(duration: Duration): number {
  return DateTime.fromMillis(0, { zone: 'utc' }).plus(duration).toMillis();
}

const WAIT_MIN_MS = lengthMs(Duration.fromISO(WAIT_MIN));
const WAIT_MAX_MS = lengthMs(Duration.fromISO(WAIT_MAX));

/** Whether the duration lies within [1 minute, 10 years]: the bounds of a stage's wait. */
export function isWithinWaitBounds(parsed: ParsedDuration): boolean {
  const length = lengthMs(parsed.duration);
  return length >= WAIT_MIN_MS && length <= WAIT_MAX_MS;
}

/** Whether the duration is at most 10 years, the longest wait (false when it lands on no instant). */
export function isWithinWaitMax(parsed: ParsedDuration): boolean {
  return lengthMs(parsed.duration) <= WAIT_MAX_MS;
}

/** Whether the zone is an IANA time zone Luxon knows. */
export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * Adds a duration to an instant (epoch milliseconds) on the calendar of `zone`: days, months and
 * years move the wall clock, hours and minutes move the instant.
 */
export function addDuration(instantMs: number, parsed: ParsedDuration, zone: string): number {
  return DateTime.fromMillis(instantMs, { zone }).plus(parsed.duration).toMillis();
}

/** Parses a duration or throws; for values already checked by validation. */
export function mustParseDuration(text: string): ParsedDuration {
  const parsed = parseDuration(text);
  if (!parsed) throw new Error(`not an ISO 8601 duration: ${text}`);
  return parsed;
}
