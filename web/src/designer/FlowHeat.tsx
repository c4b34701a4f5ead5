import { type ReactNode, useCallback, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type AnalyticsPeriod,
  PERIOD_PRESETS,
  type PeriodPreset,
  periodReady,
  useStageAnalytics,
} from '../api/analytics.ts';
import type { Stage, Transition } from '../api/types.ts';
import { DateField } from '../ui/DateField.tsx';
import { HeatLegend } from '../ui/HeatLegend.tsx';
import { type FlowHeat as FlowHeatData, flowHeat } from './heat.ts';
import './heat.css';
import { StageHeatDetails } from './StageHeatDetails.tsx';

export interface FlowHeatProps {
  definitionId: string;
  /** One version's figures (the process card's), or every version's, stages matched by key. */
  version?: number | undefined;
  stages: readonly Stage[];
  transitions: readonly Transition[];
  /** Draws the chart, with the overlay when it is on. */
  children: (heat: FlowHeatData | undefined) => ReactNode;
}

/** How far a pointer may move between press and release and still be a tap, in pixels. */
const TAP_SLOP = 8;

/** Where the figures of a stage open: the stage's box on the screen, relative to the chart. */
interface Inspected {
  readonly key: string;
  readonly box: { left: number; top: number; right: number; bottom: number };
}

/** The stage under an event's target, with its box relative to `container`. */
function inspectedAt(target: EventTarget | null, container: HTMLElement | null): Inspected | null {
  if (!(target instanceof Element) || !container) return null;
  const node = target.closest('.react-flow__node');
  const key = node?.getAttribute('data-id');
  if (!node || !key || !container.contains(node)) return null;
  const r = node.getBoundingClientRect();
  const c = container.getBoundingClientRect();
  return {
    key,
    box: { left: r.left - c.left, top: r.top - c.top, right: r.right - c.left, bottom: r.bottom - c.top },
  };
}

/**
 * The bottleneck overlay around a flowchart: a switch with a period, a legend, and the figures of
 * the stage pointed at, focused or tapped. While it is on, the chart colours each stage by its
 * median time in stage and draws each arrow as wide as the number of processes that took it.
 */
export function FlowHeat({ definitionId, version, stages, transitions, children }: FlowHeatProps) {
  const { t } = useTranslation('heat');
  const [on, setOn] = useState(false);
  const [period, setPeriod] = useState<AnalyticsPeriod>({ kind: 'last', days: 30 });
  const [custom, setCustom] = useState({ from: '', to: '' });
  const analytics = useStageAnalytics(definitionId, version, period, on);
  const chart = useRef<HTMLDivElement>(null);
  const [hovered, setHovered] = useState<Inspected | null>(null);
  const [pinned, setPinned] = useState<Inspected | null>(null);
  const periodId = useId();
  const down = useRef<{ x: number; y: number } | null>(null);

  const stageKeys = useMemo(() => stages.map((s) => s.key), [stages]);
  const heat = useMemo(
    () => (on && analytics.data ? flowHeat(analytics.data, stageKeys, transitions) : undefined),
    [on, analytics.data, stageKeys, transitions],
  );

  const onPointer = useCallback(
    (target: EventTarget | null) => {
      if (!heat) return;
      const at = inspectedAt(target, chart.current);
      setHovered((prev) => (at === null ? null : prev?.key === at.key ? prev : at));
    },
    [heat],
  );

  const choosePeriod = (value: string) => {
    if (value === 'custom') setPeriod({ kind: 'custom', ...custom });
    else setPeriod({ kind: 'last', days: Number(value) as PeriodPreset });
  };
  const setDay = (part: 'from' | 'to', day: string) => {
    const next = { ...custom, [part]: day };
    setCustom(next);
    setPeriod({ kind: 'custom', ...next });
  };

  const shown = heat ? (hovered ?? pinned) : null;
  const names = useMemo(() => new Map(stages.map((s) => [s.key, s.name])), [stages]);
  const stage = shown ? stages.find((s) => s.key === shown.key) : undefined;

  return (
    <div className={`flow-heat${on ? ' on' : ''}`} data-testid="flow-heat">
      <div className="flow-heat-bar">
        <label className="flow-heat-toggle">
          <input
            type="checkbox"
            checked={on}
            data-testid="heat-toggle"
            onChange={(e) => {
              setOn(e.target.checked);
              setHovered(null);
              setPinned(null);
            }}
          />
          {t('toggle')}
        </label>
        {on && (
          <>
            <label className="visually-hidden" htmlFor={periodId}>
              {t('period')}
            </label>
            <select
              id={periodId}
              data-testid="heat-period"
              value={period.kind === 'last' ? String(period.days) : 'custom'}
              onChange={(e) => choosePeriod(e.target.value)}
            >
              {PERIOD_PRESETS.map((days) => (
                <option key={days} value={days}>
                  {days === 365 ? t('periodYear') : t('periodLast', { count: days })}
                </option>
              ))}
              <option value="custom">{t('periodCustom')}</option>
            </select>
            {period.kind === 'custom' && (
              <span className="flow-heat-days">
                <DateField
                  value={custom.from}
                  onChange={(day) => setDay('from', day)}
                  aria-label={t('from')}
                  data-testid="heat-from"
                />
                –
                <DateField
                  value={custom.to}
                  onChange={(day) => setDay('to', day)}
                  aria-label={t('to')}
                  data-testid="heat-to"
                />
              </span>
            )}
          </>
        )}
      </div>
      {on && (
        <div className="flow-heat-status" aria-live="polite">
          {!periodReady(period) ? (
            <p className="muted small">{t('pickDays')}</p>
          ) : analytics.isError ? (
            <p className="error small" role="alert">
              {t('failed', { message: analytics.error.message })}
            </p>
          ) : !heat ? (
            <p className="muted small" aria-busy="true">
              {t('loading')}
            </p>
          ) : (
            <HeatLegend heat={heat} />
          )}
        </div>
      )}
      {/* Pointing, focusing and tapping are read off the chart's own stages, whatever draws them. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the stages inside are the focusable, clickable elements. */}
      <div
        className="flow-heat-chart"
        ref={chart}
        onMouseOver={(e) => onPointer(e.target)}
        onMouseLeave={() => setHovered(null)}
        onFocus={(e) => onPointer(e.target)}
        onBlur={() => setHovered(null)}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          setPinned(null);
          setHovered(null);
        }}
        // A tap or a click pins a stage's figures. Read from pointer events: the chart's panning
        // swallows the clicks that touches would make.
        onPointerDown={(e) => {
          down.current = { x: e.clientX, y: e.clientY };
        }}
        onPointerUp={(e) => {
          const from = down.current;
          down.current = null;
          if (!heat || !from || Math.hypot(e.clientX - from.x, e.clientY - from.y) > TAP_SLOP) return;
          if (e.target instanceof Element && e.target.closest('.flow-heat-details')) return;
          const at = inspectedAt(e.target, chart.current);
          setPinned(at);
          if (at === null) setHovered(null);
        }}
      >
        {children(heat)}
        {shown && stage && heat && (
          <StageHeatDetails
            stage={stage}
            stats={heat.stages[stage.key]?.stats}
            names={names}
            box={shown.box}
            container={chart.current}
            onClose={
              pinned
                ? () => {
                    setPinned(null);
                    setHovered(null);
                  }
                : undefined
            }
          />
        )}
      </div>
    </div>
  );
}
