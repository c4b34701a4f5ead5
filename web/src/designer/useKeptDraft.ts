import { useCallback, useEffect, useRef, useState } from 'react';
import { type CommandStack, isDirty } from './command-stack.ts';
import type { DesignerState } from './commands.ts';

/** Unsaved changes kept from an earlier visit to the editor. */
export interface KeptDraft {
  readonly state: DesignerState;
  /** When they were kept (ms). */
  readonly at: number;
}

const PREFIX = 'stageflow.designer.unsaved.';

function read(id: string, current: DesignerState): KeptDraft | null {
  try {
    const raw = sessionStorage.getItem(PREFIX + id);
    if (!raw) return null;
    const kept = JSON.parse(raw) as KeptDraft;
    const valid =
      typeof kept.at === 'number' &&
      typeof kept.state?.name === 'string' &&
      Array.isArray(kept.state.stages) &&
      Array.isArray(kept.state.transitions);
    if (!valid || JSON.stringify(kept.state) === JSON.stringify(current)) {
      sessionStorage.removeItem(PREFIX + id);
      return null;
    }
    return kept;
  } catch {
    return null;
  }
}

function write(id: string, state: DesignerState): void {
  try {
    sessionStorage.setItem(PREFIX + id, JSON.stringify({ state, at: Date.now() }));
  } catch {
    // Storage full or unavailable: the leave prompt is the only safety net then.
  }
}

function forget(id: string): void {
  try {
    sessionStorage.removeItem(PREFIX + id);
  } catch {
    // nothing kept
  }
}

/**
 * A safety net for ways out the leave prompt cannot stop (the browser's Back button, a click on a
 * notification, closing the tab anyway): unsaved changes are kept in this tab's session storage
 * when the editor goes away, and offered back the next time the definition is opened.
 */
export function useKeptDraft(id: string, stack: CommandStack, initial: DesignerState) {
  const [kept, setKept] = useState(() => read(id, initial));
  const latest = useRef(stack);
  latest.current = stack;
  const discarding = useRef(false);

  useEffect(() => {
    const keep = () => {
      if (isDirty(latest.current) && !discarding.current) write(id, latest.current.state);
    };
    window.addEventListener('pagehide', keep);
    return () => {
      window.removeEventListener('pagehide', keep);
      keep();
    };
  }, [id]);

  const dismiss = useCallback(() => {
    forget(id);
    setKept(null);
  }, [id]);
  /** The user chose to leave without saving: keep nothing. */
  const discardOnLeave = useCallback(() => {
    discarding.current = true;
    forget(id);
  }, [id]);
  /** Saved: nothing to keep. */
  const saved = useCallback(() => forget(id), [id]);

  return { kept, dismiss, discardOnLeave, saved };
}
