import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import { recordKeys, recordPaths } from '../api/records.ts';
import type { Counterparty, Definition, LinkType, Page, ProcessCard } from '../api/types.ts';
import { Combobox, type ComboboxOption } from '../ui/Combobox.tsx';
import { Dialog, DialogActions, type DialogProps } from '../ui/Dialog.tsx';
import { FieldTextArea } from '../ui/Field.tsx';
import { IconButton } from '../ui/IconButton.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { Alert } from '../ui/States.tsx';
import { searchClients } from '../ui/searchClients.ts';
import { apiErrorText } from './apiErrorText.ts';
import { LINK_TYPES, recordLabel } from './linkTypes.ts';
import './card.css';

export interface LaunchDialogProps extends DialogProps {
  /** Pre-filled when launched from a client card (or an order/project with a client). */
  counterpartyId?: string;
  /** Pre-filled links when launched from an order or project card. */
  links?: { type: LinkType; id: string }[];
}

/** Launch a process: type (published only), client, links, note → the new card opens. */
export function LaunchDialog({ open, onClose, counterpartyId, links }: LaunchDialogProps) {
  const { t } = useTranslation('card');
  return (
    <Dialog open={open} onClose={onClose} title={t('launch.title')} wide>
      <LaunchForm counterpartyId={counterpartyId} links={links} onCancel={onClose} onLaunched={onClose} />
    </Dialog>
  );
}

/** The launch form on its own page (the main menu's "Launch"); `?counterpartyId=` pre-fills the client. */
export function LaunchPage() {
  const { t } = useTranslation('card');
  const [params] = useSearchParams();
  const links = params.getAll('link').flatMap((raw) => {
    const [type, id] = raw.split(':');
    return type && id && LINK_TYPES.includes(type as LinkType) ? [{ type: type as LinkType, id }] : [];
  });
  return (
    <div className="launch-page">
      <PageHeader title={t('launch.title')} />
      <div className="panel">
        <LaunchForm counterpartyId={params.get('counterpartyId') ?? undefined} links={links} />
      </div>
    </div>
  );
}

async function searchDefinitions(text: string): Promise<ComboboxOption[]> {
  const page = await api.get<Page<Definition>>(
    definitionPaths.list({ status: 'published', q: text, limit: 100 }),
  );
  return page.items
    .filter((d) => d.version > 0)
    .map((d) => ({ id: d.id, label: d.name, hint: d.description || undefined }));
}

const searchCounterparties = (text: string) => searchClients(text, 30, (c) => c.phone ?? c.email ?? c.group);

function LaunchForm({
  counterpartyId,
  links: initialLinks,
  onCancel,
  onLaunched,
}: {
  counterpartyId?: string | undefined;
  links?: { type: LinkType; id: string }[] | undefined;
  onCancel?: () => void;
  onLaunched?: () => void;
}) {
  const { t } = useTranslation('card');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const linksId = useId();
  const [definition, setDefinition] = useState<ComboboxOption | null>(null);
  const [client, setClient] = useState<ComboboxOption | null>(null);
  const [clientTouched, setClientTouched] = useState(false);
  const [links, setLinks] = useState(initialLinks ?? []);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const form = useRef<HTMLFormElement>(null);
  // Start where the work starts: the process type (the dialog would otherwise focus its close button).
  // After the dialog has opened (its own focus step runs after ours would).
  useEffect(() => {
    const timer = setTimeout(
      () => form.current?.querySelector<HTMLInputElement>('input[role="combobox"]')?.focus(),
      0,
    );
    return () => clearTimeout(timer);
  }, []);

  const prefilled = useQuery({
    queryKey: recordKeys.label('counterparties', counterpartyId),
    queryFn: () => api.get<Counterparty>(recordPaths.one('counterparties', counterpartyId ?? '')),
    enabled: counterpartyId !== undefined && !clientTouched,
    staleTime: 60_000,
  });
  const clientId = clientTouched ? (client?.id ?? null) : (counterpartyId ?? null);
  const clientLabel = clientTouched ? (client?.label ?? null) : (prefilled.data?.name ?? null);
  const linkLabels = useQueries({
    queries: links.map((l) => ({
      queryKey: recordKeys.linkLabel(l.type, l.id),
      queryFn: () => recordLabel(l.type, l.id),
      staleTime: 60_000,
    })),
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!definition || busy) return;
    setBusy(true);
    setError(null);
    try {
      const card = await api.post<ProcessCard>(processPaths.list(), {
        definitionId: definition.id,
        counterpartyId: clientId ?? undefined,
        note: note.trim() === '' ? undefined : note,
        links: links.length > 0 ? links : undefined,
      });
      queryClient.setQueryData(processKeys.detail(card.id), card);
      void queryClient.invalidateQueries({ queryKey: processKeys.journal() });
      onLaunched?.();
      navigate(`/processes/${encodeURIComponent(card.id)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack launch-form" onSubmit={submit} ref={form}>
      <Combobox
        label={t('launch.definition')}
        value={definition?.id ?? null}
        valueLabel={definition?.label ?? null}
        onChange={setDefinition}
        queryKey={definitionKeys.search()}
        search={searchDefinitions}
        placeholder={t('launch.definitionPlaceholder')}
        testId="launch-definition"
        required
      />
      <Combobox
        label={t('launch.client')}
        value={clientId}
        valueLabel={clientLabel}
        onChange={(option) => {
          setClientTouched(true);
          setClient(option);
        }}
        queryKey={recordKeys.search('launch-counterparties')}
        search={searchCounterparties}
        placeholder={t('launch.clientPlaceholder')}
        testId="launch-counterparty"
        clearable
      />
      {links.length > 0 && (
        <div className="stack-tight">
          <span className="field-label" id={linksId}>
            {t('launch.links')}
          </span>
          <ul className="chips plain-list" aria-labelledby={linksId}>
            {links.map((l, i) => {
              const label = linkLabels[i]?.data ?? l.id;
              return (
                <li key={`${l.type}:${l.id}`} className="chip link-chip" data-testid="launch-link">
                  <span className="muted">{t(`links.types.${l.type}`)}</span> {label}
                  <IconButton
                    label={t('links.removeNamed', { label })}
                    onClick={() => setLinks((all) => all.filter((x) => x !== l))}
                  />
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <FieldTextArea
        label={t('launch.note')}
        value={note}
        onChange={setNote}
        maxLength={20000}
        placeholder={t('launch.notePlaceholder')}
        testId="launch-note"
      />
      <Alert message={error !== null && apiErrorText(t, error)} />
      {!definition && <p className="muted small launch-hint">{t('launch.chooseType')}</p>}
      <DialogActions
        onCancel={onCancel}
        confirmLabel={t('launch.submit')}
        disabled={!definition || busy}
        testId="launch-submit"
      />
    </form>
  );
}
