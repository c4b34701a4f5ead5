/** The business calendar and absences with deputies: fetchers and query keys. */

import { api } from './client.ts';
import type { Absence, CalendarAnswer } from './types.ts';

export type { Absence, CalendarAnswer };

export const calendarKeys = {
  all: ['calendar'] as const,
  calendar: () => [...calendarKeys.all, 'calendar'] as const,
  absences: () => [...calendarKeys.all, 'absences'] as const,
};

export const calendarPaths = {
  calendar: '/api/calendar',
  absences: '/api/absences',
  employeeAbsences: (employeeId: string) => `/api/employees/${encodeURIComponent(employeeId)}/absences`,
  absence: (employeeId: string, absenceId: string) =>
    `/api/employees/${encodeURIComponent(employeeId)}/absences/${encodeURIComponent(absenceId)}`,
} as const;

export const fetchCalendar = () => api.get<CalendarAnswer>(calendarPaths.calendar);
export const saveCalendar = (calendar: CalendarAnswer) =>
  api.put<CalendarAnswer>(calendarPaths.calendar, calendar);
export const fetchAbsences = () => api.get<{ items: Absence[] }>(calendarPaths.absences);
export const addAbsence = (
  employeeId: string,
  body: { from: string; to: string; deputyId: string; moveOpenWork: boolean },
) => api.post<Absence>(calendarPaths.employeeAbsences(employeeId), body);
export const removeAbsence = (employeeId: string, absenceId: string) =>
  api.delete<void>(calendarPaths.absence(employeeId, absenceId));
