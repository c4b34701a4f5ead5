import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { processPaths } from '../../api/processes.ts';
import type { ProcessCard } from '../../api/types.ts';
import { AddForm } from '../../ui/AddForm.tsx';
import { FieldSelect, Select } from '../../ui/Field.tsx';
import { ListTable } from '../../ui/ListTable.tsx';
import { Alert, Empty } from '../../ui/States.tsx';
import { apiErrorText } from '../apiErrorText.ts';
import type { CardData } from '../ProcessCardPage.tsx';
import { useCardAction } from '../useCardAction.ts';

type Entry = ProcessCard['access'][number];
type Level = Entry['level'];
const LEVELS: readonly Level[] = ['view', 'edit'];

/** Who else may see or change the process (on top of its initiator, responsibles and assignees). */
export function AccessTab({ data }: { data: CardData }) {
  const { t } = useTranslation('card');
  const { card: c, canEdit, employees } = data;
  const [adding, setAdding] = useState('');
  const [level, setLevel] = useState<Level>('view');
  const levels = LEVELS.map((l) => ({ value: l, label: t(`access.levels.${l}`) }));
  const save = useCardAction(
    c.id,
    (entries: Entry[]) => api.put(`${processPaths.one(c.id)}/access`, { entries }),
    { onSuccess: () => setAdding('') },
  );
  const granted = new Set(c.access.map((a) => a.employeeId));
  const candidates = employees.list.filter((e) => !granted.has(e.id));
  const name = (id: string) => employees.byId.get(id)?.name ?? id;
  const put = (entries: Entry[]) => save.mutate(entries);
  const grant = () => {
    if (adding) put([...c.access, { employeeId: adding, level }]);
  };

  return (
    <div className="stack">
      <p className="muted">{t('access.hint')}</p>
      {c.access.length === 0 ? (
        <Empty>{t('access.empty')}</Empty>
      ) : (
        <ListTable
          className="grid"
          testId="access-table"
          columns={[t('access.employee'), t('access.level')]}
          actions={canEdit ? t('files.actions') : undefined}
        >
          {c.access.map((entry) => {
            const person = employees.byId.get(entry.employeeId);
            return (
              <tr key={entry.employeeId} data-testid="access-row">
                <td>
                  <span className={`dot${person?.online ? ' online' : ''}`} aria-hidden="true" />
                  {name(entry.employeeId)}
                </td>
                <td>
                  {canEdit ? (
                    <Select
                      aria-label={t('access.levelFor', { name: name(entry.employeeId) })}
                      value={entry.level}
                      disabled={save.isPending}
                      onChange={(level) =>
                        put(c.access.map((a) => (a.employeeId === entry.employeeId ? { ...a, level } : a)))
                      }
                      options={levels}
                    />
                  ) : (
                    t(`access.levels.${entry.level}`)
                  )}
                </td>
                {canEdit && (
                  <td>
                    <button
                      type="button"
                      className="link danger"
                      aria-label={t('access.removeNamed', { name: name(entry.employeeId) })}
                      disabled={save.isPending}
                      onClick={() => put(c.access.filter((a) => a.employeeId !== entry.employeeId))}
                    >
                      {t('access.remove')}
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </ListTable>
      )}
      {canEdit && (
        <AddForm
          onSubmit={grant}
          label={t('access.add')}
          disabled={!adding || save.isPending}
          testId="access-add"
        >
          <FieldSelect
            label={t('access.employee')}
            value={adding}
            onChange={setAdding}
            testId="access-employee"
            empty={{ label: t('access.choose') }}
            options={candidates.map((e) => ({ value: e.id, label: e.name }))}
          />
          <FieldSelect label={t('access.level')} value={level} onChange={setLevel} options={levels} />
        </AddForm>
      )}
      <Alert message={save.isError && apiErrorText(t, save.error)} />
    </div>
  );
}
