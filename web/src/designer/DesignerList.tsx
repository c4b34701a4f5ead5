import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import type { Definition } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { Dialog, DialogActions, type DialogProps, useDialog } from '../ui/Dialog.tsx';
import { ListTable } from '../ui/ListTable.tsx';
import { PageHeader, PrimaryButton } from '../ui/PageHeader.tsx';
import { Empty, ErrorBox, Loading } from '../ui/States.tsx';
import { TextField } from '../ui/TextField.tsx';
import { NODE_WIDTH } from './layout.ts';
import { MigrationDialog } from './MigrationDialog.tsx';
import { useDefinitionList } from './useDefinitionList.ts';
import { useNameForm } from './useNameForm.ts';
import './designer.css';

/** The list of process definitions (route /designer): find one, open it, or create a new one. */
export function DesignerList() {
  const { t } = useTranslation('designer');
  const list = useDefinitionList();
  const [search, setSearch] = useState('');
  const creating = useDialog();
  const needle = search.trim().toLowerCase();
  const items = (list.data ?? [])
    .filter(
      (d) => !needle || d.name.toLowerCase().includes(needle) || d.description.toLowerCase().includes(needle),
    )
    .sort((a, b) => a.name.localeCompare(b.name));

  return (
    <div className="designer-list">
      <PageHeader title={t('list.title')}>
        <PrimaryButton testId="new-definition" onClick={creating.show}>
          + {t('list.new')}
        </PrimaryButton>
      </PageHeader>
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
          <button type="button" className="link" onClick={creating.show}>
            {t('list.createFirst')}
          </button>
        </Empty>
      ) : items.length === 0 ? (
        <Empty>{t('list.noMatch', { search: search.trim() })}</Empty>
      ) : (
        <ListTable
          className="grid definitions-table"
          columns={[t('list.name'), t('list.status'), t('list.version'), t('list.stages'), t('list.updated')]}
        >
          {items.map((d) => (
            <DefinitionRow key={d.id} definition={d} />
          ))}
        </ListTable>
      )}
      <NewDefinitionDialog open={creating.open} onClose={creating.onClose} />
    </div>
  );
}

function DefinitionRow({ definition: d }: { definition: Definition }) {
  const { t } = useTranslation('designer');
  const migrating = useDialog();
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
      <td>
        {d.version > 0 ? d.version : '—'}
        {d.versions.length > 1 && (
          <div>
            <button type="button" className="link" data-testid="migrate-open" onClick={migrating.show}>
              {t('migration.open')}
            </button>
            <MigrationDialog open={migrating.open} onClose={migrating.onClose} definition={d} />
          </div>
        )}
      </td>
      <td>{d.stages.length}</td>
      <td>{formatDateTime(d.updatedAt)}</td>
    </tr>
  );
}

function NewDefinitionDialog({ open, onClose }: DialogProps) {
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
  const { name, submit, input } = useNameForm((named) => create.mutate(named));
  return (
    <form className="stack" onSubmit={submit}>
      <TextField
        label={t('list.newName')}
        maxLength={300}
        placeholder={t('list.newPlaceholder')}
        data-testid="new-definition-name"
        {...input}
      />
      <p className="muted small">{t('list.newHint')}</p>
      {create.error && <ErrorBox error={create.error} />}
      <DialogActions
        onCancel={onClose}
        confirmLabel={t('list.create')}
        disabled={name === '' || create.isPending}
        testId="create-definition"
      />
    </form>
  );
}
