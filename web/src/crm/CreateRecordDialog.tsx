import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { recordKeys, recordPaths } from '../api/records.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { type FormErrors, formErrors, NO_ERRORS } from './errors.ts';
import { RecordFields, useRecordErrorText } from './RecordFields.tsx';
import {
  type CrmRecord,
  type FormValues,
  fieldsOf,
  type RecordKind,
  toBody,
  toFormValues,
} from './records.ts';

/** "New client / order / …": labelled fields, the API's validation messages next to them. */
export function CreateRecordDialog({
  kind,
  open,
  onClose,
  onCreated,
  defaults,
}: {
  kind: RecordKind;
  open: boolean;
  onClose: () => void;
  onCreated: (record: CrmRecord) => void;
  defaults?: Partial<FormValues>;
}) {
  const { t } = useTranslation('crm');
  const queryClient = useQueryClient();
  const [values, setValues] = useState<FormValues>(() => toFormValues(undefined, defaults));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const firstField = useRef<HTMLInputElement>(null);
  const errorText = useRecordErrorText();

  // A fresh form each time the dialog opens, with the cursor in the first field.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when (re)opened
  useEffect(() => {
    if (!open) return;
    setValues(toFormValues(undefined, defaults));
    setErrors(NO_ERRORS);
    const frame = requestAnimationFrame(() => firstField.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [open]);

  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<CrmRecord>(recordPaths.list(kind), body),
    onSuccess: async (record) => {
      await queryClient.invalidateQueries({ queryKey: recordKeys.lists(kind) });
      onCreated(record);
    },
    onError: (error) => setErrors(formErrors(error, fieldsOf(kind), errorText(values), t('common:error'))),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const { body, invalid } = toBody(kind, values);
    if (invalid.length > 0) {
      setErrors({
        fields: Object.fromEntries(
          invalid.map((f) => [f, t(f === 'name' || f === 'number' ? `errors.required_${f}` : `errors.${f}`)]),
        ),
        form: null,
      });
      return;
    }
    setErrors(NO_ERRORS);
    create.mutate(body);
  }

  return (
    <Dialog open={open} title={t(`kinds.${kind}.new`)} onClose={onClose}>
      <form className="stack" noValidate onSubmit={submit}>
        <RecordFields
          kind={kind}
          values={values}
          errors={errors}
          firstFieldRef={firstField}
          onChange={(field, value) => setValues((v) => ({ ...v, [field]: value }))}
        />
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
