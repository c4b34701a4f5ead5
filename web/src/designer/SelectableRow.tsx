import { type LiHTMLAttributes, useEffect, useRef } from 'react';

/** A row of a designer list, marked `selected` and scrolled into view whenever it becomes the selected one. */
export function SelectableRow({
  selected,
  className,
  ...li
}: { selected: boolean; className: string } & Omit<LiHTMLAttributes<HTMLLIElement>, 'className'>) {
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (selected) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  return <li ref={ref} className={`${className}${selected ? ' selected' : ''}`} {...li} />;
}
