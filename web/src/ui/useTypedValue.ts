import { type KeyboardEvent, startTransition, useCallback, useLayoutEffect, useRef, useState } from 'react';

/**
 * A text field over a value that is costly to change (a large draft whose every change redraws
 * lists, a chart and validation): the field shows each key at once, and the value is handed on in a
 * transition, a render React can interrupt for the next key. What the field shows follows the value
 * whenever it changes by other means (undo, redo, a restored draft); the values it sent itself, on
 * their way back, leave it as it is. `flush` hands the shown text on at once (leaving the field), so
 * a click that follows, on Save for one, sees it; so does `keyDown` before a shortcut (Ctrl or ⌘ with
 * a key: save, undo, redo), whose handler then sees every key typed.
 */
export function useTypedValue(
  value: string,
  onChange: (value: string) => void,
): {
  readonly shown: string;
  readonly change: (next: string) => void;
  readonly flush: () => void;
  readonly keyDown: (event: KeyboardEvent) => void;
} {
  const [shown, setShown] = useState(value);
  // Values sent and not yet seen back, oldest first.
  const sent = useRef<string[]>([]);
  useLayoutEffect(() => {
    // Keys typed faster than their renders arrive together (the newest sent value) or one by one.
    const at = sent.current.at(-1) === value ? sent.current.length - 1 : sent.current.indexOf(value);
    if (at >= 0) {
      sent.current = sent.current.slice(at + 1);
      return;
    }
    sent.current = [];
    setShown(value);
  }, [value]);
  const change = useCallback(
    (next: string) => {
      setShown(next);
      sent.current.push(next);
      startTransition(() => onChange(next));
    },
    [onChange],
  );
  const flush = useCallback(() => {
    const last = sent.current.at(-1);
    if (last === undefined || last === value) return;
    onChange(last);
  }, [onChange, value]);
  const keyDown = useCallback(
    (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey) flush();
    },
    [flush],
  );
  return { shown, change, flush, keyDown };
}
