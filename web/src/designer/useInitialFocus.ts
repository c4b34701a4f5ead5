import { useEffect, useRef } from 'react';

/**
 * Focuses (and selects) a dialog's main field once the dialog has opened. The native dialog moves
 * focus to its first control when shown, so this waits a frame for that to happen first.
 */
export function useInitialFocus<T extends HTMLInputElement | HTMLTextAreaElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    const frame = requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.select();
    });
    return () => cancelAnimationFrame(frame);
  }, []);
  return ref;
}
