/**
 * The stored text of a notification. The web app renders kinds in the reader's language from
 * `kind` and `details`; this text is the plain fallback for API clients.
 */
export function notificationText(kind: string, details: Readonly<Record<string, unknown>>): string {
  const definition = String(details.definitionName ?? 'a process');
  const stage = String(details.stageName ?? details.stage ?? '');
  switch (kind) {
    case 'process.launched':
      return `New process "${definition}": stage "${stage}" is yours.`;
    case 'stage.assigned':
      return `"${definition}": stage "${stage}" is yours.`;
    case 'responsible.changed':
      return `"${definition}": you are now responsible for the current stage.`;
    case 'process.resumed':
      return `"${definition}" has resumed.`;
    case 'task.opened':
      return `New task "${String(details.title ?? '')}" in "${definition}".`;
    default:
      return `"${definition}": ${kind}.`;
  }
}
