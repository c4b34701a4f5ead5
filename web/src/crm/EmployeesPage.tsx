import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createEmployee, employeeKeys, fetchEmployees } from '../api/employees.ts';
import type { Employee } from '../api/types.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { Empty, ErrorBox, Loading } from '../ui/States.tsx';
import { type FormErrors, formErrors, NO_ERRORS } from './errors.ts';
import './crm.css';

const MIN_PASSWORD = 8;

/** Administrators: who works here, who is online, and a dialog to add an employee. */
export function EmployeesPage() {
  const { t } = useTranslation('crm');
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Employee | null>(null);
  const employees = useQuery({
    queryKey: employeeKeys.list(),
    queryFn: fetchEmployees,
    refetchInterval: 30_000,
  });
  const needle = filter.trim().toLowerCase();
  const all = employees.data?.items ?? [];
  const rows = needle
    ? all.filter((e) => e.name.toLowerCase().includes(needle) || e.login.toLowerCase().includes(needle))
    : all;

  return (
    <section className="crm-list" aria-labelledby="employees-title">
      <div className="page-header">
        <h1 id="employees-title">{t('employees.title')}</h1>
        <div className="actions">
          <button
            type="button"
            className="primary"
            data-testid="new-employee"
            onClick={() => setCreating(true)}
          >
            {t('employees.new')}
          </button>
        </div>
      </div>
      <div className="toolbar">
        <label className="crm-search">
          {t('search')}
          <input
            type="search"
            data-testid="record-search"
            placeholder={t('employees.searchPlaceholder')}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </label>
        {employees.isSuccess && (
          <span className="muted crm-small">
            {t('employees.onlineCount', { count: all.filter((e) => e.online).length, total: all.length })}
          </span>
        )}
      </div>
      {created && (
        <p className="crm-notice" role="status">
          {t('employees.createdNotice', { name: created.name, login: created.login })}
          <button
            type="button"
            className="icon"
            aria-label={t('common:close')}
            onClick={() => setCreated(null)}
          >
            ×
          </button>
        </p>
      )}
      {employees.isLoading && <Loading />}
      {employees.error && <ErrorBox error={employees.error} onRetry={() => employees.refetch()} />}
      {employees.isSuccess && rows.length === 0 && (
        <Empty>{needle ? t('employees.emptySearch') : t('employees.empty')}</Empty>
      )}
      {rows.length > 0 && (
        <table className="grid crm-table">
          <thead>
            <tr>
              <th>{t('employees.name')}</th>
              <th>{t('employees.login')}</th>
              <th>{t('employees.role')}</th>
              <th>{t('employees.presence')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id} data-testid="record-row">
                <td>
                  <span className={`dot${e.online ? ' online' : ''}`} aria-hidden="true" />
                  {e.name}
                </td>
                <td>{e.login}</td>
                <td>
                  <span className={`pill crm-role-${e.role}`}>{t(`employees.roles.${e.role}`)}</span>
                </td>
                <td className={e.online ? 'crm-online' : 'muted'}>
                  {t(e.online ? 'common:online' : 'common:offline')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CreateEmployeeDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(e) => {
          setCreating(false);
          setCreated(e);
        }}
      />
    </section>
  );
}

type EmployeeForm = { login: string; name: string; password: string; role: 'manager' | 'admin' };
const EMPTY: EmployeeForm = { login: '', name: '', password: '', role: 'manager' };

function CreateEmployeeDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (e: Employee) => void;
}) {
  const { t } = useTranslation('crm');
  const queryClient = useQueryClient();
  const id = useId();
  const [values, setValues] = useState<EmployeeForm>(EMPTY);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open) return;
    setValues(EMPTY);
    setErrors(NO_ERRORS);
    const frame = requestAnimationFrame(() => first.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [open]);

  const create = useMutation({
    mutationFn: (body: EmployeeForm) => createEmployee<Employee>(body),
    onSuccess: async (employee) => {
      await queryClient.invalidateQueries({ queryKey: employeeKeys.all });
      onCreated(employee);
    },
    onError: (error) =>
      setErrors(
        formErrors(
          error,
          ['login', 'name', 'password', 'role'],
          (field, code) => {
            if (code === 'duplicate' && field === 'login') return t('employees.errors.loginTaken');
            if (field === 'login' && values.login.trim() === '') return t('employees.errors.loginRequired');
            if (field === 'login') return t('employees.errors.loginChars');
            if (field === 'name') return t('employees.errors.nameRequired');
            if (field === 'password') return t('employees.errors.passwordShort', { min: MIN_PASSWORD });
            return undefined;
          },
          t('common:error'),
        ),
      ),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    // The one rule checked here as well, so the message comes before the round trip.
    if (values.password.length < MIN_PASSWORD) {
      setErrors({
        fields: { password: t('employees.errors.passwordShort', { min: MIN_PASSWORD }) },
        form: null,
      });
      return;
    }
    setErrors(NO_ERRORS);
    create.mutate({ ...values, login: values.login.trim() });
  }

  const field = (name: 'login' | 'name' | 'password', type: string, autoComplete: string) => {
    const error = errors.fields[name];
    const errorId = `${id}-${name}-error`;
    return (
      <div className="crm-field">
        <label>
          <span>
            {t(`employees.${name}`)}
            <span aria-hidden="true"> *</span>
          </span>
          <input
            ref={name === 'login' ? first : undefined}
            type={type}
            name={name}
            autoComplete={autoComplete}
            value={values[name]}
            aria-required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : name === 'password' ? `${id}-password-hint` : undefined}
            onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
          />
        </label>
        {name === 'password' && !error && (
          <span className="muted crm-small" id={`${id}-password-hint`}>
            {t('employees.passwordHint', { min: MIN_PASSWORD })}
          </span>
        )}
        {error && (
          <span className="crm-field-error" id={errorId}>
            {error}
          </span>
        )}
      </div>
    );
  };

  return (
    <Dialog open={open} title={t('employees.new')} onClose={onClose}>
      <form className="stack" noValidate onSubmit={submit}>
        {field('login', 'text', 'off')}
        {field('name', 'text', 'off')}
        {field('password', 'password', 'new-password')}
        <label>
          {t('employees.role')}
          <select
            value={values.role}
            onChange={(e) =>
              setValues((v) => ({ ...v, role: e.target.value === 'admin' ? 'admin' : 'manager' }))
            }
          >
            <option value="manager">{t('employees.roles.manager')}</option>
            <option value="admin">{t('employees.roles.admin')}</option>
          </select>
        </label>
        {errors.form && (
          <p className="error" role="alert">
            {errors.form}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('common:cancel')}
          </button>
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? t('creating') : t('create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
