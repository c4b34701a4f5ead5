import { useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Stage } from '../api/types.ts';
import { formatNumber } from '../i18n/format.ts';
import { type StageAnalytics, useHeatFormat } from './useHeatFormat.ts';

export interface StageHeatDetailsProps {
  stage: Stage;
  stats: StageAnalytics | undefined;
  /** Stage names by key, for where each result leads. */
  names: ReadonlyMap<string, string>;
  /** The stage's box relative to the chart: the figures open beside it. */
  box: { left: number; top: number; right: number; bottom: number };
  container: HTMLElement | null;
  /** Set when the figures were opened by a tap or a click: they stay until closed. */
  onClose?: (() => void) | undefined;
}

const GAP = 8;
/** Narrower charts (phones) show the figures across their foot. */
const DOCK_BELOW = 560;

/**
 * The figures of one stage: entered, completed, now in it, median and 90th percentile of the time
 * in it, and how many left by each result. Beside the stage on a wide chart, under the chart on a
 * narrow one.
 */
export function StageHeatDetails({ stage, stats, names, box, container, onClose }: StageHeatDetailsProps) {
  const { t } = useTranslation('heat');
  const { duration, processes, share } = useHeatFormat();
  const self = useRef<HTMLDivElement>(null);
  const docked = (container?.clientWidth ?? 0) < DOCK_BELOW;
  const [place, setPlace] = useState<{ left: number; top: number } | null>(null);

  useLayoutEffect(() => {
    const el = self.current;
    if (!el || !container || docked) return;
    const width = container.clientWidth;
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    const left = box.right + GAP + w <= width ? box.right + GAP : Math.max(GAP, box.left - GAP - w);
    const top = Math.min(Math.max(GAP, box.top), Math.max(GAP, container.clientHeight - h - GAP));
    setPlace({ left, top });
  }, [box, container, docked]);

  return (
    <div
      ref={self}
      className={`flow-heat-details${docked ? ' docked' : ''}`}
      style={docked ? undefined : place ? { left: place.left, top: place.top } : { visibility: 'hidden' }}
      role="dialog"
      aria-label={t('details', { stage: stage.name })}
      data-testid="heat-details"
      data-stage={stage.key}
    >
      <div className="flow-heat-details-head">
        <strong>{stage.name}</strong>
        {onClose && (
          <button type="button" className="flow-heat-close" aria-label={t('close')} onClick={onClose}>
            ×
          </button>
        )}
      </div>
      <dl>
        <dt>{t('entered')}</dt>
        <dd data-testid="heat-entered">{formatNumber(stats?.entered ?? 0)}</dd>
        <dt>{t('completed')}</dt>
        <dd data-testid="heat-completed">{formatNumber(stats?.completed ?? 0)}</dd>
        <dt>{t('now')}</dt>
        <dd data-testid="heat-now">{formatNumber(stats?.now ?? 0)}</dd>
        <dt>{t('medianLabel')}</dt>
        <dd data-testid="heat-median">{stats?.medianMs == null ? '—' : duration(stats.medianMs)}</dd>
        <dt>{t('p90Label')}</dt>
        <dd data-testid="heat-p90">{stats?.p90Ms == null ? '—' : duration(stats.p90Ms)}</dd>
        <dt>{t('workingMedianLabel')}</dt>
        <dd data-testid="heat-working-median">
          {stats?.workingMedianMs == null ? '—' : duration(stats.workingMedianMs)}
        </dd>
      </dl>
      {stats && stats.results.length > 0 && (
        <>
          <div className="flow-heat-details-sub">{t('results')}</div>
          <ul data-testid="heat-results">
            {stats.results.map((r) => (
              <li key={`${r.result}->${r.to}`}>
                {t('resultLine', {
                  result: r.result,
                  to: names.get(r.to) ?? r.to,
                  processes: processes(r.count),
                  share: share(r.share),
                })}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
