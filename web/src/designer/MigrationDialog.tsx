import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type ReactNode, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  applyMigration,
  dryRunMigration,
  type MigrationItem,
  type MigrationRequest,
} from '../api/bulk-actions.ts';
import { api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import { processKeys, processPaths } from '../api/processes.ts';
import type { Definition, DefinitionVersion, Page, ProcessSummary } from '../api/types.ts';
import { formatNumber } from '../i18n/format.ts';
import { refusalText } from '../journal/refusalText.ts';
import { apiErrorText } from '../process-card/apiErrorText.ts';
import { Dialog, type DialogProps } from '../ui/Dialog.tsx';
import { Field, Select } from '../ui/Field.tsx';
import { Alert, Loading } from '../ui/States.tsx';
import '../journal/bulk.css';
import './migration.css';

function useVersion(definitionId: string, version: number) {
  return useQuery({
    queryKey: definitionKeys.version(definitionId, version),
    queryFn: () => api.get<DefinitionVersion>(definitionPaths.version(definitionId, version)),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The running processes of a definition, to name them in the results (by client or note). */
function useRunning(definitionId: string) {
  const params = { definitionId, status: 'active,paused' };
  return useQuery({
    queryKey: processKeys.list(params, 'startedAt'),
    queryFn: () =>
      api.get<Page<ProcessSummary>>(processPaths.list({ ...params, sort: 'startedAt', limit: 500 })),
  });
}

/**
 * Moving the running processes of a definition from one published version to another: choose the
 * versions, map each stage the new version lacks, see per process what a dry run says, then apply
 * a few at a time with a progress bar.
 */
export function MigrationDialog({ open, onClose, definition }: DialogProps & { definition: Definition }) {
  const { t } = useTranslation('designer');
  return (
    <Dialog open={open} onClose={onClose} wide title={t('migration.title', { name: definition.name })}>
      <MigrationForm definition={definition} onClose={onClose} />
    </Dialog>
  );
}

type Run =
  | { readonly kind: 'idle' }
  | { readonly kind: 'dry'; readonly items: readonly MigrationItem[] }
  | {
      readonly kind: 'applying' | 'applied';
      readonly expected: number;
      readonly items: readonly MigrationItem[];
    };

function MigrationForm({ definition, onClose }: { definition: Definition; onClose: () => void }) {
  const { t } = useTranslation('designer');
  const id = useId();
  const queryClient = useQueryClient();
  const versions = [...definition.versions].map((v) => v.version).sort((a, b) => b - a);
  const [toVersion, setToVersion] = useState(versions[0] ?? 1);
  const [fromVersion, setFromVersion] = useState(versions[1] ?? 1);
  const [overrides, setOverrides] = useState<Record<string, string>>({});
  const [run, setRun] = useState<Run>({ kind: 'idle' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const signal = useRef({ cancelled: false });
  const from = useVersion(definition.id, fromVersion);
  const to = useVersion(definition.id, toVersion);
  const running = useRunning(definition.id);

  const toKeys = new Map((to.data?.stages ?? []).map((s) => [s.key, s]));
  const oldStages = (from.data?.stages ?? []).filter((s) => s.kind !== 'end');
  const targetOf = (key: string) => overrides[key] ?? (toKeys.has(key) ? key : '');
  const unmapped = oldStages.filter((s) => targetOf(s.key) === '');
  // Only what differs from "same key maps itself" goes to the server.
  const stageMap: Record<string, string> = {};
  for (const s of oldStages) {
    const target = targetOf(s.key);
    if (target !== '' && target !== s.key) stageMap[s.key] = target;
  }
  const request: MigrationRequest = { fromVersion, toVersion, stageMap };
  const ready = from.isSuccess && to.isSuccess && fromVersion !== toVersion;

  const changed = (apply: () => void) => {
    apply();
    setRun({ kind: 'idle' });
    setError(null);
  };

  async function dryRun() {
    setBusy(true);
    setError(null);
    try {
      const answer = await dryRunMigration(definition.id, request);
      setRun({ kind: 'dry', items: answer.items });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function applyAll(expected: number) {
    signal.current = { cancelled: false };
    setBusy(true);
    setError(null);
    let items: MigrationItem[] = [];
    setRun({ kind: 'applying', expected, items });
    try {
      await applyMigration(
        definition.id,
        request,
        (page) => {
          items = [...items, ...page];
          setRun({ kind: 'applying', expected: Math.max(expected, items.length), items });
        },
        signal.current,
      );
    } catch (e) {
      setError(e);
    } finally {
      setRun({ kind: 'applied', expected: Math.max(expected, items.length), items });
      setBusy(false);
      void queryClient.invalidateQueries({ queryKey: processKeys.all });
    }
  }

  const stageName = (stages: DefinitionVersion | undefined, key: string | null) =>
    key === null ? '—' : (stages?.stages.find((s) => s.key === key)?.name ?? key);
  const names = new Map(
    (running.data?.items ?? []).map((p) => [p.id, p.counterparty?.name ?? (p.note.trim() || p.stage.name)]),
  );

  if (versions.length < 2) return <p className="muted">{t('migration.oneVersion')}</p>;
  const versionOptions = versions.map((v) => ({
    value: String(v),
    label: t('migration.versionLabel', { version: v }),
  }));
  const locked = busy || run.kind === 'applying' || run.kind === 'applied';
  const versionSelect = (side: 'from' | 'to', value: number, setValue: (version: number) => void) => (
    <Field label={t(`migration.${side}`)}>
      {(fieldId) => (
        <Select
          id={fieldId}
          testId={`migration-${side}`}
          value={String(value)}
          disabled={locked}
          onChange={(v) =>
            changed(() => {
              setValue(Number(v));
              setOverrides({});
            })
          }
          options={versionOptions}
        />
      )}
    </Field>
  );

  return (
    <div className="stack migration" data-testid="migration">
      <p className="muted">{t('migration.intro')}</p>
      <div className="row migration-versions">
        {versionSelect('from', fromVersion, setFromVersion)}
        <span aria-hidden="true">→</span>
        {versionSelect('to', toVersion, setToVersion)}
      </div>
      <Alert message={fromVersion === toVersion && t('migration.sameVersion')} />

      {!ready && fromVersion !== toVersion ? (
        from.error || to.error ? (
          <Alert message={apiErrorText(t, from.error ?? to.error)} />
        ) : (
          <Loading />
        )
      ) : ready ? (
        <>
          <h3 className="migration-map-title" id={`${id}-map`}>
            {t('migration.mapTitle')}
          </h3>
          <table className="grid migration-map" data-testid="migration-map" aria-labelledby={`${id}-map`}>
            <thead>
              <tr>
                <th scope="col">{t('migration.oldStage', { version: fromVersion })}</th>
                <th scope="col">{t('migration.newStage', { version: toVersion })}</th>
              </tr>
            </thead>
            <tbody>
              {oldStages.map((s) => {
                const target = targetOf(s.key);
                const same = target === s.key;
                return (
                  <tr key={s.key} data-testid="migration-row" data-stage={s.key}>
                    <td>
                      {s.name} <span className="muted small">({s.key})</span>
                    </td>
                    <td>
                      <Select
                        aria-label={t('migration.mapTo', { stage: s.name })}
                        testId="migration-target"
                        value={target}
                        disabled={locked}
                        aria-invalid={target === ''}
                        onChange={(v) => changed(() => setOverrides((o) => ({ ...o, [s.key]: v })))}
                        empty={{ label: t('migration.chooseStage'), disabled: true }}
                        options={(to.data?.stages ?? [])
                          .filter((n) => n.kind !== 'end')
                          .map((n) => ({
                            value: n.key,
                            label: n.key === s.key ? t('migration.sameKey', { name: n.name }) : n.name,
                          }))}
                      />
                      {same && (
                        <span className="muted small migration-same"> {t('migration.mapsItself')}</span>
                      )}
                      {target === '' && <div className="error small">{t('migration.needsMapping')}</div>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {unmapped.length > 0 && (
            <Alert warning message={t('migration.unmapped', { count: unmapped.length })} />
          )}
        </>
      ) : null}

      {run.kind !== 'idle' && (
        <MigrationResults
          t={t}
          run={run}
          names={names}
          fromName={(key) => stageName(from.data, key)}
          toName={(key) => stageName(to.data, key)}
        />
      )}
      <Alert message={error !== null && apiErrorText(t, error)} />

      <div className="dialog-actions">
        {run.kind === 'applying' ? (
          <button
            type="button"
            data-testid="migration-stop"
            onClick={() => {
              signal.current.cancelled = true;
            }}
          >
            {t('migration.stop')}
          </button>
        ) : (
          <button type="button" onClick={onClose}>
            {run.kind === 'applied' ? t('close') : t('cancel')}
          </button>
        )}
        {run.kind !== 'applied' && run.kind !== 'applying' && (
          <button
            type="button"
            data-testid="migration-dry-run"
            disabled={!ready || busy}
            onClick={() => void dryRun()}
          >
            {t('migration.dryRun')}
          </button>
        )}
        {run.kind === 'dry' && run.items.some((i) => i.outcome === 'would_move') && (
          <button
            type="button"
            className="primary"
            data-testid="migration-apply"
            disabled={busy}
            onClick={() => void applyAll(run.items.length)}
          >
            {t('migration.apply', { count: run.items.filter((i) => i.outcome === 'would_move').length })}
          </button>
        )}
      </div>
    </div>
  );
}

function MigrationResults({
  t,
  run,
  names,
  fromName,
  toName,
}: {
  t: TFunction;
  run: Exclude<Run, { kind: 'idle' }>;
  names: ReadonlyMap<string, string>;
  fromName: (key: string) => string;
  toName: (key: string | null) => string;
}) {
  const moved = run.items.filter((i) => i.outcome !== 'refused').length;
  const refused = run.items.length - moved;
  let progress: ReactNode = null;
  if (run.kind !== 'dry') {
    progress = (
      <div className="stack-tight" aria-live="polite">
        <progress
          className="bulk-progress"
          data-testid="migration-progress"
          max={Math.max(run.expected, 1)}
          value={run.items.length}
        />
        <p className="muted" data-testid="migration-progress-text">
          {t('migration.progress', {
            done: formatNumber(run.items.length),
            total: formatNumber(run.expected),
          })}
        </p>
      </div>
    );
  }
  return (
    <section className="stack-tight" aria-label={t('migration.results')}>
      {progress}
      <p data-testid="migration-summary">
        <strong>
          {run.items.length === 0
            ? t('migration.nothing')
            : t(run.kind === 'dry' ? 'migration.drySummary' : 'migration.summary', {
                moved: formatNumber(moved),
                refused: formatNumber(refused),
              })}
        </strong>
      </p>
      {run.items.length > 0 && (
        <ul className="bulk-results">
          {run.items.map((item) => (
            <li key={item.processId} data-testid="migration-item" data-outcome={item.outcome}>
              <span className={`pill ${item.outcome === 'refused' ? 'cancelled' : 'completed'}`}>
                {t(`migration.outcome.${item.outcome}`)}
              </span>
              <span className="bulk-item-text">
                <Link to={`/processes/${encodeURIComponent(item.processId)}`}>
                  {names.get(item.processId) ?? item.processId}
                </Link>
                <span className="muted small">
                  {fromName(item.from)} → {toName(item.to)}
                </span>
                {item.outcome === 'refused' && (
                  <span className="bulk-reason" data-testid="migration-reason">
                    {refusalText(t, { code: item.reason, message: item.message })}
                  </span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
