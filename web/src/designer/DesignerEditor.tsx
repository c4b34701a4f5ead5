import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { memo, useCallback, useDeferredValue, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, type NavigateFunction, useNavigate, useParams } from 'react-router';
import { validateDefinition } from '../../../src/domain/definition/validate.ts';
import { ApiError, api } from '../api/client.ts';
import { definitionKeys, definitionPaths } from '../api/definitions.ts';
import type { Definition, Stage, StageKind, Transition, ValidationError } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { ErrorBox, Loading } from '../ui/States.tsx';
import { useAfterFirstFrame } from '../ui/useAfterFirstFrame.ts';
import { AddStageDialog } from './AddStageDialog.tsx';
import { canRedo, canUndo, createStack, isDirty } from './command-stack.ts';
import type { Command, DesignerState, Point } from './commands.ts';
import { DefinitionFlow, DRAW_BEFORE_LAYOUT } from './DefinitionFlow.tsx';
import { FlowHeat } from './FlowHeat.tsx';
import { onlyNamesDiffer } from './flow-model.ts';
import './designer.css';
import { freeSpotFor, layoutStages, positionsForMissing, warmUpLayout } from './layout.ts';
import { editorReducer, sameButPlace } from './placement.ts';
import { definitionQuery } from './queries.ts';
import { ResultDialog } from './ResultDialog.tsx';
import { RuleList } from './RuleList.tsx';
import { StageRow } from './StageList.tsx';
import { StageSettings } from './StageSettings.tsx';
import { uniqueStageKey } from './stage-keys.ts';
import { inKindOrder } from './stage-order.ts';
import { useDefinitionList } from './useDefinitionList.ts';
import { useEmployeeDirectory } from './useEmployeeDirectory.ts';
import { useKeptDraft } from './useKeptDraft.ts';
import { useLeaveGuard } from './useLeaveGuard.ts';
import { ValidationPanel } from './ValidationPanel.tsx';
import { describeValidationError } from './validation-messages.ts';

/** Undo and redo, as the header offers them. */
const HISTORY_STEPS = [
  { step: 'undo', can: canUndo, symbol: '↶' },
  { step: 'redo', can: canRedo, symbol: '↷' },
] as const;

/** Grid places, for when the layout engine cannot be loaded. */
function gridPlaces(stages: readonly Stage[]): Record<string, Point> {
  return Object.fromEntries(stages.map((s, i) => [s.key, { x: (i % 6) * 280, y: Math.floor(i / 6) * 140 }]));
}

/** The designer of one definition (route /designer/:id). */
export function DesignerEditor() {
  const { id = '' } = useParams();
  const { t } = useTranslation('designer');
  const definition = useQuery(definitionQuery(id));
  // What validation also needs is asked for together with the definition, not after it arrived. It
  // is handed to the editor, which draws again at every key: asking again there would cost each key.
  const employees = useEmployeeDirectory();
  const definitions = useDefinitionList().data;
  const navigate = useNavigate();
  // The flowchart's layout engine starts loading in its worker meanwhile.
  useEffect(warmUpLayout, []);
  const data = definition.data;

  if (definition.error) {
    return (
      <div className="designer-editor-state">
        <Link to="/designer">← {t('list.title')}</Link>
        <ErrorBox error={definition.error} onRetry={() => definition.refetch()} />
      </div>
    );
  }
  if (!data || data.id !== id) return <Loading />;
  return (
    <Editor key={id} definition={data} employees={employees} definitions={definitions} navigate={navigate} />
  );
}

/**
 * The stages as the list shows them: a stage that only got a place (the layout arriving, a drag on
 * the chart) keeps its object, so its row is not drawn again.
 */
function useListedStages(stages: readonly Stage[]): readonly Stage[] {
  const previous = useRef(new Map<string, Stage>());
  return useMemo(() => {
    const next = new Map<string, Stage>();
    const list = stages.map((stage) => {
      const before = previous.current.get(stage.key);
      const kept = before && sameButPlace(before, stage) ? before : stage;
      next.set(stage.key, kept);
      return kept;
    });
    previous.current = next;
    return list;
  }, [stages]);
}

/** The rules, drawn again only when they or the stages they name change (not at every key elsewhere). */
const MemoRuleList = memo(RuleList);

/** The selected stage's settings, not drawn again by the render that only brings validation up to date. */
const MemoStageSettings = memo(StageSettings);

/** The flowchart with its bottleneck overlay, drawn again only when what it shows changes. */
const DesignerChart = memo(function DesignerChart({
  definitionId,
  view,
  stages,
  transitions,
  ...flow
}: {
  definitionId: string;
  view: string;
  stages: DesignerState['stages'];
  transitions: DesignerState['transitions'];
  invalidStages: string[];
  selectedStage: string | null;
  onSelectStage: (key: string | null) => void;
  onMoveStage: (key: string, position: Point) => void;
  onConnect: (from: string, to: string) => void;
  onDelete: (stageKeys: string[], transitionIndexes: number[]) => void;
}) {
  return (
    <FlowHeat definitionId={definitionId} stages={stages} transitions={transitions}>
      {(heat) => (
        <DefinitionFlow
          // A chart first shown by the switch mounts anew, so it fits itself to its real size.
          key={view}
          stages={stages as Stage[]}
          transitions={transitions as Transition[]}
          {...flow}
          height="100%"
          heat={heat}
        />
      )}
    </FlowHeat>
  );
});

interface Meta {
  readonly status: Definition['status'];
  readonly version: number;
  readonly draftChanged: boolean;
}

function Editor({
  definition,
  employees,
  definitions,
  navigate,
}: {
  definition: Definition;
  employees: ReturnType<typeof useEmployeeDirectory>;
  definitions: Definition[] | undefined;
  navigate: NavigateFunction;
}) {
  const { t } = useTranslation('designer');
  const queryClient = useQueryClient();
  const id = definition.id;
  const [initial] = useState<DesignerState>(() => ({
    name: definition.name,
    stages: definition.stages,
    transitions: definition.transitions,
  }));
  const [stack, dispatch] = useReducer(editorReducer, initial, createStack);
  const { state } = stack;

  // Stages without a saved place are shown at once and laid out in the background (a worker). The
  // places are filled in as an ordinary update (the list does not change; the chart follows in the
  // deferred render): an update of the draft in a transition would be replayed under every key
  // typed meanwhile.
  useEffect(() => {
    if (initial.stages.every((s) => s.position)) return;
    let cancelled = false;
    positionsForMissing(initial.stages, initial.transitions).then(
      (positions) => {
        if (!cancelled) dispatch({ type: 'placed', positions });
      },
      () => {
        if (!cancelled) dispatch({ type: 'placed', positions: gridPlaces(initial.stages) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [initial]);
  const dirty = isDirty(stack);
  const run = useCallback((command: Command) => dispatch({ type: 'execute', command, at: Date.now() }), []);

  const [selected, setSelected] = useState<string | null>(null);
  const [selectedRule, setSelectedRule] = useState<number | null>(null);
  const [meta, setMeta] = useState<Meta>({
    status: definition.status,
    version: definition.version,
    draftChanged: definition.draftChanged,
  });
  const [connection, setConnection] = useState<{ from: string; to: string } | null>(null);
  const [adding, setAdding] = useState(false);
  const [publishErrors, setPublishErrors] = useState<ValidationError[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [filter, setFilter] = useState('');
  const [layingOut, setLayingOut] = useState(false);
  // Narrow screens show one pane at a time: the stage list or the flowchart.
  const [view, setView] = useState<'list' | 'chart'>('list');

  const guard = useLeaveGuard(dirty, navigate);
  const keptDraft = useKeptDraft(id, stack, initial);

  // Validation on every change, with the same pure rules the server applies.
  const definitionsById = useMemo(() => new Map((definitions ?? []).map((d) => [d.id, d])), [definitions]);
  const context = useMemo(
    () => ({
      selfId: id,
      employeeExists: employees.loaded ? (employeeId: string) => employees.byId.has(employeeId) : undefined,
      definition: definitions
        ? (definitionId: string) => {
            const d = definitionsById.get(definitionId);
            return d ? { status: d.status, startSpawns: [] } : undefined;
          }
        : undefined,
    }),
    [id, employees, definitions, definitionsById],
  );
  // What typing must not wait for (validation, the rule list's stage names) follows the draft a
  // moment behind, in a render React can interrupt: the field being typed in is updated first.
  const later = useDeferredValue(state);
  const laterContext = useDeferredValue(context);
  // A large definition's rules (hundreds of rows, below its stages) follow the first frame.
  const rulesShown = useAfterFirstFrame(initial.stages.length > DRAW_BEFORE_LAYOUT);
  const validation = useMemo(
    () => validateDefinition({ stages: later.stages, transitions: later.transitions }, laterContext),
    [later.stages, later.transitions, laterContext],
  );
  const errors = validation.errors as ValidationError[];
  const problemsByStage = useMemo(() => {
    const counts = new Map<string, number>();
    for (const e of errors) {
      const key = e.stage ?? (e.transition === undefined ? undefined : later.transitions[e.transition]?.from);
      if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }, [errors, later.transitions]);
  const invalidStages = useMemo(() => [...problemsByStage.keys()], [problemsByStage]);

  const selectedStage = selected !== null && state.stages.some((s) => s.key === selected) ? selected : null;

  // Any edit (or undo, or redo) makes an old notice ("Saved", "Published") stale; places arriving do not.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the history changes.
  useEffect(() => setNotice(null), [stack.done]);

  const save = useMutation({
    mutationFn: (s: DesignerState) =>
      api.put<Definition>(definitionPaths.one(id), {
        name: s.name.trim(),
        stages: s.stages,
        transitions: s.transitions,
      }),
    onSuccess: (saved, s) => {
      dispatch({ type: 'saved', state: s });
      setMeta({ status: saved.status, version: saved.version, draftChanged: saved.draftChanged });
      queryClient.setQueryData(definitionKeys.detail(id), saved);
      void queryClient.invalidateQueries({ queryKey: definitionKeys.lists() });
      setFailure(null);
      setNotice(t('header.saved'));
      keptDraft.saved();
    },
    onError: (error) => setFailure(error),
  });

  const nameProblem = state.name.trim() === '' ? t('header.nameEmpty') : null;
  const doSave = useCallback(async () => {
    if (nameProblem) return false;
    try {
      await save.mutateAsync(state);
      return true;
    } catch {
      return false;
    }
  }, [save, state, nameProblem]);

  const [publishing, setPublishing] = useState(false);
  const publish = async () => {
    setPublishing(true);
    setFailure(null);
    try {
      if (dirty && !(await doSave())) return;
      const published = await api.post<Definition>(definitionPaths.publish(id));
      setMeta({ status: published.status, version: published.version, draftChanged: published.draftChanged });
      queryClient.setQueryData(definitionKeys.detail(id), published);
      void queryClient.invalidateQueries({ queryKey: definitionKeys.lists() });
      setNotice(t('header.publishedNow', { version: published.version }));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid_definition') {
        const list = (error.details as { errors?: ValidationError[] } | undefined)?.errors;
        setPublishErrors(Array.isArray(list) ? list : []);
      } else setFailure(error);
    } finally {
      setPublishing(false);
    }
  };

  // Keyboard: undo, redo, save. Not while a dialog is open (its fields keep their own undo).
  const saveRef = useRef(doSave);
  saveRef.current = doSave;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      if (document.querySelector('dialog[open]')) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        dispatch({ type: 'undo' });
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        dispatch({ type: 'redo' });
      } else if (key === 's') {
        e.preventDefault();
        void saveRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const selectStage = useCallback((key: string | null) => {
    setSelected(key);
    setSelectedRule(null);
  }, []);
  const transitionsRef = useRef(state.transitions);
  transitionsRef.current = state.transitions;
  const selectRule = useCallback((index: number) => {
    setSelectedRule(index);
    const from = transitionsRef.current[index]?.from;
    if (from !== undefined) setSelected(from);
  }, []);
  /** The selected rule and how to select one, shared by the stage's settings and the rule list. */
  const ruleSelection = { selectedRule, onSelectRule: selectRule };
  /** The flow as it is now, for the stage's settings and the chart. */
  const flow = { stages: state.stages, transitions: state.transitions };
  // A stage's name typed: the chart redraws that label a moment behind, with validation, in a
  // render React can interrupt, so a key's own task draws only the field and the list. Any other
  // change (a stage added, moved, removed or reconfigured) reaches the chart at once.
  const chartStages = onlyNamesDiffer(state.stages, later.stages) ? later.stages : state.stages;
  const moveStage = useCallback(
    (key: string, position: { x: number; y: number }) => run({ type: 'stage.move', key, position }),
    [run],
  );
  const connect = useCallback((from: string, to: string) => setConnection({ from, to }), []);
  const removeStage = useCallback(
    (key: string) => {
      run({ type: 'stage.remove', keys: [key] });
      selectStage(null);
    },
    [run, selectStage],
  );
  const removeOnCanvas = useCallback(
    (keys: string[], indexes: number[]) => {
      if (keys.length > 0) run({ type: 'stage.remove', keys, transitions: indexes });
      else if (indexes.length > 0) run({ type: 'transition.remove', indexes });
    },
    [run],
  );

  const addStage = (name: string, kind: StageKind) => {
    const key = uniqueStageKey(
      name,
      state.stages.map((s) => s.key),
    );
    run({
      type: 'stage.add',
      stage: { key, name, kind, position: freeSpotFor(state.stages, selectedStage) },
    });
    setSelected(key);
    setSelectedRule(null);
    setAdding(false);
  };

  const autoLayout = async () => {
    setLayingOut(true);
    try {
      run({ type: 'layout.apply', positions: await layoutStages(state.stages, state.transitions) });
    } catch (error) {
      setFailure(error);
    } finally {
      setLayingOut(false);
    }
  };

  const pickError = (error: ValidationError) => {
    const rule = error.transition === undefined ? undefined : state.transitions[error.transition];
    const key = error.stage ?? rule?.from;
    if (key !== undefined) setSelected(key);
    setSelectedRule(error.transition ?? null);
  };

  const employeeName = useCallback(
    (employeeId: string) => employees.byId.get(employeeId)?.name ?? t('unknownEmployee'),
    [employees, t],
  );
  const definitionName = useCallback(
    (definitionId: string) =>
      definitionId === id ? state.name : (definitionsById.get(definitionId)?.name ?? t('unknownDefinition')),
    [definitionsById, id, state.name, t],
  );
  const spawnOptions = useMemo(
    () =>
      (definitions ?? [])
        .filter((d) => d.status === 'published')
        .map((d) => ({ id: d.id, name: d.name }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [definitions],
  );

  const listed = useListedStages(state.stages);
  const needle = filter.trim().toLowerCase();
  const shownStages = inKindOrder(
    needle
      ? listed.filter(
          (s) =>
            s.key === selectedStage ||
            s.name.toLowerCase().includes(needle) ||
            s.key.toLowerCase().includes(needle),
        )
      : listed,
  );

  const status =
    meta.version > 0
      ? t('header.published', { version: meta.version }) +
        (meta.draftChanged || dirty ? ` · ${t('header.draftChanged')}` : '')
      : t('header.neverPublished');
  const nothingToPublish = meta.version > 0 && !meta.draftChanged && !dirty;
  const publishBlocked =
    errors.length > 0
      ? t('header.fixFirst', { count: errors.length })
      : nameProblem
        ? nameProblem
        : nothingToPublish
          ? t('header.alreadyPublished', { version: meta.version })
          : null;

  return (
    <div className="designer-editor">
      <header className="designer-header">
        <Link to="/designer" className="back-link">
          ← {t('list.title')}
        </Link>
        <input
          className="designer-name"
          value={state.name}
          onChange={(e) => run({ type: 'definition.rename', name: e.target.value })}
          aria-label={t('header.name')}
          aria-invalid={nameProblem !== null}
          title={nameProblem ?? undefined}
          maxLength={300}
          data-testid="definition-name"
        />
        <span className="designer-status muted" data-testid="definition-status">
          {status}
        </span>
        {dirty && <span className="unsaved-badge">{t('header.unsaved')}</span>}
        {notice && (
          <span className="designer-notice" role="status">
            {notice}
          </span>
        )}
        <div className="designer-actions">
          {HISTORY_STEPS.map(({ step, can, symbol }) => (
            <button
              key={step}
              type="button"
              onClick={() => dispatch({ type: step })}
              disabled={!can(stack)}
              aria-label={t(`header.${step}`)}
              title={t(`header.${step}Hint`)}
              data-testid={step}
            >
              {symbol}
            </button>
          ))}
          <button
            type="button"
            onClick={autoLayout}
            disabled={layingOut || state.stages.length === 0}
            data-testid="auto-layout"
          >
            {layingOut ? t('header.layingOut') : t('header.autoLayout')}
          </button>
          <span title={nameProblem ?? undefined}>
            <button
              type="button"
              onClick={() => void doSave()}
              disabled={save.isPending || nameProblem !== null}
              title={t('header.saveHint')}
              data-testid="save-draft"
            >
              {save.isPending ? t('header.saving') : t('header.save')}
            </button>
          </span>
          <span title={publishBlocked ?? undefined}>
            <button
              type="button"
              className="primary"
              onClick={() => void publish()}
              disabled={publishing || publishBlocked !== null}
              aria-describedby={publishBlocked ? 'publish-blocked' : undefined}
              data-testid="publish"
            >
              {publishing ? t('header.publishing') : t('header.publish')}
            </button>
          </span>
          {publishBlocked && (
            <span id="publish-blocked" className="designer-sr-only">
              {publishBlocked}
            </span>
          )}
        </div>
      </header>
      {failure !== null && <ErrorBox error={failure} />}
      {keptDraft.kept && (
        <div className="designer-kept" role="status" data-testid="kept-draft">
          <span>{t('kept.text', { time: formatDateTime(new Date(keptDraft.kept.at).toISOString()) })}</span>
          <button
            type="button"
            className="primary"
            onClick={() => {
              if (keptDraft.kept) run({ type: 'definition.restore', state: keptDraft.kept.state });
              keptDraft.dismiss();
            }}
          >
            {t('kept.restore')}
          </button>
          <button type="button" onClick={keptDraft.dismiss}>
            {t('kept.dismiss')}
          </button>
        </div>
      )}

      <fieldset className="designer-view-switch" aria-label={t('canvas.title')}>
        {(['list', 'chart'] as const).map((pane) => (
          <button
            key={pane}
            type="button"
            className={`chip${view === pane ? ' active' : ''}`}
            aria-pressed={view === pane}
            data-testid={`designer-view-${pane}`}
            onClick={() => setView(pane)}
          >
            {pane === 'list' ? t('side.title') : t('canvas.title')}
          </button>
        ))}
      </fieldset>

      <div className="designer-body" data-view={view}>
        <aside className="designer-side" aria-label={t('side.title')}>
          <div className="side-head">
            <h3>
              {t('side.stages')} <span className="muted">({state.stages.length})</span>
            </h3>
            <button type="button" onClick={() => setAdding(true)} data-testid="add-stage">
              + {t('side.addStage')}
            </button>
          </div>
          {state.stages.length > 6 && (
            <input
              type="search"
              className="stage-filter"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder={t('side.findStage')}
              aria-label={t('side.findStage')}
            />
          )}
          {state.stages.length === 0 ? (
            <p className="muted small empty-hint">{t('side.noStages')}</p>
          ) : (
            <ul className="stage-list">
              {shownStages.map((stage) => (
                <StageRow
                  key={stage.key}
                  stage={stage}
                  selected={stage.key === selectedStage}
                  problems={problemsByStage.get(stage.key) ?? 0}
                  onSelect={selectStage}
                >
                  {stage.key === selectedStage && (
                    <MemoStageSettings
                      stage={stage}
                      {...flow}
                      employees={employees.list}
                      employeeName={employeeName}
                      spawnOptions={spawnOptions}
                      definitionName={definitionName}
                      run={run}
                      onKeyChanged={setSelected}
                      onRemove={removeStage}
                      {...ruleSelection}
                    />
                  )}
                </StageRow>
              ))}
            </ul>
          )}
          {rulesShown && (
            <MemoRuleList
              // Rules show stage names: a renamed stage's rules follow a moment behind.
              stages={later.stages}
              transitions={state.transitions}
              run={run}
              {...ruleSelection}
            />
          )}
        </aside>

        <section className="designer-canvas" data-testid="designer-canvas" aria-label={t('canvas.title')}>
          <DesignerChart
            definitionId={id}
            view={view}
            // The chart follows every change at once (a stage added, moved or dropped must be there
            // for the next click); its problem marks and a typed name follow a moment behind.
            stages={chartStages}
            transitions={state.transitions}
            invalidStages={invalidStages}
            selectedStage={selectedStage}
            onSelectStage={selectStage}
            onMoveStage={moveStage}
            onConnect={connect}
            onDelete={removeOnCanvas}
          />
          <p className="canvas-hint muted small">{t('canvas.hint')}</p>
        </section>
      </div>

      <ValidationPanel
        errors={errors}
        stages={later.stages}
        transitions={later.transitions}
        onPick={pickError}
      />

      <AddStageDialog open={adding} stages={state.stages} onClose={() => setAdding(false)} onAdd={addStage} />
      <ResultDialog
        connection={connection}
        stages={state.stages}
        transitions={state.transitions}
        onClose={() => setConnection(null)}
        onSubmit={(result) => {
          if (connection) run({ type: 'transition.connect', transition: { ...connection, result } });
          setConnection(null);
        }}
      />
      <Dialog
        open={publishErrors !== null}
        title={t('publishRefused.title')}
        onClose={() => setPublishErrors(null)}
        wide
      >
        <p>{t('publishRefused.text')}</p>
        <ul className="publish-errors" data-testid="publish-errors">
          {(publishErrors ?? []).map((error, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity beyond their place in the list.
            <li key={i}>
              <button
                type="button"
                className="link"
                onClick={() => {
                  pickError(error);
                  setPublishErrors(null);
                }}
              >
                {describeValidationError(error, t, state)}
              </button>
            </li>
          ))}
        </ul>
        <div className="dialog-actions">
          <button type="button" onClick={() => setPublishErrors(null)}>
            {t('close')}
          </button>
        </div>
      </Dialog>
      <Dialog open={guard.pending !== null} title={t('leave.title')} onClose={guard.stay}>
        <p>{t('leave.text')}</p>
        <div className="dialog-actions">
          <button type="button" onClick={guard.stay}>
            {t('leave.stay')}
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              keptDraft.discardOnLeave();
              guard.leave();
            }}
            data-testid="leave-discard"
          >
            {t('leave.discard')}
          </button>
          <button
            type="button"
            className="primary"
            disabled={nameProblem !== null || save.isPending}
            onClick={async () => {
              if (await doSave()) guard.leave();
            }}
          >
            {t('leave.save')}
          </button>
        </div>
      </Dialog>
    </div>
  );
}
