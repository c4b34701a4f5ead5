import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, api } from '../api/client.ts';
import { processKeys } from '../api/processes.ts';
import { recordKeys, recordPaths } from '../api/records.ts';
import type { LinkType } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { LaunchDialog } from '../process-card/LaunchDialog.tsx';
import { PageHeader, PrimaryButton } from '../ui/PageHeader.tsx';
import { Alert, ErrorBox, Loading } from '../ui/States.tsx';
import { ClientRecords } from './ClientRecords.tsx';
import { useClients } from './clientNames.ts';
import { type FormErrors, formErrors, NO_ERRORS } from './errors.ts';
import { checkAndSend, RecordFields, useRecordErrorText } from './RecordFields.tsx';
import { RecordProcesses } from './RecordProcesses.tsx';
import {
  type CrmRecord,
  cardPath,
  type FormValues,
  fieldsOf,
  isRecordKind,
  linkTypeOf,
  listPath,
  type RecordKind,
  titleOf,
  toBody,
  toFormValues,
} from './records.ts';
import './crm.css';

/** The card of one CRM record; without `kind` it comes from the route (`/documents/:kind/:id`). */
export function RecordCard({ kind: kindProp }: { kind?: RecordKind }) {
  const { t } = useTranslation('crm');
  const params = useParams();
  const kind = kindProp ?? params.kind;
  const id = params.id ?? '';
  if (!isRecordKind(kind) || !id) {
    return (
      <div className="panel">
        <p>{t('notFound')}</p>
        <Link to="/clients">{t('backTo', { list: t('kinds.counterparties.title') })}</Link>
      </div>
    );
  }
  return <RecordCardView key={`${kind}/${id}`} kind={kind} id={id} />;
}

function RecordCardView({ kind, id }: { kind: RecordKind; id: string }) {
  const { t } = useTranslation('crm');
  const queryClient = useQueryClient();
  const [launchOpen, setLaunchOpen] = useState(false);
  const record = useQuery({
    queryKey: recordKeys.detail(kind, id),
    queryFn: async () => {
      try {
        return await api.get<CrmRecord>(recordPaths.one(kind, id));
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });
  const data = record.data;
  const clients = useClients([data?.counterpartyId]);

  if (record.isLoading) return <Loading />;
  if (record.error) return <ErrorBox error={record.error} onRetry={() => record.refetch()} />;
  if (!data) {
    return (
      <div className="panel">
        <p>{t('notFound')}</p>
        <Link to={listPath(kind)}>{t('backTo', { list: t(`kinds.${kind}.title`) })}</Link>
      </div>
    );
  }

  const title = titleOf(kind, data) || t('untitled');
  const linkType = linkTypeOf(kind);
  const client = data.counterpartyId ? clients.get(data.counterpartyId) : null;
  const launchLinks: { type: LinkType; id: string }[] | undefined = linkType
    ? [{ type: linkType, id }]
    : undefined;
  const launchClient = kind === 'counterparties' ? id : (data.counterpartyId ?? undefined);

  return (
    <div className="crm-card">
      <nav className="crm-breadcrumbs" aria-label={t('breadcrumbs')}>
        <Link to={listPath(kind)}>{t(`kinds.${kind}.title`)}</Link>
        <span aria-hidden="true"> / </span>
        <span>{title}</span>
      </nav>
      <PageHeader
        title={
          <>
            <span className="muted crm-kind">{t(`kinds.${kind}.one`)}</span> {title}
          </>
        }
        meta={
          <>
            {data.group && <span className="pill">{data.group}</span>}
            {kind !== 'counterparties' && client && (
              <span className="crm-client-link">
                {t('fields.counterpartyId')}:{' '}
                <Link to={cardPath('counterparties', client.id)}>{client.name} ↗</Link>
              </span>
            )}
          </>
        }
      >
        <PrimaryButton testId="launch-from-card" onClick={() => setLaunchOpen(true)}>
          {t('common:launchProcess')}
        </PrimaryButton>
      </PageHeader>
      <div className="crm-card-grid">
        <RecordDetails kind={kind} record={data} />
        <RecordProcesses kind={kind} id={id} onLaunch={() => setLaunchOpen(true)} />
      </div>
      {kind === 'counterparties' && <ClientRecords clientId={id} />}
      <LaunchDialog
        open={launchOpen}
        onClose={() => {
          setLaunchOpen(false);
          void queryClient.invalidateQueries({ queryKey: processKeys.ofRecord(kind, id) });
        }}
        counterpartyId={launchClient}
        links={launchLinks}
      />
    </div>
  );
}

/** The record's fields, editable in place; Save sends only what changed. */
function RecordDetails({ kind, record }: { kind: RecordKind; record: CrmRecord }) {
  const { t } = useTranslation('crm');
  const queryClient = useQueryClient();
  const errorText = useRecordErrorText();
  const [original, setOriginal] = useState<FormValues>(() => toFormValues(record));
  const [values, setValues] = useState<FormValues>(original);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saved, setSaved] = useState(false);
  const dirty = fieldsOf(kind).some((f) => values[f] !== original[f]);

  // Someone else's change (a refetch) shows up unless there are unsaved edits here.
  // biome-ignore lint/correctness/useExhaustiveDependencies: follow the record, not the edits
  useEffect(() => {
    const fresh = toFormValues(record);
    setOriginal(fresh);
    if (!dirty) setValues(fresh);
  }, [record]);

  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api.patch<CrmRecord>(recordPaths.one(kind, record.id), body),
    onSuccess: (updated) => {
      const fresh = toFormValues(updated);
      setOriginal(fresh);
      setValues(fresh);
      setSaved(true);
      queryClient.setQueryData(recordKeys.detail(kind, record.id), updated);
      void queryClient.invalidateQueries({ queryKey: recordKeys.lists(kind) });
    },
    onError: (error) => setErrors(formErrors(error, fieldsOf(kind), errorText(values), t('common:error'))),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    checkAndSend(t, toBody(kind, values, original), setErrors, save.mutate);
  }

  return (
    <section className="panel crm-section" aria-labelledby={`details-${record.id}`}>
      <div className="crm-section-header">
        <h2 id={`details-${record.id}`}>{t('details')}</h2>
      </div>
      <form className="stack" noValidate onSubmit={submit}>
        <RecordFields
          kind={kind}
          values={values}
          errors={errors}
          onChange={(field, value) => {
            setSaved(false);
            setValues((v) => ({ ...v, [field]: value }));
          }}
        />
        <Alert message={errors.form} />
        <div className="crm-save-row">
          <span className="muted crm-small">
            {saved && !dirty ? (
              <span role="status">{t('saved')}</span>
            ) : (
              record.updatedAt && t('updatedAt', { when: formatDateTime(record.updatedAt) })
            )}
          </span>
          <button
            type="button"
            disabled={!dirty || save.isPending}
            onClick={() => {
              setValues(original);
              setErrors(NO_ERRORS);
            }}
          >
            {t('discard')}
          </button>
          <button type="submit" className="primary" disabled={!dirty || save.isPending}>
            {save.isPending ? t('saving') : t('common:save')}
          </button>
        </div>
      </form>
    </section>
  );
}
