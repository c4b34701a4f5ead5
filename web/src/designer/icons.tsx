/**
 * Small line icons for the flowchart and the stage list, drawn as SVG so they look the same on
 * every system (emoji fonts vary). Decorative: the element around them carries the label.
 */
import type { ReactNode } from 'react';

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

export const ClockIcon = () => (
  <Icon>
    <circle cx="8" cy="9" r="5.5" />
    <path d="M8 6v3l2 1.5M6.5 1.5h3" />
  </Icon>
);

export const TaskIcon = () => (
  <Icon>
    <rect x="2.5" y="2.5" width="11" height="11" rx="2" />
    <path d="M5.5 8l2 2 3-4" />
  </Icon>
);

export const LockIcon = () => (
  <Icon>
    <rect x="3" y="7" width="10" height="7" rx="1.5" />
    <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" />
  </Icon>
);

export const PhoneIcon = () => (
  <Icon>
    <path d="M3 2.5h3l1 3-1.5 1a8 8 0 0 0 4 4l1-1.5 3 1v3a1 1 0 0 1-1 1A11 11 0 0 1 2 3.5a1 1 0 0 1 1-1z" />
  </Icon>
);

export const MeetingIcon = () => (
  <Icon>
    <circle cx="5.5" cy="5.5" r="2" />
    <circle cx="11" cy="5.5" r="2" />
    <path d="M1.5 13c.5-2.5 2-3.5 4-3.5s3.5 1 4 3.5M9.5 9.6c.4-.1.9-.1 1.5-.1 2 0 3.5 1 4 3.5" />
  </Icon>
);

export const LetterIcon = () => (
  <Icon>
    <rect x="1.5" y="3.5" width="13" height="9" rx="1.5" />
    <path d="M2 4.5l6 4.5 6-4.5" />
  </Icon>
);

export const NoteIcon = () => (
  <Icon>
    <path d="M3 1.5h7l3 3v10H3z" />
    <path d="M5.5 7.5h5M5.5 10.5h5" />
  </Icon>
);

export const EventIcon = () => (
  <Icon>
    <rect x="2" y="3" width="12" height="11" rx="1.5" />
    <path d="M2 6.5h12M5 1.5v3M11 1.5v3" />
  </Icon>
);

export const SpawnIcon = () => (
  <Icon>
    <rect x="1.5" y="5.5" width="6" height="5" rx="1" />
    <rect x="10" y="1.5" width="4.5" height="4" rx="1" />
    <rect x="10" y="10.5" width="4.5" height="4" rx="1" />
    <path d="M7.5 8h1.3M8.8 3.5v9M8.8 3.5H10M8.8 12.5H10" />
  </Icon>
);

export const PersonIcon = () => (
  <Icon>
    <circle cx="8" cy="5" r="2.5" />
    <path d="M3 14c.6-3 2.5-4.5 5-4.5s4.4 1.5 5 4.5" />
  </Icon>
);

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
