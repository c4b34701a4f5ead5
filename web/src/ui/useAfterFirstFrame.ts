import { startTransition, useEffect, useState } from 'react';

/**
 * False until the browser has painted the page once with `when` true, then true: for parts of a
 * large page that can follow its first frame (drawn in a render a key press may interrupt) rather
 * than make it later. With `when` false it is true at once, so small pages draw everything together.
 */
export function useAfterFirstFrame(when: boolean): boolean {
  const [shown, setShown] = useState(!when);
  useEffect(() => {
    if (shown) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The frame's callback runs before that frame is painted; a task queued from it, after.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => startTransition(() => setShown(true)), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [shown]);
  return shown;
}
