import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { humanDuration } from './heat.ts';

export type { StageAnalytics } from './heat.ts';

/** How the overlay writes its figures in the reader's language: "2 d 4 h", "3 processes", "40 %". */
export function useHeatFormat() {
  const { t, i18n } = useTranslation('heat');
  return useMemo(() => {
    const locale = i18n.language === 'ru' ? 'ru-RU' : 'en-GB';
    const units = { d: t('unit.d'), h: t('unit.h'), min: t('unit.min'), s: t('unit.s') };
    const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
    return {
      duration: (ms: number) => humanDuration(ms, units),
      processes: (count: number) => t('processes', { count }),
      share: (value: number) => percent.format(value),
    };
  }, [t, i18n.language]);
}
