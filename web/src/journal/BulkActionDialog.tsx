import { useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  type BulkAction,
  type BulkActionParams,
  type BulkItem,
  gatherJournal,
  runBulkAction,
} from '../api/bulk-actions.ts';
import { processKeys } from '../api/processes.ts';
import type { ProcessSummary } from '../api/types.ts';
import { formatDateTime, formatNumber } from '../i18n/format.ts';
import { Dialog, DialogActions } from '../ui/Dialog.tsx';
import { FieldSelect, FieldTextArea, Form } from '../ui/Field.tsx';
import { PauseFields, usePauseChoice } from '../ui/PauseFields.tsx';
import { Alert } from '../ui/States.tsx';
import { useEmployees } from '../ui/useEmployees.ts';
import { useDefinitions } from '../ui/usePublishedNames.ts';
import { refusalText } from './refusalText.ts';
import type { BulkSelection } from './useBulkSelection.ts';
import { apiParams, type JournalFilters } from './useJournalFilters.ts';

type Phase =
  | { readonly kind: 'form' }
  | { readonly kind: 'working'; readonly gathered?: number; readonly done: number; readonly total: number }
  | { readonly kind: 'results'; readonly total: number; readonly left: number };

/**
 * One bulk action from its parameters to its per-process results: the form, then a progress bar
 * while the processes go to the server ten at a time, then what was done and what was refused.
 */
export function BulkActionDialog({
  action,
  filters,
  selection,
  count,
  definitionId,
  onClose,
  onFinished,
}: {
  action: BulkAction;
  filters: JournalFilters;
  selection: BulkSelection;
  count: number;
  definitionId: string | null;
  onClose: () => void;
  onFinished: () => void;
}) {
  const { t } = useTranslation('journal');
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<Phase>({ kind: 'form' });
  const [results, setResults] = useState<ReadonlyMap<string, BulkItem>>(new Map());
  const [processes, setProcesses] = useState<ReadonlyMap<string, ProcessSummary>>(selection.picked);
  const [params, setParams] = useState<BulkActionParams | null>(null);
  const signal = useRef({ cancelled: false });

  async function run(runParams: BulkActionParams, only?: readonly string[]) {
    signal.current = { cancelled: false };
    setParams(runParams);
    let ids = only ?? [...selection.picked.keys()];
    if (!only && selection.allMatching) {
      setPhase({ kind: 'working', gathered: 0, done: 0, total: count });
      try {
        const rows = await gatherJournal(
          apiParams(filters),
          (gathered) => setPhase({ kind: 'working', gathered, done: 0, total: count }),
          signal.current,
        );
        setProcesses(new Map(rows.map((p) => [p.id, p])));
        ids = rows.map((p) => p.id);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        setResults(new Map([['', { processId: '', outcome: 'refused', code: 'network_error', message }]]));
        setPhase({ kind: 'results', total: 0, left: 0 });
        return;
      }
    }
    let done = 0;
    setPhase({ kind: 'working', done, total: ids.length });
    const answered = await runBulkAction(
      ids,
      runParams,
      (items) => {
        done += items.length;
        setResults((prev) => {
          const next = new Map(prev);
          for (const item of items) next.set(item.processId, item);
          return next;
        });
        setPhase({ kind: 'working', done, total: ids.length });
      },
      signal.current,
    );
    // The journal, its counts and any card of a changed process.
    void queryClient.invalidateQueries({ queryKey: processKeys.all });
    setPhase({ kind: 'results', total: ids.length, left: ids.length - answered.length });
  }

  const refusedIds = [...results.values()].filter((r) => r.outcome === 'refused' && r.processId !== '');
  const title = t(`bulk.titles.${action}`, { processes: t('bulk.processes', { count }) });
  const close = () => {
    if (phase.kind === 'working') signal.current.cancelled = true;
    else if (phase.kind === 'results') onFinished();
    else onClose();
  };

  return (
    <Dialog open onClose={close} title={title} wide={phase.kind !== 'form'}>
      {phase.kind === 'form' ? (
        <BulkActionForm action={action} definitionId={definitionId} onCancel={onClose} onRun={run} />
      ) : (
        <div className="stack bulk-run" data-testid="bulk-run">
          <BulkProgress t={t} phase={phase} />
          {phase.kind === 'working' ? (
            <div className="dialog-actions">
              <button type="button" data-testid="bulk-stop" onClick={close}>
                {t('bulk.stop')}
              </button>
            </div>
          ) : (
            <>
              <BulkResults t={t} results={results} processes={processes} />
              <div className="dialog-actions">
                {refusedIds.length > 0 && params && (
                  <button
                    type="button"
                    data-testid="bulk-retry"
                    onClick={() =>
                      run(
                        params,
                        refusedIds.map((r) => r.processId),
                      )
                    }
                  >
                    {t('bulk.retryRefused')}
                  </button>
                )}
                <button type="button" className="primary" data-testid="bulk-close" onClick={onFinished}>
                  {t('bulk.close')}
                </button>
              </div>
            </>
          )}
        </div>
      )}
    </Dialog>
  );
}

function BulkProgress({ t, phase }: { t: TFunction; phase: Exclude<Phase, { kind: 'form' }> }) {
  if (phase.kind === 'working' && phase.gathered !== undefined) {
    return (
      <div className="stack-tight" aria-live="polite">
        <progress className="bulk-progress" max={Math.max(phase.total, 1)} value={phase.gathered} />
        <p className="muted">
          {t('bulk.gathering', { count: formatNumber(phase.gathered), total: formatNumber(phase.total) })}
        </p>
      </div>
    );
  }
  const done = phase.kind === 'working' ? phase.done : phase.total - phase.left;
  return (
    <div className="stack-tight" aria-live="polite">
      <progress
        className="bulk-progress"
        data-testid="bulk-progress"
        max={Math.max(phase.total, 1)}
        value={done}
      />
      <p className="muted" data-testid="bulk-progress-text">
        {phase.kind === 'working' ? `${t('bulk.running')} ` : ''}
        {t('bulk.progress', { done: formatNumber(done), total: formatNumber(phase.total) })}
      </p>
      {phase.kind === 'results' && phase.left > 0 && (
        <p className="warning">{t('bulk.stopped', { left: formatNumber(phase.left) })}</p>
      )}
    </div>
  );
}

/** A note as a result line names a process by it: one line, at most 60 characters. */
function shortNote(note: string): string {
  const line = note.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

/** What became of each process: refused ones first, each with its reason. */
function BulkResults({
  t,
  results,
  processes,
}: {
  t: TFunction;
  results: ReadonlyMap<string, BulkItem>;
  processes: ReadonlyMap<string, ProcessSummary>;
}) {
  const items = [...results.values()].sort(
    (a, b) => Number(a.outcome === 'done') - Number(b.outcome === 'done'),
  );
  const done = items.filter((i) => i.outcome === 'done').length;
  return (
    <>
      <p data-testid="bulk-summary">
        <strong>
          {t('bulk.summary', { done: formatNumber(done), refused: formatNumber(items.length - done) })}
        </strong>
      </p>
      <ul className="bulk-results" aria-label={t('bulk.results')}>
        {items.map((item) => {
          const p = processes.get(item.processId);
          const name = p
            ? [p.definition.name, p.counterparty?.name ?? shortNote(p.note), p.stage.name]
                .filter(Boolean)
                .join(' · ')
            : item.processId;
          return (
            <li key={item.processId} data-testid="bulk-item" data-outcome={item.outcome}>
              <span className={`pill ${item.outcome === 'done' ? 'completed' : 'cancelled'}`}>
                {t(`bulk.${item.outcome}`)}
              </span>
              <span className="bulk-item-text">
                {item.processId ? (
                  <Link to={`/processes/${encodeURIComponent(item.processId)}`}>{name}</Link>
                ) : null}
                {item.outcome === 'refused' && (
                  <span className="bulk-reason" data-testid="bulk-reason">
                    {refusalText(t, item)}
                  </span>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** What the action needs: an employee, a pause, a version; and a reason (required to cancel). */
function BulkActionForm({
  action,
  definitionId,
  onCancel,
  onRun,
}: {
  action: BulkAction;
  definitionId: string | null;
  onCancel: () => void;
  onRun: (params: BulkActionParams) => void;
}) {
  const { t } = useTranslation('journal');
  const employees = useEmployees();
  const definitions = useDefinitions();
  // The employee to reassign to, or the version to migrate to: the one thing chosen from a list.
  const [chosen, setChosen] = useState('');
  const pause = usePauseChoice(Date.now() + 24 * 3600_000);
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);

  const versions = definitions.data?.items.find((d) => d.id === definitionId)?.versions ?? [];
  const list =
    action === 'reassign'
      ? {
          label: t('bulk.employee'),
          empty: { label: t('bulk.chooseEmployee'), disabled: true },
          testId: 'bulk-employee',
          options: employees.list.map((e) => ({
            value: e.id,
            label: `${e.name} — ${e.online ? t('common:online') : t('common:offline')}`,
          })),
        }
      : action === 'migrate'
        ? {
            label: t('bulk.version'),
            empty: { label: t('bulk.chooseVersion'), disabled: true },
            testId: 'bulk-version',
            options: [...versions]
              .sort((a, b) => b.version - a.version)
              .map((v) => ({
                value: String(v.version),
                label: t('bulk.versionOption', { version: v.version, date: formatDateTime(v.publishedAt) }),
              })),
          }
        : null;
  const reasonMissing = action === 'cancel' && reason.trim() === '';
  const valid = (!list || chosen !== '') && (action !== 'pause' || pause.valid) && !reasonMissing;

  function submit() {
    setTried(true);
    if (!valid) return;
    const why = reason.trim() ? { reason: reason.trim() } : {};
    if (action === 'reassign') onRun({ action, responsibleId: chosen, ...why });
    else if (action === 'pause') onRun({ action, ...pause.length(), ...why });
    else if (action === 'migrate') onRun({ action, toVersion: Number(chosen), ...why });
    else onRun({ action, ...why });
  }

  return (
    <Form className="stack" onSubmit={submit} data-testid="bulk-form">
      <p className="muted">{t(`bulk.hints.${action}`)}</p>
      {list && <FieldSelect {...list} value={chosen} onChange={setChosen} />}
      {action === 'pause' && <PauseFields choice={pause} testIdPrefix="bulk-pause" />}
      <FieldTextArea
        label={action === 'cancel' ? t('bulk.reason') : t('bulk.reasonOptional')}
        testId="bulk-reason-input"
        rows={2}
        maxLength={2000}
        required={action === 'cancel'}
        aria-invalid={tried && reasonMissing}
        value={reason}
        onChange={setReason}
      />
      <Alert message={tried && reasonMissing && t('bulk.reasonRequired')} />
      <DialogActions
        onCancel={onCancel}
        cancelLabel={t('bulk.keep')}
        confirmLabel={t(`bulk.confirm.${action}`)}
        danger={action === 'cancel'}
        disabled={!valid && action !== 'cancel'}
        testId="bulk-confirm"
      />
    </Form>
  );
}
