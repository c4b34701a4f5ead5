import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { processPaths } from '../../api/processes.ts';
import { PrimaryButton } from '../../ui/PageHeader.tsx';
import { Alert } from '../../ui/States.tsx';
import { apiErrorText, isVersionConflict } from '../apiErrorText.ts';
import type { CardData } from '../ProcessCardPage.tsx';
import { useCardAction } from '../useCardAction.ts';

/** The running note shared across stages. */
export function NoteTab({ data }: { data: CardData }) {
  const { t } = useTranslation('card');
  const { card: c, canEdit } = data;
  const id = useId();
  const [text, setText] = useState(c.note);
  const [base, setBase] = useState(c.note);
  const [saved, setSaved] = useState(false);
  const dirty = text !== c.note;
  const save = useCardAction(
    c.id,
    (note: string) => api.patch(processPaths.one(c.id), { note, expectedVersion: c.version }),
    {
      onSuccess: () => {
        setSaved(true);
      },
    },
  );

  // A new note arrives (ours saved, or someone else's): take it unless the user has unsaved edits.
  if (c.note !== base) {
    if (text === base) setText(c.note);
    setBase(c.note);
  }

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (dirty && canEdit) {
          setSaved(false);
          save.mutate(text);
        }
      }}
    >
      <label htmlFor={id}>{t('note.label')}</label>
      <textarea
        id={id}
        className="note-input"
        data-testid="note-input"
        value={text}
        readOnly={!canEdit}
        placeholder={canEdit ? t('note.placeholder') : t('note.empty')}
        rows={8}
        maxLength={20000}
        onChange={(e) => {
          setText(e.target.value);
          setSaved(false);
        }}
      />
      {canEdit && (
        <div className="row">
          <PrimaryButton disabled={!dirty || save.isPending} testId="note-save">
            {t('common:save')}
          </PrimaryButton>
          {dirty && (
            <button type="button" onClick={() => setText(c.note)}>
              {t('note.revert')}
            </button>
          )}
          {saved && !dirty && (
            <span className="muted" role="status">
              {t('note.saved')}
            </span>
          )}
        </div>
      )}
      <Alert message={save.isError && apiErrorText(t, save.error)} warning={isVersionConflict(save.error)} />
    </form>
  );
}
