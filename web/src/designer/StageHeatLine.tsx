import { useTranslation } from 'react-i18next';
import { formatNumber } from '../i18n/format.ts';
import type { StageHeat } from './heat.ts';
import { useHeatFormat } from './useHeatFormat.ts';

/** The colour a stage takes under the overlay (none without a median). */
export function stageHeatStyle(heat: StageHeat | undefined) {
  return heat?.fill ? { background: heat.fill, color: heat.text } : undefined;
}

/** On a stage under the overlay: its median time in stage and how many entered it, in figures. */
export function StageHeatLine({ heat }: { heat: StageHeat }) {
  const { t } = useTranslation('heat');
  const { duration } = useHeatFormat();
  const median = heat.stats?.medianMs;
  return (
    <div className="stage-heat-line" data-testid="stage-heat">
      <span>{median == null ? t('noMedian') : t('median', { duration: duration(median) })}</span>
      <span title={t('entered')}>↳ {formatNumber(heat.stats?.entered ?? 0)}</span>
    </div>
  );
}
