import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Stage, StageKind } from '../api/types.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { useInitialFocus } from './useInitialFocus.ts';

export interface AddStageDialogProps {
  open: boolean;
  stages: readonly Stage[];
  onClose: () => void;
  onAdd: (name: string, kind: StageKind) => void;
}

/** Asks for a new stage's name and kind; its key is made from the name. */
export function AddStageDialog({ open, stages, onClose, onAdd }: AddStageDialogProps) {
  const { t } = useTranslation('designer');
  return (
    <Dialog open={open} title={t('addStage.title')} onClose={onClose}>
      <AddStageForm stages={stages} onClose={onClose} onAdd={onAdd} />
    </Dialog>
  );
}

function AddStageForm({ stages, onClose, onAdd }: Omit<AddStageDialogProps, 'open'>) {
  const { t } = useTranslation('designer');
  const hasStart = stages.some((s) => s.kind === 'start');
  const [name, setName] = useState('');
  const focusRef = useInitialFocus<HTMLInputElement>();
  const [kind, setKind] = useState<StageKind>(hasStart ? 'normal' : 'start');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '') return;
    onAdd(name.trim(), kind);
  };
  return (
    <form className="stack" onSubmit={submit}>
      <label>
        {t('stage.name')}
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
          required
          ref={focusRef}
        />
      </label>
      <label>
        {t('stage.kind')}
        <select value={kind} onChange={(e) => setKind(e.target.value as StageKind)}>
          <option value="start">{t('kind.start')}</option>
          <option value="normal">{t('kind.normal')}</option>
          <option value="end">{t('kind.end')}</option>
        </select>
      </label>
      {hasStart && kind === 'start' && <p className="error small">{t('addStage.secondStart')}</p>}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('cancel')}
        </button>
        <button type="submit" className="primary" disabled={name.trim() === ''}>
          {t('addStage.submit')}
        </button>
      </div>
    </form>
  );
}
