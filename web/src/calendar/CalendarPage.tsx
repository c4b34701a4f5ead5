/**
 * The business calendar (working days, hours, holidays, moved working days) that working-time
 * deadlines count on, and who is away with who stands in for them. Administrators edit the
 * calendar; everyone records their own absences, administrators anyone's.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ComponentProps, type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import {
  type Absence,
  addAbsence,
  type CalendarAnswer,
  calendarKeys,
  fetchAbsences,
  fetchCalendar,
  removeAbsence,
  saveCalendar,
} from '../api/time-control.ts';
import type { Employee } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { LabelledSelect } from '../ui/Field.tsx';
import { IconButton } from '../ui/IconButton.tsx';
import { PageHeader, PrimaryButton } from '../ui/PageHeader.tsx';
import { Alert, ErrorBox, Loading } from '../ui/States.tsx';
import { useEmployees } from '../ui/useEmployees.ts';
import './calendar.css';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const SPAN_ENDS = ['from', 'to'] as const;

/** The weekday's short name in the reader's language (2026-11-30 is a Monday). */
function weekdayName(day: number, language: string): string {
  return new Intl.DateTimeFormat(language, { weekday: 'short', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2026, 10, 29 + day)),
  );
}

function errorText(error: unknown): string | null {
  return error instanceof ApiError ? error.message : error ? String(error) : null;
}

export function CalendarPage({ me }: { me: Employee }) {
  const { t } = useTranslation('calendar');
  return (
    <section className="calendar-page" aria-labelledby="calendar-title">
      <PageHeader title={t('title')} titleId="calendar-title" />
      <CalendarEditor admin={me.role === 'admin'} />
      <Absences me={me} />
    </section>
  );
}

function CalendarEditor({ admin }: { admin: boolean }) {
  const { t, i18n } = useTranslation('calendar');
  const queryClient = useQueryClient();
  const calendar = useQuery({ queryKey: calendarKeys.calendar(), queryFn: fetchCalendar });
  const [draft, setDraft] = useState<CalendarAnswer | null>(null);
  const [holiday, setHoliday] = useState('');
  const [moved, setMoved] = useState('');
  useEffect(() => {
    if (calendar.data) setDraft(calendar.data);
  }, [calendar.data]);
  const save = useMutation({
    mutationFn: saveCalendar,
    onSuccess: (saved) => queryClient.setQueryData(calendarKeys.calendar(), saved),
  });
  if (calendar.isLoading || (!draft && !calendar.error)) return <Loading />;
  if (calendar.error || !draft) return <ErrorBox error={calendar.error} onRetry={() => calendar.refetch()} />;
  const set = (patch: Partial<CalendarAnswer>) => setDraft({ ...draft, ...patch });
  const toggleDay = (day: number) =>
    set({
      workingDays: draft.workingDays.includes(day)
        ? draft.workingDays.filter((d) => d !== day)
        : [...draft.workingDays, day].sort(),
    });
  const addDate = (list: 'holidays' | 'workingWeekends', value: string) => {
    if (!value || draft[list].includes(value)) return;
    set({ [list]: [...draft[list], value].sort() });
  };
  const dateList = (list: 'holidays' | 'workingWeekends', value: string, setValue: (v: string) => void) => (
    <div className="stack-tight" data-testid={`calendar-${list}`}>
      <h3>{t(`${list}.title`)}</h3>
      <p className="muted small">{t(`${list}.hint`)}</p>
      <ul className="chips">
        {draft[list].map((date) => (
          <li key={date} className="chip">
            {date}
            {admin && (
              <IconButton
                label={t('removeDate', { date })}
                small
                danger
                onClick={() => set({ [list]: draft[list].filter((d) => d !== date) })}
              />
            )}
          </li>
        ))}
        {draft[list].length === 0 && <li className="muted small">{t('none')}</li>}
      </ul>
      {admin && (
        <div className="row">
          <input
            type="date"
            aria-label={t(`${list}.add`)}
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
          <button
            type="button"
            onClick={() => {
              addDate(list, value);
              setValue('');
            }}
          >
            {t(`${list}.add`)}
          </button>
        </div>
      )}
    </div>
  );
  return (
    <div className="panel stack">
      <h2>{t('calendar')}</h2>
      <p className="muted small">{t('zone', { zone: draft.zone })}</p>
      <fieldset className="weekdays" disabled={!admin}>
        <legend>{t('workingDays')}</legend>
        {WEEKDAYS.map((day) => (
          <label key={day} className="inline">
            <input
              type="checkbox"
              checked={draft.workingDays.includes(day)}
              onChange={() => toggleDay(day)}
              data-testid={`weekday-${day}`}
            />
            {weekdayName(day, i18n.language)}
          </label>
        ))}
      </fieldset>
      <div className="row hours">
        {SPAN_ENDS.map((end) => (
          <label key={end} className="stack-tight">
            {t(end === 'from' ? 'hoursFrom' : 'hoursTo')}
            <input
              type="time"
              value={draft.hours[end]}
              disabled={!admin}
              onChange={(e) => set({ hours: { ...draft.hours, [end]: e.target.value } })}
              data-testid={`hours-${end}`}
            />
          </label>
        ))}
      </div>
      {dateList('holidays', holiday, setHoliday)}
      {dateList('workingWeekends', moved, setMoved)}
      <Alert message={errorText(save.error)} />
      {save.isSuccess && !save.isPending && <p className="ok small">{t('saved')}</p>}
      {admin && (
        <div className="row">
          <PrimaryButton testId="save-calendar" disabled={save.isPending} onClick={() => save.mutate(draft)}>
            {t('save')}
          </PrimaryButton>
        </div>
      )}
    </div>
  );
}

function Absences({ me }: { me: Employee }) {
  const { t } = useTranslation('calendar');
  const queryClient = useQueryClient();
  const employees = useEmployees();
  const absences = useQuery({ queryKey: calendarKeys.absences(), queryFn: fetchAbsences });
  const refresh = () => queryClient.invalidateQueries({ queryKey: calendarKeys.all });
  const remove = useMutation({
    mutationFn: (a: Absence) => removeAbsence(a.employeeId, a.id),
    onSuccess: refresh,
  });
  const name = (id: string) => employees.byId.get(id)?.name ?? '—';
  const admin = me.role === 'admin';
  const items = absences.data?.items ?? [];
  return (
    <div className="panel stack">
      <h2>{t('absences.title')}</h2>
      <p className="muted small">{t('absences.hint')}</p>
      {absences.error && <ErrorBox error={absences.error} onRetry={() => absences.refetch()} />}
      {items.length === 0 && !absences.isLoading && <p className="muted">{t('absences.none')}</p>}
      {items.length > 0 && (
        <ul className="absence-list" data-testid="absence-list">
          {items.map((a) => (
            <li key={a.id} className="absence">
              <span className="grow">
                {t('absences.line', {
                  employee: name(a.employeeId),
                  from: formatDateTime(a.from),
                  to: formatDateTime(a.to),
                  deputy: name(a.deputyId),
                })}
                {a.moveOpenWork && <span className="muted small"> · {t('absences.movesWork')}</span>}
              </span>
              {(admin || a.employeeId === me.id) && (
                <IconButton
                  label={t('absences.remove')}
                  small
                  danger
                  tooltip
                  onClick={() => remove.mutate(a)}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      <Alert message={errorText(remove.error)} />
      <AbsenceForm me={me} employees={employees.list} onAdded={refresh} />
    </div>
  );
}

/** A choice among employees, labelled above it. */
function EmployeeSelect({
  employees,
  ...select
}: { employees: readonly Employee[] } & Omit<ComponentProps<typeof LabelledSelect<string>>, 'options'>) {
  return <LabelledSelect options={employees.map((e) => ({ value: e.id, label: e.name }))} {...select} />;
}

/** The local date-time an `<input type="datetime-local">` shows for an instant. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function AbsenceForm({
  me,
  employees,
  onAdded,
}: {
  me: Employee;
  employees: readonly Employee[];
  onAdded: () => void;
}) {
  const { t } = useTranslation('calendar');
  const id = useId();
  const admin = me.role === 'admin';
  const [employeeId, setEmployeeId] = useState(me.id);
  const [span, setSpan] = useState(() => ({
    from: localInput(Date.now()),
    to: localInput(Date.now() + 7 * 86_400_000),
  }));
  const [deputyId, setDeputyId] = useState('');
  const [moveOpenWork, setMoveOpenWork] = useState(false);
  const add = useMutation({
    mutationFn: () =>
      addAbsence(employeeId, {
        from: new Date(span.from).toISOString(),
        to: new Date(span.to).toISOString(),
        deputyId,
        moveOpenWork,
      }),
    onSuccess: () => {
      setDeputyId('');
      onAdded();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <form className="stack-tight absence-form" onSubmit={submit} aria-label={t('absences.add')}>
      <h3>{t('absences.add')}</h3>
      <div className="row wrap">
        {admin && (
          <EmployeeSelect
            label={t('absences.employee')}
            employees={employees}
            value={employeeId}
            onChange={setEmployeeId}
            testId="absence-employee"
          />
        )}
        {SPAN_ENDS.map((end) => (
          <label key={end} className="stack-tight" htmlFor={`${id}-${end}`}>
            {t(`absences.${end}`)}
            <input
              id={`${id}-${end}`}
              type="datetime-local"
              value={span[end]}
              onChange={(e) => setSpan({ ...span, [end]: e.target.value })}
            />
          </label>
        ))}
        <EmployeeSelect
          label={t('absences.deputy')}
          employees={employees.filter((e) => e.id !== employeeId)}
          value={deputyId}
          onChange={setDeputyId}
          testId="absence-deputy"
          required
          empty={{ label: t('absences.chooseDeputy'), disabled: true }}
        />
      </div>
      <label className="inline">
        <input type="checkbox" checked={moveOpenWork} onChange={(e) => setMoveOpenWork(e.target.checked)} />
        {t('absences.moveOpenWork')}
      </label>
      <Alert message={errorText(add.error)} />
      <div className="row">
        <PrimaryButton disabled={add.isPending || !deputyId} testId="add-absence">
          {t('absences.add')}
        </PrimaryButton>
      </div>
    </form>
  );
}
