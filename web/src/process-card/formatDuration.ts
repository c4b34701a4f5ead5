/** ISO 8601 durations (P30D, PT2H, P1Y2M) in words of the reader's language. */
import i18n from '../i18n/index.ts';

const UNITS = [
  ['Y', 'year'],
  ['M', 'month'],
  ['W', 'week'],
  ['D', 'day'],
  ['TH', 'hour'],
  ['TM', 'minute'],
  ['TS', 'second'],
] as const;

const PATTERN =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** "30 days", "2 hours 30 minutes"; the raw text when it is not a duration we read. */
export function formatDuration(iso: string | null | undefined): string {
  if (!iso) return '—';
  const match = PATTERN.exec(iso);
  if (!match) return iso;
  const locale = i18n.language === 'ru' ? 'ru-RU' : 'en-GB';
  const parts: string[] = [];
  UNITS.forEach(([, unit], i) => {
    const raw = match[i + 1];
    const n = raw === undefined ? 0 : Number(raw);
    if (n > 0)
      parts.push(new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(n));
  });
  return parts.length > 0 ? parts.join(' ') : iso;
}
