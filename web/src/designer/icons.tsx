/**
 * Small line icons for the flowchart and the stage list, drawn as SVG so they look the same on
 * every system (emoji fonts vary). Decorative: the element around them carries the label.
 */
import { Children, type ReactElement, type ReactNode } from 'react';

function Icon({ children }: { children: ReactNode }) {
  return (
    <svg
      className="designer-icon"
      viewBox="0 0 16 16"
      width="14"
      height="14"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {children}
    </svg>
  );
}

const circle = (cx: number, cy: number, r: number) => <circle cx={cx} cy={cy} r={r} />;
const rect = (x: number, y: number, width: number, height: number, rx: number) => (
  <rect x={x} y={y} width={width} height={height} rx={rx} />
);

/** An icon drawn from its shapes; a string is the outline of a path. */
function icon(...shapes: (ReactElement | string)[]) {
  const drawn = Children.toArray(shapes.map((s) => (typeof s === 'string' ? <path key={s} d={s} /> : s)));
  return () => <Icon>{drawn}</Icon>;
}

export const ClockIcon = icon(circle(8, 9, 5.5), 'M8 6v3l2 1.5M6.5 1.5h3');
export const TaskIcon = icon(rect(2.5, 2.5, 11, 11, 2), 'M5.5 8l2 2 3-4');
export const LockIcon = icon(rect(3, 7, 10, 7, 1.5), 'M5.5 7V5a2.5 2.5 0 0 1 5 0v2');
export const PhoneIcon = icon(
  'M3 2.5h3l1 3-1.5 1a8 8 0 0 0 4 4l1-1.5 3 1v3a1 1 0 0 1-1 1A11 11 0 0 1 2 3.5a1 1 0 0 1 1-1z',
);
export const MeetingIcon = icon(
  circle(5.5, 5.5, 2),
  circle(11, 5.5, 2),
  'M1.5 13c.5-2.5 2-3.5 4-3.5s3.5 1 4 3.5M9.5 9.6c.4-.1.9-.1 1.5-.1 2 0 3.5 1 4 3.5',
);
export const LetterIcon = icon(rect(1.5, 3.5, 13, 9, 1.5), 'M2 4.5l6 4.5 6-4.5');
export const NoteIcon = icon('M3 1.5h7l3 3v10H3z', 'M5.5 7.5h5M5.5 10.5h5');
export const EventIcon = icon(rect(2, 3, 12, 11, 1.5), 'M2 6.5h12M5 1.5v3M11 1.5v3');
export const SpawnIcon = icon(
  rect(1.5, 5.5, 6, 5, 1),
  rect(10, 1.5, 4.5, 4, 1),
  rect(10, 10.5, 4.5, 4, 1),
  'M7.5 8h1.3M8.8 3.5v9M8.8 3.5H10M8.8 12.5H10',
);
export const PersonIcon = icon(circle(8, 5, 2.5), 'M3 14c.6-3 2.5-4.5 5-4.5s4.4 1.5 5 4.5');

/** The icon of an event type; unknown types get the generic calendar. */
export function EventTypeIcon({ type }: { type: string }) {
  switch (type) {
    case 'call':
      return <PhoneIcon />;
    case 'meeting':
      return <MeetingIcon />;
    case 'letter':
      return <LetterIcon />;
    case 'note':
      return <NoteIcon />;
    default:
      return <EventIcon />;
  }
}
