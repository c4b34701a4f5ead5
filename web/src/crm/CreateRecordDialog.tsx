import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { recordKeys, recordPaths } from '../api/records.ts';
import { Dialog, type DialogProps } from '../ui/Dialog.tsx';
import { type FormErrors, formErrors, NO_ERRORS } from './errors.ts';
import { CreateFormActions, checkAndSend, RecordFields, useRecordErrorText } from './RecordFields.tsx';
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
}: DialogProps & {
  kind: RecordKind;
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
    checkAndSend(t, toBody(kind, values), setErrors, create.mutate);
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
        <CreateFormActions error={errors.form} pending={create.isPending} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
