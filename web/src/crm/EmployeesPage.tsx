import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createEmployee, employeeKeys, fetchEmployees } from '../api/employees.ts';
import type { Employee } from '../api/types.ts';
import { Dialog, type DialogProps, useDialog } from '../ui/Dialog.tsx';
import { ListTable } from '../ui/ListTable.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader, PrimaryButton } from '../ui/PageHeader.tsx';
import { QueryStates } from '../ui/States.tsx';
import { type FormErrors, formErrors, NO_ERRORS } from './errors.ts';
import { CreateFormActions } from './RecordFields.tsx';
import { RecordSearch } from './RecordSearch.tsx';
import './crm.css';

const MIN_PASSWORD = 8;

/** Administrators: who works here, who is online, and a dialog to add an employee. */
export function EmployeesPage() {
  const { t } = useTranslation('crm');
  const [filter, setFilter] = useState('');
  const creating = useDialog();
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
      <PageHeader title={t('employees.title')} titleId="employees-title">
        <PrimaryButton testId="new-employee" onClick={creating.show}>
          {t('employees.new')}
        </PrimaryButton>
      </PageHeader>
      <div className="toolbar">
        <RecordSearch placeholder={t('employees.searchPlaceholder')} value={filter} onChange={setFilter} />
        {employees.isSuccess && (
          <span className="muted crm-small">
            {t('employees.onlineCount', { count: all.filter((e) => e.online).length, total: all.length })}
          </span>
        )}
      </div>
      {created && (
        <Notice onClose={() => setCreated(null)}>
          {t('employees.createdNotice', { name: created.name, login: created.login })}
        </Notice>
      )}
      <QueryStates query={employees} empty={rows.length === 0}>
        {needle ? t('employees.emptySearch') : t('employees.empty')}
      </QueryStates>
      {rows.length > 0 && (
        <ListTable
          className="grid crm-table"
          columns={[t('employees.name'), t('employees.login'), t('employees.role'), t('employees.presence')]}
        >
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
        </ListTable>
      )}
      <CreateEmployeeDialog
        open={creating.open}
        onClose={creating.onClose}
        onCreated={(e) => {
          creating.onClose();
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
}: DialogProps & {
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
        <CreateFormActions error={errors.form} pending={create.isPending} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
