import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Stage, Transition } from '../api/types.ts';
import { Dialog, DialogActions } from '../ui/Dialog.tsx';
import { Field } from '../ui/Field.tsx';
import { resultIsFree } from './RuleList.tsx';
import { useInitialFocus } from './useInitialFocus.ts';

export interface ResultDialogProps {
  /** The connection drawn on the chart, or null when the dialog is closed. */
  connection: { from: string; to: string } | null;
  stages: readonly Stage[];
  transitions: readonly Transition[];
  onClose: () => void;
  onSubmit: (result: string) => void;
}

/** Names the result of a rule drawn on the flowchart. */
export function ResultDialog(props: ResultDialogProps) {
  const { t } = useTranslation('designer');
  const { connection } = props;
  return (
    <Dialog open={connection !== null} title={t('connect.title')} onClose={props.onClose}>
      {connection && <ResultForm {...props} connection={connection} />}
    </Dialog>
  );
}

function ResultForm({
  connection,
  stages,
  transitions,
  onClose,
  onSubmit,
}: Omit<ResultDialogProps, 'connection'> & { connection: { from: string; to: string } }) {
  const { t } = useTranslation('designer');
  const name = (key: string) => stages.find((s) => s.key === key)?.name || key;
  const from = stages.find((s) => s.key === connection.from);
  const [result, setResult] = useState(from?.wait !== undefined ? t('connect.continue') : '');
  const focusRef = useInitialFocus<HTMLInputElement>();
  const taken = result.trim() !== '' && !resultIsFree(transitions, connection.from, result);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (result.trim() === '' || taken) return;
    onSubmit(result.trim());
  };
  return (
    <form className="stack" onSubmit={submit}>
      <p>{t('connect.between', { from: name(connection.from), to: name(connection.to) })}</p>
      {from?.kind === 'end' && <p className="error small">{t('connect.fromEnd')}</p>}
      <Field label={t('connect.result')} className="stack">
        {(id) => (
          <>
            <input
              id={id}
              value={result}
              onChange={(e) => setResult(e.target.value)}
              maxLength={200}
              placeholder={t('rules.resultPlaceholder')}
              required
              ref={focusRef}
              aria-invalid={taken}
              aria-describedby={`${id}-hint`}
              data-testid="result-input"
            />
            <span id={`${id}-hint`} className={taken ? 'error small' : 'muted small'}>
              {taken ? t('rules.resultTaken') : t('connect.hint')}
            </span>
          </>
        )}
      </Field>
      <DialogActions
        onCancel={onClose}
        confirmLabel={t('connect.submit')}
        disabled={result.trim() === '' || taken}
        testId="result-submit"
      />
    </form>
  );
}
