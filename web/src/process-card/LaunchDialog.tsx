import type { LinkType } from '../api/types.ts';

export interface LaunchDialogProps {
  open: boolean;
  onClose: () => void;
  /** Pre-filled when launched from a client card (or an order/project with a client). */
  counterpartyId?: string;
  /** Pre-filled links when launched from an order or project card. */
  links?: { type: LinkType; id: string }[];
}

/** Launch a process: type (published only), client, links, note → the new card opens. */
export function LaunchDialog(_props: LaunchDialogProps) {
  return null;
}

export function LaunchPage() {
  return <h1>Launch</h1>;
}
