import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { processPaths } from '../api/processes.ts';
import { Dialog, DialogActions, type DialogProps } from '../ui/Dialog.tsx';
import { Select } from '../ui/Field.tsx';
import { Alert } from '../ui/States.tsx';
import { apiErrorText } from './apiErrorText.ts';
import type { CardData } from './ProcessCardPage.tsx';
import { useCardAction } from './useCardAction.ts';

/** Hand the current stage to another employee. */
export function ResponsibleDialog({ open, onClose, data }: DialogProps & { data: CardData }) {
  const { t } = useTranslation('card');
  return (
    <Dialog open={open} onClose={onClose} title={t('responsible.title', { stage: data.card.stage.name })}>
      <ResponsibleForm data={data} onClose={onClose} />
    </Dialog>
  );
}

function ResponsibleForm({ data, onClose }: { data: CardData; onClose: () => void }) {
  const { t } = useTranslation('card');
  const { card: c, employees, definition } = data;
  const id = useId();
  const [chosen, setChosen] = useState(c.stage.responsible?.id ?? '');
  const change = useCardAction(
    c.id,
    () =>
      api.patch(processPaths.one(c.id), {
        responsibleId: chosen,
        expectedVersion: c.version,
      }),
    { onSuccess: onClose },
  );
  const listed = definition?.stages.find((s) => s.key === c.stage.key)?.responsibles ?? [];
  const sorted = [...employees.list].sort((a, b) => {
    const ia = listed.indexOf(a.id);
    const ib = listed.indexOf(b.id);
    if (ia !== ib) return (ia === -1 ? 1e9 : ia) - (ib === -1 ? 1e9 : ib);
    return Number(b.online) - Number(a.online);
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (chosen && chosen !== c.stage.responsible?.id) change.mutate();
  }

  return (
    <form className="stack" onSubmit={submit}>
      <label htmlFor={id}>{t('responsible.pick')}</label>
      <Select
        id={id}
        value={chosen}
        onChange={setChosen}
        testId="responsible-select"
        empty={{ label: t('responsible.placeholder'), disabled: true }}
        options={sorted.map((e) => ({
          value: e.id,
          label: `${e.name} — ${e.online ? t('common:online') : t('common:offline')}${listed.includes(e.id) ? ` · ${t('responsible.listed')}` : ''}`,
        }))}
      />
      <Alert message={change.isError && apiErrorText(t, change.error)} />
      <DialogActions
        onCancel={onClose}
        confirmLabel={t('responsible.confirm')}
        disabled={!chosen || chosen === c.stage.responsible?.id || change.isPending}
        testId="responsible-confirm"
      />
    </form>
  );
}
