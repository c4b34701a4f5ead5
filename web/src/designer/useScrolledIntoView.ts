import { useEffect, useRef } from 'react';

/** A ref for a list row that scrolls itself into view whenever it becomes the selected one. */
export function useScrolledIntoView<T extends HTMLElement>(selected: boolean) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (selected) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  return ref;
}
