import { useTranslation } from 'react-i18next';
import { EDGE_MAX_WIDTH, EDGE_MIN_WIDTH, type FlowHeat, HEAT_STOPS } from '../designer/heat.ts';
import { useHeatFormat } from '../designer/useHeatFormat.ts';

/**
 * The key of the bottleneck overlay: the colour scale from the shortest median to the longest
 * (written out, not only coloured), the "no data" fill, and what an arrow's width means.
 */
export function HeatLegend({ heat }: { heat: FlowHeat }) {
  const { t } = useTranslation('heat');
  const { duration, processes } = useHeatFormat();
  const gradient = `linear-gradient(to right, ${HEAT_STOPS.join(', ')})`;
  if (!heat.scale && heat.maxCount === 0)
    return (
      <p className="muted small" data-testid="heat-legend">
        {t('empty')}
      </p>
    );
  return (
    <div className="heat-legend small" data-testid="heat-legend">
      <span className="heat-legend-title">{t('legend')}:</span>
      <span className="heat-legend-scale">
        <span data-testid="heat-legend-min">{heat.scale ? duration(heat.scale.min) : '—'}</span>
        <span className="heat-legend-bar" style={{ background: gradient }} aria-hidden="true" />
        <span data-testid="heat-legend-max">{heat.scale ? duration(heat.scale.max) : '—'}</span>
      </span>
      <span className="heat-legend-none">
        <span className="heat-legend-swatch" aria-hidden="true" />
        {t('legendNone')}
      </span>
      <span className="heat-legend-edges">
        <svg width="44" height="14" aria-hidden="true">
          <line x1="2" y1="4" x2="42" y2="4" stroke="#8a94a6" strokeWidth={EDGE_MIN_WIDTH} />
          <line x1="2" y1="10" x2="42" y2="10" stroke="#8a94a6" strokeWidth={EDGE_MAX_WIDTH / 2} />
        </svg>
        {t('legendEdges', { processes: processes(heat.maxCount) })}
      </span>
      <span className="muted heat-legend-hint">{t('hint')}</span>
    </div>
  );
}
