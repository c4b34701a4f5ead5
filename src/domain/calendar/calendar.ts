/**
 * An organisation's business calendar: which days are working days and which hours of them count
 * as working time, read on the wall clock of the calendar's zone. A date is a working day when it
 * is not a holiday and either its ISO weekday is a working day or it is listed as a moved working
 * day (`workingWeekends`, as a Saturday made a working day by a production calendar).
 */
import { IANAZone } from 'luxon';

/** An ISO weekday: 1 is Monday, 7 is Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** The working hours of every working day, `HH:mm` on the wall clock; `to` may be `24:00`. */
export interface WorkingHours {
  readonly from: string;
  readonly to: string;
}

/** The business calendar, exactly as the API reads and writes it. */
export interface Calendar {
  /** IANA zone whose wall clock the hours and dates are read on. */
  readonly zone: string;
  readonly workingDays: readonly IsoWeekday[];
  readonly hours: WorkingHours;
  /** Non-working dates, `YYYY-MM-DD`. */
  readonly holidays: readonly string[];
  /** Dates that are working days although their weekday is not, `YYYY-MM-DD`. */
  readonly workingWeekends: readonly string[];
}

/** Monday to Friday, 09:00 to 18:00, no holidays, in the given zone. */
export function defaultCalendar(zone: string): Calendar {
  return {
    zone,
    workingDays: [1, 2, 3, 4, 5],
    hours: { from: '09:00', to: '18:00' },
    holidays: [],
    workingWeekends: [],
  };
}

/** The calendar given, or the default one in `zone` when the organisation has none. */
export function calendarOrDefault(calendar: Calendar | undefined, zone: string): Calendar {
  return calendar ?? defaultCalendar(zone);
}

/** The most dates `holidays` and `workingWeekends` may list together. */
export const MAX_CALENDAR_DATES = 5000;

export type CalendarErrorCode =
  /** The value or one of its fields has the wrong type. */
  | 'invalid_shape'
  /** `zone` is not an IANA time zone. */
  | 'unknown_zone'
  /** A working day is not an integer from 1 to 7. */
  | 'invalid_working_day'
  | 'duplicate_working_day'
  /** `workingDays` is empty: no working time would ever pass. */
  | 'no_working_days'
  /** A time is not `HH:mm` (only `to` may be `24:00`). */
  | 'invalid_time'
  /** `hours.from` is not before `hours.to`. */
  | 'hours_not_ascending'
  /** A date is not a real `YYYY-MM-DD` date. */
  | 'invalid_date'
  /** A date is listed twice in the same list. */
  | 'duplicate_date'
  /** A date is both a holiday and a moved working day. */
  | 'date_conflict'
  | 'too_many_dates';

export type CalendarField =
  | 'zone'
  | 'workingDays'
  | 'hours'
  | 'hours.from'
  | 'hours.to'
  | 'holidays'
  | 'workingWeekends';

/** One problem with a calendar: the field at fault and, in a list, the index of the item. */
export interface CalendarError {
  readonly code: CalendarErrorCode;
  readonly field: CalendarField | null;
  readonly index?: number | undefined;
  readonly message: string;
}

export type CalendarValidation =
  | { readonly ok: true; readonly calendar: Calendar }
  | { readonly ok: false; readonly errors: readonly CalendarError[] };

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Minutes since midnight of an `HH:mm` time; `24:00` only when `endOfDay`; null when not a time. */
export function parseClockTime(text: unknown, endOfDay = false): number | null {
  if (typeof text !== 'string') return null;
  if (endOfDay && text === '24:00') return 1440;
  const match = TIME.exec(text);
  if (!match) return null;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date; null when the text is no real date. */
export function parseCalendarDate(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = DATE.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900 || month < 1 || month > 12 || day < 1) return null;
  const ms = Date.UTC(year, month - 1, day);
  if (new Date(ms).getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(obj: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}

/**
 * Checks a calendar (any JSON-shaped input) and returns every problem at once, or the calendar
 * with its lists sorted. Unknown fields are ignored. Never throws.
 */
export function validateCalendar(input: unknown): CalendarValidation {
  const errors: CalendarError[] = [];
  const add = (code: CalendarErrorCode, f: CalendarField | null, message: string, index?: number): void => {
    errors.push(index === undefined ? { code, field: f, message } : { code, field: f, index, message });
  };
  if (!isObject(input)) {
    add('invalid_shape', null, 'A calendar is an object.');
    return { ok: false, errors };
  }

  const zone = field(input, 'zone');
  if (typeof zone !== 'string') add('invalid_shape', 'zone', '"zone" must be a time zone name.');
  else if (!IANAZone.isValidZone(zone)) add('unknown_zone', 'zone', `"${zone}" is not a known time zone.`);

  const workingDays = field(input, 'workingDays');
  const days: IsoWeekday[] = [];
  if (!Array.isArray(workingDays)) {
    add('invalid_shape', 'workingDays', '"workingDays" must be a list of ISO weekdays (1 to 7).');
  } else {
    workingDays.forEach((day, index) => {
      if (!Number.isInteger(day) || (day as number) < 1 || (day as number) > 7) {
        add('invalid_working_day', 'workingDays', 'A working day is an ISO weekday from 1 to 7.', index);
      } else if (days.includes(day as IsoWeekday)) {
        add('duplicate_working_day', 'workingDays', `Weekday ${day} is listed twice.`, index);
      } else days.push(day as IsoWeekday);
    });
    if (workingDays.length === 0)
      add('no_working_days', 'workingDays', 'At least one weekday must be a working day.');
  }

  const hours = field(input, 'hours');
  let from: string | undefined;
  let to: string | undefined;
  if (!isObject(hours)) {
    add('invalid_shape', 'hours', '"hours" must be an object with "from" and "to".');
  } else {
    const rawFrom = field(hours, 'from');
    const rawTo = field(hours, 'to');
    const fromMin = parseClockTime(rawFrom);
    const toMin = parseClockTime(rawTo, true);
    if (fromMin === null)
      add('invalid_time', 'hours.from', 'The start of working hours is not an HH:mm time.');
    if (toMin === null) add('invalid_time', 'hours.to', 'The end of working hours is not an HH:mm time.');
    if (fromMin !== null && toMin !== null) {
      if (fromMin >= toMin) add('hours_not_ascending', 'hours', 'Working hours must start before they end.');
      from = rawFrom as string;
      to = rawTo as string;
    }
  }

  const lists: Record<'holidays' | 'workingWeekends', string[]> = { holidays: [], workingWeekends: [] };
  for (const name of ['holidays', 'workingWeekends'] as const) {
    const raw = field(input, name);
    if (!Array.isArray(raw)) {
      add('invalid_shape', name, `"${name}" must be a list of YYYY-MM-DD dates.`);
      continue;
    }
    const seen = new Set<string>();
    raw.forEach((date, index) => {
      if (parseCalendarDate(date) === null) {
        add('invalid_date', name, `${JSON.stringify(date)} is not a YYYY-MM-DD date.`, index);
      } else if (seen.has(date as string)) {
        add('duplicate_date', name, `${date} is listed twice.`, index);
      } else seen.add(date as string);
    });
    lists[name] = [...seen].sort();
  }
  if (lists.holidays.length + lists.workingWeekends.length > MAX_CALENDAR_DATES) {
    add('too_many_dates', null, `A calendar lists at most ${MAX_CALENDAR_DATES} dates.`);
  }
  const holidaySet = new Set(lists.holidays);
  const rawWeekends = field(input, 'workingWeekends');
  if (Array.isArray(rawWeekends)) {
    rawWeekends.forEach((date, index) => {
      if (typeof date === 'string' && holidaySet.has(date)) {
        add('date_conflict', 'workingWeekends', `${date} is both a holiday and a working day.`, index);
      }
    });
  }

  if (errors.length > 0 || typeof zone !== 'string' || from === undefined || to === undefined) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    calendar: {
      zone,
      workingDays: days.sort((a, b) => a - b),
      hours: { from, to },
      holidays: lists.holidays,
      workingWeekends: lists.workingWeekends,
    },
  };
}
