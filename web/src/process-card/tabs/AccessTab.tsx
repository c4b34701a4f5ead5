import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { processPaths } from '../../api/processes.ts';
import type { ProcessCard } from '../../api/types.ts';
import { Empty } from '../../ui/States.tsx';
import { apiErrorText } from '../apiErrorText.ts';
import type { CardData } from '../ProcessCardPage.tsx';
import { useCardAction } from '../useCardAction.ts';

type Entry = ProcessCard['access'][number];
type Level = Entry['level'];

/** Who else may see or change the process (on top of its initiator, responsibles and assignees). */
export function AccessTab({ data }: { data: CardData }) {
  const { t } = useTranslation('card');
  const { card: c, canEdit, employees } = data;
  const employeeId = useId();
  const levelId = useId();
  const [adding, setAdding] = useState('');
  const [level, setLevel] = useState<Level>('view');
  const save = useCardAction(
    c.id,
    (entries: Entry[]) => api.put(`${processPaths.one(c.id)}/access`, { entries }),
    { onSuccess: () => setAdding('') },
  );
  const granted = new Set(c.access.map((a) => a.employeeId));
  const candidates = employees.list.filter((e) => !granted.has(e.id));
  const name = (id: string) => employees.byId.get(id)?.name ?? id;
  const put = (entries: Entry[]) => save.mutate(entries);

  return (
    <div className="stack">
      <p className="muted">{t('access.hint')}</p>
      {c.access.length === 0 ? (
        <Empty>{t('access.empty')}</Empty>
      ) : (
        <table className="grid" data-testid="access-table">
          <thead>
            <tr>
              <th scope="col">{t('access.employee')}</th>
              <th scope="col">{t('access.level')}</th>
              {canEdit && (
                <th scope="col">
                  <span className="visually-hidden">{t('files.actions')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
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
                      <select
                        aria-label={t('access.levelFor', { name: name(entry.employeeId) })}
                        value={entry.level}
                        disabled={save.isPending}
                        onChange={(e) =>
                          put(
                            c.access.map((a) =>
                              a.employeeId === entry.employeeId
                                ? { ...a, level: e.target.value as Level }
                                : a,
                            ),
                          )
                        }
                      >
                        <option value="view">{t('access.levels.view')}</option>
                        <option value="edit">{t('access.levels.edit')}</option>
                      </select>
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
          </tbody>
        </table>
      )}
      {canEdit && (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            if (adding) put([...c.access, { employeeId: adding, level }]);
          }}
        >
          <div className="stack-tight">
            <label htmlFor={employeeId}>{t('access.employee')}</label>
            <select
              id={employeeId}
              value={adding}
              onChange={(e) => setAdding(e.target.value)}
              data-testid="access-employee"
            >
              <option value="">{t('access.choose')}</option>
              {candidates.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name}
                </option>
              ))}
            </select>
          </div>
          <div className="stack-tight">
            <label htmlFor={levelId}>{t('access.level')}</label>
            <select id={levelId} value={level} onChange={(e) => setLevel(e.target.value as Level)}>
              <option value="view">{t('access.levels.view')}</option>
              <option value="edit">{t('access.levels.edit')}</option>
            </select>
          </div>
          <button
            type="submit"
            className="primary"
            disabled={!adding || save.isPending}
            data-testid="access-add"
          >
            {t('access.add')}
          </button>
        </form>
      )}
      {save.isError && (
        <p className="error" role="alert">
          {apiErrorText(t, save.error)}
        </p>
      )}
    </div>
  );
}
