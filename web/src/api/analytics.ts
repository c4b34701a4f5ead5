/** Stage analytics of a definition: how many went through each stage, how long they stayed, where they went. */
import { useQuery } from '@tanstack/react-query';
import { api, query } from './client.ts';
import type { StageAnalyticsAnswer } from './types.ts';

export type { StageAnalyticsAnswer };

/** The days a preset period looks back from now. */
export const PERIOD_PRESETS = [7, 30, 90, 365] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

/** The period the analytics count: the last N days, or calendar days from–to (both inclusive, "2026-12-01"). */
export type AnalyticsPeriod =
  | { readonly kind: 'last'; readonly days: PeriodPreset }
  | { readonly kind: 'custom'; readonly from: string; readonly to: string };

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The `from`/`to` of a period as ISO times: a preset counts back from `now`, a custom period runs
 * from the start of its first day to the end of its last, in the reader's own zone.
 */
export function periodBounds(period: AnalyticsPeriod, now: number): { from?: string; to?: string } {
  if (period.kind === 'last') return { from: new Date(now - period.days * DAY_MS).toISOString() };
  const bounds: { from?: string; to?: string } = {};
  const start = localDay(period.from);
  const end = localDay(period.to);
  if (start) bounds.from = start.toISOString();
  if (end) bounds.to = new Date(end.getFullYear(), end.getMonth(), end.getDate() + 1).toISOString();
  return bounds;
}

function localDay(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

export const analyticsKeys = {
  all: ['analytics'] as const,
  /** The analytics of one definition (one version, or all when `version` is undefined) over a period. */
  definition: (definitionId: string, version: number | undefined, period: AnalyticsPeriod) =>
    [
      ...analyticsKeys.all,
      definitionId,
      version ?? 'all',
      period.kind === 'last' ? `last-${period.days}` : `${period.from}..${period.to}`,
    ] as const,
};

export const analyticsPaths = {
  definition: (definitionId: string, params: { version?: number; from?: string; to?: string } = {}) =>
    `/api/definitions/${encodeURIComponent(definitionId)}/analytics${query(params)}`,
} as const;

export function fetchAnalytics(
  definitionId: string,
  version: number | undefined,
  period: AnalyticsPeriod,
): Promise<StageAnalyticsAnswer> {
  return api.get<StageAnalyticsAnswer>(
    analyticsPaths.definition(definitionId, { version, ...periodBounds(period, Date.now()) }),
  );
}

/** A custom period is asked for only once both of its days are set and in order. */
export function periodReady(period: AnalyticsPeriod): boolean {
  return period.kind === 'last' || (period.from !== '' && period.to !== '' && period.from <= period.to);
}

/** The analytics of a definition, fetched only while `enabled` (the overlay is on). */
export function useStageAnalytics(
  definitionId: string | undefined,
  version: number | undefined,
  period: AnalyticsPeriod,
  enabled: boolean,
) {
  return useQuery({
    queryKey: analyticsKeys.definition(definitionId ?? '', version, period),
    queryFn: () => fetchAnalytics(definitionId ?? '', version, period),
    enabled: enabled && definitionId !== undefined && periodReady(period),
    staleTime: 60_000,
    // Another period of the same definition keeps the chart coloured until its figures arrive.
    placeholderData: (previous, query) => (query?.queryKey[1] === definitionId ? previous : undefined),
  });
}
