/** The journal's filters, kept in the URL query so a refresh or a shared link keeps them. */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { JOURNAL_SORTS, type JournalSort } from '../../../src/domain/journal.ts';
import type { ProcessStatus } from '../api/types.ts';

export const STATUSES: readonly ProcessStatus[] = ['active', 'paused', 'completed', 'cancelled'];
export const SORTS = JOURNAL_SORTS;
export type { JournalSort };

/** Sorted by deadline, the journal lists only the processes whose current stage has one. */
export const byDeadline = (f: Pick<JournalFilters, 'sort'>): boolean =>
  f.sort === 'dueAt' || f.sort === '-dueAt';

/** A time after every deadline: `dueBefore` it keeps the processes that have one. */
const ANY_DEADLINE = '9999-12-31T23:59:59.999Z';

export interface JournalFilters {
  readonly status: readonly ProcessStatus[];
  readonly definitionId: string;
  readonly stageKey: string;
  readonly responsibleId: string;
  readonly counterpartyId: string;
  readonly initiatorId: string;
  /** Launched on or after this day (YYYY-MM-DD, the reader's calendar). */
  readonly from: string;
  /** Launched on or before this day. */
  readonly to: string;
  readonly mine: boolean;
  readonly overdue: boolean;
  readonly q: string;
  readonly sort: JournalSort;
}

const TEXT_KEYS = [
  'definitionId',
  'stageKey',
  'responsibleId',
  'counterpartyId',
  'initiatorId',
  'from',
  'to',
  'q',
] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function parse(params: URLSearchParams): JournalFilters {
  const status = (params.get('status') ?? '')
    .split(',')
    .filter((s): s is ProcessStatus => (STATUSES as readonly string[]).includes(s));
  const sort = params.get('sort');
  const day = (key: string) => {
    const v = params.get(key) ?? '';
    return DAY.test(v) ? v : '';
  };
  return {
    status,
    definitionId: params.get('definitionId') ?? '',
    stageKey: params.get('stageKey') ?? '',
    responsibleId: params.get('responsibleId') ?? '',
    counterpartyId: params.get('counterpartyId') ?? '',
    initiatorId: params.get('initiatorId') ?? '',
    from: day('from'),
    to: day('to'),
    mine: params.get('mine') === '1',
    overdue: params.get('overdue') === '1',
    q: params.get('q') ?? '',
    sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as JournalSort) : '-updatedAt',
  };
}

function serialize(f: JournalFilters): URLSearchParams {
  const out = new URLSearchParams();
  if (f.status.length > 0) out.set('status', f.status.join(','));
  for (const key of TEXT_KEYS) if (f[key]) out.set(key, f[key]);
  if (f.mine) out.set('mine', '1');
  if (f.overdue) out.set('overdue', '1');
  if (f.sort !== '-updatedAt') out.set('sort', f.sort);
  return out;
}

/** True when any filter, or the deadline order (see byDeadline), narrows the list. */
export function isFiltered(f: JournalFilters): boolean {
  return f.status.length > 0 || f.mine || f.overdue || byDeadline(f) || TEXT_KEYS.some((k) => f[k] !== '');
}

/** The filters as `GET /api/processes` (and `/counts`) query parameters. */
export function apiParams(f: JournalFilters, withStatus = true): Record<string, string | undefined> {
  return {
    status: withStatus && f.status.length > 0 ? f.status.join(',') : undefined,
    definitionId: f.definitionId || undefined,
    stageKey: f.stageKey || undefined,
    responsibleId: f.responsibleId || undefined,
    counterpartyId: f.counterpartyId || undefined,
    initiatorId: f.initiatorId || undefined,
    startedFrom: f.from ? new Date(`${f.from}T00:00:00`).toISOString() : undefined,
    startedTo: f.to ? new Date(`${f.to}T23:59:59.999`).toISOString() : undefined,
    mine: f.mine ? 'true' : undefined,
    overdue: f.overdue ? 'true' : undefined,
    q: f.q.trim() || undefined,
    // The counts and "all matching" then cover exactly the processes the deadline order lists.
    dueBefore: byDeadline(f) ? ANY_DEADLINE : undefined,
  };
}

/** The filters from the URL, and a way to change some of them (history entries replaced, not stacked). */
export function useJournalFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parse(params), [params]);
  const update = useCallback(
    (patch: Partial<JournalFilters>) => {
      setParams((prev) => serialize({ ...parse(prev), ...patch }), { replace: true });
    },
    [setParams],
  );
  const clear = useCallback(() => {
    setParams(
      (prev) => {
        const sort = parse(prev).sort;
        // The deadline order narrows the list like a filter, so it goes too.
        return sort === '-updatedAt' || byDeadline({ sort })
          ? new URLSearchParams()
          : new URLSearchParams({ sort });
      },
      { replace: true },
    );
  }, [setParams]);
  return { filters, update, clear };
}
