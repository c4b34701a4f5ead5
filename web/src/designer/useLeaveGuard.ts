import { useCallback, useEffect, useRef, useState } from 'react';
import type { NavigateFunction } from 'react-router';

/**
 * Asks before unsaved changes are lost. Closing or reloading the tab gets the browser's own prompt
 * (beforeunload). In-app links are intercepted before the router sees the click (this app uses
 * BrowserRouter, where react-router's useBlocker is not available): the caller shows a dialog for
 * `pending`, then calls `leave()` or `stay()`. `navigate` is the router's, taken where it is not
 * drawn again at every key (react-router's `useNavigate` does some work at every render).
 */
export function useLeaveGuard(dirty: boolean, navigate: NavigateFunction) {
  const [pending, setPending] = useState<string | null>(null);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!dirtyRef.current) return;
      e.preventDefault();
      e.returnValue = '';
    };
    const onClick = (e: MouseEvent) => {
      if (!dirtyRef.current || e.defaultPrevented || e.button !== 0) return;
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return; // opens elsewhere: nothing is lost
      const anchor = e.target instanceof Element ? e.target.closest('a[href]') : null;
      if (!(anchor instanceof HTMLAnchorElement) || (anchor.target && anchor.target !== '_self')) return;
      if (anchor.hasAttribute('download')) return;
      const url = new URL(anchor.href, window.location.href);
      if (url.origin !== window.location.origin) return;
      const here = window.location;
      if (url.pathname === here.pathname && url.search === here.search) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      setPending(url.pathname + url.search + url.hash);
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    // Capture on window runs before React's own listener on the root, so the router never navigates.
    window.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      window.removeEventListener('click', onClick, true);
    };
  }, []);

  const stay = useCallback(() => setPending(null), []);
  const leave = useCallback(() => {
    const to = pending;
    setPending(null);
    if (to) navigate(to);
  }, [pending, navigate]);

  return { pending, stay, leave };
}
