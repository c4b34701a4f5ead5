/**
 * The stored text of a notification. The web app renders kinds in the reader's language from
 * `kind` and `details` (definition, stage, client or linked record, launcher, counts); this text is
 * the plain English fallback for API clients, naming the same who and what.
 */
export function notificationText(kind: string, details: Readonly<Record<string, unknown>>): string {
  const definition = quote(details.definitionName ?? 'a process');
  const stage = quote(details.stageName ?? details.stage ?? '');
  const about = subjectPhrase(details);
  const by = typeof details.initiatorName === 'string' ? ` (launched by ${details.initiatorName})` : '';
  switch (kind) {
    case 'process.launched':
      return `New process ${definition}${about}${by}: stage ${stage} is yours.`;
    case 'processes.launched': {
      const count = Number(details.count ?? 0);
      const from = typeof details.initiatorName === 'string' ? ` from ${details.initiatorName}` : '';
      return `${count} new ${definition} processes${from} are yours: stage ${stage}.`;
    }
    case 'stage.assigned':
      return `${definition}${about}${by}: stage ${stage} is yours.`;
    case 'responsible.changed':
      return `${definition}${about}${by}: you are now responsible for stage ${stage}.`;
    case 'responsible.returned':
      return `${definition}${about}${by}: stage ${stage} is yours again, back from your deputy.`;
    case 'stage.escalated': {
      const after = typeof details.after === 'string' ? ` after ${details.after}` : '';
      const working = details.working === true ? ' of working time' : '';
      return details.action === 'reassign'
        ? `${definition}${about}${by}: stage ${stage} was escalated to you${after}${working}.`
        : `${definition}${about}${by}: stage ${stage} is still unfinished${after}${working}.`;
    }
    case 'process.resumed':
      return `${definition}${about}${by} has resumed.`;
    case 'task.opened':
      return `New task ${quote(details.title ?? '')} in ${definition}${about}${by}.`;
    case 'access.granted': {
      const who = typeof details.actorName === 'string' ? details.actorName : 'Someone';
      const level = details.level === 'edit' ? 'edit' : 'view';
      return `${who} gave you ${level} access to ${definition}${about}${by}.`;
    }
    default:
      return `${definition}${about}: ${kind}.`;
  }
}

function quote(value: unknown): string {
  return `\u201c${String(value)}\u201d`;
}

/** " for “Acme”", " for order “A-17”", or nothing. */
function subjectPhrase(details: Readonly<Record<string, unknown>>): string {
  if (typeof details.counterpartyName === 'string') return ` for ${quote(details.counterpartyName)}`;
  const record = details.record as { type?: unknown; label?: unknown } | null | undefined;
  if (record && typeof record.label === 'string') return ` for ${String(record.type)} ${quote(record.label)}`;
  return '';
}
