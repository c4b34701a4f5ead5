/** The journal rows chosen for a bulk action: some rows by hand, or every process the filter matches. */
import { useCallback, useState } from 'react';
import type { ProcessSummary } from '../api/types.ts';

export interface BulkSelection {
  /** The rows ticked by hand, by id. */
  readonly picked: ReadonlyMap<string, ProcessSummary>;
  /** Every process the current filter matches, shown or not. */
  readonly allMatching: boolean;
}

const NONE: BulkSelection = { picked: new Map(), allMatching: false };

/** A selection that empties itself when `scope` (the filters) changes. */
export function useBulkSelection(scope: string) {
  const [state, setState] = useState({ scope, selection: NONE });
  if (state.scope !== scope) setState({ scope, selection: NONE });
  const selection = state.scope === scope ? state.selection : NONE;

  const change = useCallback((rows: readonly ProcessSummary[], on: boolean) => {
    setState((prev) => {
      const picked = new Map(prev.selection.picked);
      for (const row of rows) {
        if (on) picked.set(row.id, row);
        else picked.delete(row.id);
      }
      return { ...prev, selection: { picked, allMatching: false } };
    });
  }, []);
  const selectAllMatching = useCallback(() => {
    setState((prev) => ({ ...prev, selection: { ...prev.selection, allMatching: true } }));
  }, []);
  const clear = useCallback(() => setState((prev) => ({ ...prev, selection: NONE })), []);
  return { selection, change, selectAllMatching, clear };
}
