import type { TFunction } from 'i18next';
import { type ReactNode, type Ref, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { DialogActions } from '../ui/Dialog.tsx';
import { Alert } from '../ui/States.tsx';
import { ClientPicker } from './ClientPicker.tsx';
import { type FormErrors, NO_ERRORS } from './errors.ts';
import { type BodyResult, type FieldName, type FormValues, fieldsOf, type RecordKind } from './records.ts';

/** The labelled, editable fields of one record, each with its error message under it. */
export function RecordFields({
  kind,
  values,
  onChange,
  errors,
  firstFieldRef,
}: {
  kind: RecordKind;
  values: FormValues;
  onChange: (field: FieldName, value: string) => void;
  errors: FormErrors;
  firstFieldRef?: Ref<HTMLInputElement>;
}) {
  const { t } = useTranslation('crm');
  const id = useId();
  const groupsId = `${id}-groups`;
  const fields = fieldsOf(kind);
  return (
    <div className="crm-fields">
      {fields.map((field, index) => {
        const error = errors.fields[field];
        const errorId = `${id}-${field}-error`;
        const label = t(`fields.${field}`);
        if (field === 'counterpartyId') {
          return (
            <ClientPicker
              key={field}
              label={label}
              value={values.counterpartyId}
              onChange={(v) => onChange('counterpartyId', v)}
              error={error}
              errorId={errorId}
            />
          );
        }
        const required = field === 'name' || field === 'number';
        return (
          <Field key={field} error={error} errorId={errorId}>
            <label>
              <span>
                {label}
                {required && <span aria-hidden="true"> *</span>}
              </span>
              <input
                ref={index === 0 ? firstFieldRef : undefined}
                name={field}
                type={
                  field === 'email' ? 'email' : field === 'phone' ? 'tel' : field === 'date' ? 'date' : 'text'
                }
                inputMode={field === 'amount' ? 'decimal' : undefined}
                autoComplete="off"
                list={field === 'group' ? groupsId : undefined}
                value={values[field]}
                aria-required={required || undefined}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? errorId : undefined}
                onChange={(e) => onChange(field, e.target.value)}
              />
            </label>
          </Field>
        );
      })}
      {fields.includes('group') && (
        <datalist id={groupsId}>
          <option value={t('lostGroup')} />
        </datalist>
      )}
    </div>
  );
}

function Field({
  children,
  error,
  errorId,
}: {
  children: ReactNode;
  error: string | undefined;
  errorId: string;
}) {
  return (
    <div className="crm-field">
      {children}
      {error && (
        <span className="crm-field-error" id={errorId}>
          {error}
        </span>
      )}
    </div>
  );
}

/** Localised messages for the problems the API reports on record fields. */
export function useRecordErrorText() {
  const { t } = useTranslation('crm');
  return (values: FormValues) =>
    (field: string, code: string): string | undefined => {
      if ((field === 'name' || field === 'number') && values[field as FieldName]?.trim() === '')
        return t(`errors.required_${field}`);
      if (field === 'counterpartyId' && code === 'reference_not_found') return t('errors.clientNotFound');
      if (field === 'date') return t('errors.date');
      if (field === 'amount') return t('errors.amount');
      return undefined;
    };
}

/**
 * Sends a record form's body once the checks made before sending pass; otherwise shows, next to
 * each field that failed, why.
 */
export function checkAndSend(
  t: TFunction,
  { body, invalid }: BodyResult,
  setErrors: (errors: FormErrors) => void,
  send: (body: Record<string, unknown>) => void,
): void {
  const message = (f: FieldName) =>
    t(f === 'name' || f === 'number' ? `crm:errors.required_${f}` : `crm:errors.${f}`);
  if (invalid.length > 0) {
    setErrors({ fields: Object.fromEntries(invalid.map((f) => [f, message(f)])), form: null });
    return;
  }
  setErrors(NO_ERRORS);
  send(body);
}

/** The end of a "new …" form: what went wrong, then Cancel and Create ("Creating…" while it runs). */
export function CreateFormActions({
  error,
  pending,
  onCancel,
}: {
  error: string | null;
  pending: boolean;
  onCancel: () => void;
}) {
  const { t } = useTranslation('crm');
  return (
    <>
      <Alert message={error} />
      <DialogActions
        onCancel={onCancel}
        confirmLabel={pending ? t('creating') : t('create')}
        disabled={pending}
      />
    </>
  );
}
