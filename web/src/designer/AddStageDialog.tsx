import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Stage, StageKind } from '../api/types.ts';
import { Dialog, DialogActions, type DialogProps } from '../ui/Dialog.tsx';
import { TextField } from '../ui/TextField.tsx';
import { useNameForm } from './useNameForm.ts';

export interface AddStageDialogProps extends DialogProps {
  stages: readonly Stage[];
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
  const [kind, setKind] = useState<StageKind>(hasStart ? 'normal' : 'start');
  const { name, submit, input } = useNameForm((named) => onAdd(named, kind));
  return (
    <form className="stack" onSubmit={submit}>
      <TextField label={t('stage.name')} maxLength={200} {...input} />
      <label>
        {t('stage.kind')}
        <select value={kind} onChange={(e) => setKind(e.target.value as StageKind)}>
          <option value="start">{t('kind.start')}</option>
          <option value="normal">{t('kind.normal')}</option>
          <option value="end">{t('kind.end')}</option>
        </select>
      </label>
      {hasStart && kind === 'start' && <p className="error small">{t('addStage.secondStart')}</p>}
      <DialogActions onCancel={onClose} confirmLabel={t('addStage.submit')} disabled={name === ''} />
    </form>
  );
}
