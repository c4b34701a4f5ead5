import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import type { Definition } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { Empty, ErrorBox, Loading } from '../ui/States.tsx';
import './designer.css';
import { NODE_WIDTH } from './layout.ts';
import { useDefinitionList } from './useDefinitionList.ts';
import { useInitialFocus } from './useInitialFocus.ts';

/** The list of process definitions (route /designer): find one, open it, or create a new one. */
export function DesignerList() {
  const { t } = useTranslation('designer');
  const list = useDefinitionList();
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const needle = search.trim().toLowerCase();
  const items = (list.data ?? [])
    .filter(
      (d) => !needle || d.name.toLowerCase().includes(needle) || d.description.toLowerCase().includes(needle),
    )
    .sort((a, b) => a.name.localeCompare(b.name));

  return (
    <div className="designer-list">
      <header className="page-header">
        <h1>{t('list.title')}</h1>
        <div className="actions">
          <button
            type="button"
            className="primary"
            onClick={() => setCreating(true)}
            data-testid="new-definition"
          >
            + {t('list.new')}
          </button>
        </div>
      </header>
      <p className="muted">{t('list.intro')}</p>
      <div className="toolbar">
        <input
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder={t('list.search')}
          aria-label={t('list.search')}
          data-testid="definition-search"
        />
      </div>
      {list.isLoading ? (
        <Loading />
      ) : list.error ? (
        <ErrorBox error={list.error} onRetry={() => list.refetch()} />
      ) : (list.data ?? []).length === 0 ? (
        <Empty>
          {t('list.empty')}{' '}
          <button type="button" className="link" onClick={() => setCreating(true)}>
            {t('list.createFirst')}
          </button>
        </Empty>
      ) : items.length === 0 ? (
        <Empty>{t('list.noMatch', { search: search.trim() })}</Empty>
      ) : (
        <table className="grid definitions-table">
          <thead>
            <tr>
              <th scope="col">{t('list.name')}</th>
              <th scope="col">{t('list.status')}</th>
              <th scope="col">{t('list.version')}</th>
              <th scope="col">{t('list.stages')}</th>
              <th scope="col">{t('list.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <DefinitionRow key={d.id} definition={d} />
            ))}
          </tbody>
        </table>
      )}
      <NewDefinitionDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}

function DefinitionRow({ definition: d }: { definition: Definition }) {
  const { t } = useTranslation('designer');
  return (
    <tr data-testid="definition-row">
      <td>
        <Link to={`/designer/${encodeURIComponent(d.id)}`}>{d.name}</Link>
        {d.description && <div className="muted small">{d.description}</div>}
      </td>
      <td>
        <span className={`pill ${d.status === 'published' ? 'done' : ''}`}>
          {t(`list.statusValue.${d.status}`)}
        </span>
        {d.draftChanged && d.version > 0 && (
          <span className="pill paused draft-changed" title={t('list.draftChangedHint')}>
            {t('header.draftChanged')}
          </span>
        )}
      </td>
      <td>{d.version > 0 ? d.version : '—'}</td>
      <td>{d.stages.length}</td>
      <td>{formatDateTime(d.updatedAt)}</td>
    </tr>
  );
}

function NewDefinitionDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation('designer');
  return (
    <Dialog open={open} title={t('list.newTitle')} onClose={onClose}>
      <NewDefinitionForm onClose={onClose} />
    </Dialog>
  );
}

/** Creates a definition that starts valid: a start stage joined to an end stage by one rule. */
function NewDefinitionForm({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('designer');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const focusRef = useInitialFocus<HTMLInputElement>();
  const create = useMutation({
    mutationFn: (title: string) =>
      api.post<Definition>(definitionPaths.list(), {
        name: title,
        stages: [
          { key: 'start', name: t('list.starterStart'), kind: 'start', position: { x: 0, y: 0 } },
          { key: 'end', name: t('list.starterEnd'), kind: 'end', position: { x: NODE_WIDTH + 120, y: 0 } },
        ],
        transitions: [{ from: 'start', to: 'end', result: t('list.starterResult') }],
      }),
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: definitionKeys.lists() });
      onClose();
      navigate(`/designer/${encodeURIComponent(created.id)}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() !== '') create.mutate(name.trim());
  };
  return (
    <form className="stack" onSubmit={submit}>
      <label>
        {t('list.newName')}
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={300}
          required
          ref={focusRef}
          placeholder={t('list.newPlaceholder')}
          data-testid="new-definition-name"
        />
      </label>
      <p className="muted small">{t('list.newHint')}</p>
      {create.error && <ErrorBox error={create.error} />}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('cancel')}
        </button>
        <button
          type="submit"
          className="primary"
          disabled={name.trim() === '' || create.isPending}
          data-testid="create-definition"
        >
          {t('list.create')}
        </button>
      </div>
    </form>
  );
}
