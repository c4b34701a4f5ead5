/** The organisation's business calendar, kept as one JSON setting. */
import type { Calendar } from '../domain/calendar/calendar.ts';
import { getSetting, saveSetting } from './settings.ts';
import type { Db } from './store.ts';

export const CALENDAR_SETTING = 'calendar';

export async function loadCalendar(db: Db): Promise<Calendar | undefined> {
  const saved = await getSetting(db, CALENDAR_SETTING);
  return saved ? (JSON.parse(saved) as Calendar) : undefined;
}

export async function storeCalendar(db: Db, calendar: Calendar): Promise<void> {
  await saveSetting(db, CALENDAR_SETTING, JSON.stringify(calendar));
}
