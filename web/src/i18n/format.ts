/** Dates, numbers and money in the reader's language. */
import i18n from './index.ts';

const locale = () => (i18n.language === 'ru' ? 'ru-RU' : 'en-GB');

/**
 * A moment as people of `lang` write it: Russian "01.12.2026 11:02" (day first, no comma), English
 * "1 Dec 2026, 11:02". `timeZone` is for tests; the app shows the reader's own zone.
 */
export function dateTimeIn(lang: string, iso: string, withTime = true, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (lang === 'ru') {
    const parts = new Intl.DateTimeFormat('ru-RU', {
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      ...(timeZone ? { timeZone } : {}),
    }).formatToParts(date);
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
    const day = `${part('day')}.${part('month')}.${part('year')}`;
    return withTime ? `${day} ${part('hour')}:${part('minute')}` : day;
  }
  return new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    ...(withTime ? { timeStyle: 'short' } : {}),
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return dateTimeIn(i18n.language, iso);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return dateTimeIn(i18n.language, iso, false);
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return new Intl.NumberFormat(locale()).format(n);
}

export function formatBytes(n: number): string {
  const units = i18n.language === 'ru' ? ['Б', 'КБ', 'МБ', 'ГБ'] : ['B', 'KB', 'MB', 'GB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}

/** A calendar day ("2026-12-01") as people of `lang` type it: "01.12.2026" or "01/12/2026". */
export function dayIn(lang: string, isoDay: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDay);
  if (!m) return '';
  return lang === 'ru' ? `${m[3]}.${m[2]}.${m[1]}` : `${m[3]}/${m[2]}/${m[1]}`;
}

/**
 * A typed day back to "2026-12-01": day first, then month and a four-digit year, separated by dots,
 * slashes or dashes (either language accepts both). `null` when it is not a real day.
 */
export function parseDay(text: string): string | null {
  const m = /^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$/.exec(text);
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  return `${m[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
