/** How a stage's state reads: "In progress", or "Waiting until …" / "Paused until …" when it sleeps. */
import type { TFunction } from 'i18next';
import type { ProcessStatus, StageState } from '../api/types.ts';
import { formatDateTime } from '../i18n/format.ts';

export interface StageStateOf {
  readonly status: ProcessStatus;
  readonly pausedUntil: string | null;
  readonly stage: { readonly state: StageState; readonly waitingUntil?: string | null | undefined };
}

export function stageStateLabel(t: TFunction, p: StageStateOf): { label: string; className: string } {
  if (p.status === 'paused' && p.pausedUntil) {
    return {
      label: t('common:pausedUntil', { time: formatDateTime(p.pausedUntil) }),
      className: 'paused',
    };
  }
  if (p.status === 'active' && p.stage.waitingUntil) {
    return {
      label: t('common:waitingUntil', { time: formatDateTime(p.stage.waitingUntil) }),
      className: 'waiting',
    };
  }
  return { label: t(`common:state.${p.stage.state}`), className: p.stage.state };
}
