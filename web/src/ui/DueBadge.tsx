/** A stage's deadline as a badge: neutral, amber when due soon, red when overdue. */
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../i18n/format.ts';

/** Within this much of its deadline a stage is "due soon". */
const SOON_MS = 4 * 3_600_000;

export function DueBadge({
  dueAt,
  overdue,
  testId = 'due-badge',
}: {
  dueAt: string | null | undefined;
  overdue: boolean;
  testId?: string;
}) {
  const { t } = useTranslation('common');
  if (!dueAt) return null;
  const soon = !overdue && Date.parse(dueAt) - Date.now() < SOON_MS;
  const state = overdue ? 'overdue' : soon ? 'due-soon' : 'due';
  return (
    <span className={`pill ${state}`} data-testid={testId} data-state={state}>
      {t(overdue ? 'due.overdue' : 'due.by', { time: formatDateTime(dueAt) })}
    </span>
  );
}
