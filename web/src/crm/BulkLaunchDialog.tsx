import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import type { Definition, Page, ProcessCard, Ref } from '../api/types.ts';
import { useMe } from '../auth/useMe.ts';
import { Dialog, DialogActions, type DialogProps } from '../ui/Dialog.tsx';
import { Alert, ErrorBox } from '../ui/States.tsx';
import { TextAreaField } from '../ui/TextField.tsx';

const MAX_BULK = 1000;

/**
 * One process type for many clients at once (the article's "call through the lost clients"):
 * published definitions only, an optional note, then how many were launched and where to see them.
 */
export function BulkLaunchDialog({
  open,
  onClose,
  clients,
  onLaunched,
}: DialogProps & {
  clients: Ref[];
  onLaunched?: (processes: ProcessCard[]) => void;
}) {
  const { t } = useTranslation('crm');
  const queryClient = useQueryClient();
  const me = useMe().data;
  const id = useId();
  const [filter, setFilter] = useState('');
  const [definitionId, setDefinitionId] = useState('');
  const [note, setNote] = useState('');
  const [launched, setLaunched] = useState<ProcessCard[] | null>(null);
  const firstField = useRef<HTMLSelectElement>(null);

  const definitions = useQuery({
    queryKey: definitionKeys.published(),
    queryFn: () => api.get<Page<Definition>>(definitionPaths.list({ status: 'published', limit: 500 })),
    enabled: open,
  });
  const all = definitions.data?.items ?? [];
  const needle = filter.trim().toLowerCase();
  const shown = needle ? all.filter((d) => d.name.toLowerCase().includes(needle)) : all;

  useEffect(() => {
    if (!open) return;
    setFilter('');
    setNote('');
    setDefinitionId('');
    setLaunched(null);
    const frame = requestAnimationFrame(() => firstField.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [open]);

  // Launching many processes of the wrong type is costly: the choice is explicit unless there is one.
  useEffect(() => {
    if (shown.length === 1 && definitionId !== shown[0]?.id) setDefinitionId(shown[0]?.id ?? '');
    else if (definitionId && !shown.some((d) => d.id === definitionId)) setDefinitionId('');
  }, [shown, definitionId]);

  const launch = useMutation({
    mutationFn: () =>
      api.post<{ items: ProcessCard[] }>(processPaths.bulk, {
        definitionId,
        counterpartyIds: clients.map((c) => c.id),
        ...(note.trim() ? { note } : {}),
      }),
    onSuccess: (result) => {
      setLaunched(result.items);
      void queryClient.invalidateQueries({ queryKey: processKeys.all });
      onLaunched?.(result.items);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!definitionId || clients.length === 0 || clients.length > MAX_BULK) return;
    launch.mutate();
  }

  const journal = me ? `/processes?initiatorId=${encodeURIComponent(me.id)}` : '/processes';
  const title = t('bulk.title', { count: clients.length });

  if (launched) {
    return (
      <Dialog open={open} title={t('bulk.resultTitle')} onClose={onClose}>
        <div className="stack" data-testid="bulk-result">
          <p role="status">{t('bulk.done', { count: launched.length })}</p>
          {launched.length > 0 && (
            <ul className="crm-bulk-result">
              {launched.slice(0, 10).map((p) => (
                <li key={p.id}>
                  <Link to={`/processes/${encodeURIComponent(p.id)}`} onClick={onClose}>
                    {p.counterparty?.name ?? p.definition.name}
                  </Link>{' '}
                  <span className="muted">· {p.stage.name}</span>
                </li>
              ))}
              {launched.length > 10 && (
                <li className="muted">{t('bulk.andMore', { count: launched.length - 10 })}</li>
              )}
            </ul>
          )}
          <div className="dialog-actions">
            <Link to={journal} className="crm-button-link" onClick={onClose}>
              {t('bulk.openJournal')}
            </Link>
            <button type="button" className="primary" onClick={onClose}>
              {t('common:close')}
            </button>
          </div>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        <ul className="crm-bulk-clients" aria-label={t('bulk.clients')}>
          {clients.slice(0, 12).map((c) => (
            <li key={c.id} className="pill">
              {c.name}
            </li>
          ))}
          {clients.length > 12 && (
            <li className="muted">{t('bulk.andMore', { count: clients.length - 12 })}</li>
          )}
        </ul>
        <Alert message={clients.length > MAX_BULK && t('bulk.tooMany', { max: MAX_BULK })} />
        {all.length > 6 && (
          <label>
            {t('bulk.filter')}
            <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
          </label>
        )}
        <label>
          {t('bulk.definition')}
          <select
            ref={firstField}
            id={`${id}-definition`}
            value={definitionId}
            required
            onChange={(e) => setDefinitionId(e.target.value)}
            disabled={definitions.isLoading || shown.length === 0}
          >
            <option value="">{definitions.isLoading ? t('common:loading') : t('bulk.choose')}</option>
            {shown.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} (v{d.version})
              </option>
            ))}
          </select>
        </label>
        {definitions.isSuccess && all.length === 0 && <p className="muted">{t('bulk.noDefinitions')}</p>}
        {definitions.isSuccess && all.length > 0 && shown.length === 0 && (
          <p className="muted">{t('bulk.noMatch')}</p>
        )}
        {definitions.error && <ErrorBox error={definitions.error} onRetry={() => definitions.refetch()} />}
        <TextAreaField label={t('bulk.note')} value={note} onChange={setNote} maxLength={20000} />
        {launch.error && <ErrorBox error={launch.error} />}
        <DialogActions
          onCancel={onClose}
          confirmLabel={launch.isPending ? t('bulk.launching') : t('bulk.launch', { count: clients.length })}
          disabled={!definitionId || clients.length === 0 || clients.length > MAX_BULK || launch.isPending}
        />
      </form>
    </Dialog>
  );
}
