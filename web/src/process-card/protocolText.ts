/** The protocol as sentences a person reads, in the chosen language. */
import type { TFunction } from 'i18next';
import type { ProtocolEntry } from '../api/types.ts';
import { formatBytes, formatDateTime } from '../i18n/format.ts';
import { formatDuration } from './formatDuration.ts';

export interface ProtocolNames {
  readonly stage: (key: string) => string;
  readonly employee: (id: string) => string;
  readonly link: (type: string, id: string) => string;
  /** A process definition's name. */
  readonly definition: (id: string) => string;
  /** Another process (a child or the parent), by what people know it as, never its raw id. */
  readonly process: (id: string) => string;
}

/** A note quoted in a sentence: on one line, and shortened when long. */
export function quoteNote(note: string): string {
  const line = note.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
const time = (v: unknown): string => {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isNaN(ms) ? str(v) || '—' : formatDateTime(new Date(ms).toISOString());
};

/** One sentence for one protocol entry: who did what. */
export function describeEntry(t: TFunction, entry: ProtocolEntry, names: ProtocolNames): string {
  const d = entry.details;
  const actor = entry.actor?.name || t('card:protocol.system');
  const stage = names.stage(str(d.stage));
  const person = (v: unknown) =>
    typeof v === 'string' && v !== '' ? names.employee(v) : t('card:protocol.nobody');
  const p = `card:protocol.actions.`;
  // "Vera Smirnova, acting for Boris Ivanov" when a deputy holds the stage.
  const acting = (who: unknown, actingFor: unknown) =>
    typeof actingFor === 'string' && actingFor !== ''
      ? t('card:protocol.actingFor', { deputy: person(who), employee: person(actingFor) })
      : person(who);
  switch (entry.action) {
    case 'process.launched':
      return t(d.parentId ? `${p}launchedChild` : `${p}launched`, { actor });
    case 'stage.entered': {
      if (d.routing === 'awaiting_online')
        return t(`${p}stageWaitsOnline`, { stage, until: time(d.waitingUntil) });
      const routing = t(`card:protocol.routing.${str(d.routing) || 'none'}`, { defaultValue: '' });
      return t(routing ? `${p}stageEntered` : `${p}stageEnteredPlain`, {
        stage,
        responsible: acting(d.responsibleId, d.actingForId),
        routing,
      });
    }
    case 'stage.routed':
      return t(`${p}stageRouted`, {
        stage,
        responsible: acting(d.to, d.actingForId),
        routing: t(`card:protocol.routing.${str(d.routing)}`, { defaultValue: str(d.routing) }),
      });
    case 'stage.escalated': {
      const duration = formatDuration(str(d.after));
      const after = d.working ? t('card:protocol.workingTime', { duration }) : duration;
      if (d.to === 'admins') return t(`${p}escalatedAdmins`, { stage, after });
      if (d.to === null || d.to === undefined) return t(`${p}escalatedNobody`, { stage, after });
      const to = acting(d.to, d.actingForId);
      return t(d.action === 'reassign' ? `${p}escalatedReassign` : `${p}escalatedNotify`, {
        stage,
        after,
        to,
      });
    }
    case 'responsible.deputized':
      return t(`${p}deputized`, { stage, to: person(d.to), from: person(d.actingForId ?? d.from) });
    case 'responsible.returned':
      return t(`${p}returned`, { stage, to: person(d.to), from: person(d.from) });
    case 'stage.started':
      return t(d.passedThrough ? `${p}stageStartedPassing` : `${p}stageStarted`, { actor, stage });
    case 'stage.finished':
      return t(`${p}stageFinished`, { actor, stage, result: str(d.result) });
    case 'transition':
      return t(`${p}transition`, {
        from: names.stage(str(d.from)),
        to: names.stage(str(d.to)),
        result: str(d.result),
      });
    case 'wait.started':
      return t(`${p}waitStarted`, { stage, duration: formatDuration(str(d.wait)), until: time(d.until) });
    case 'wait.elapsed':
      return t(`${p}waitElapsed`, { stage, duration: formatDuration(str(d.wait)) });
    case 'process.completed':
      return t(`${p}completed`, { stage });
    case 'note.changed': {
      const after = quoteNote(str(d.note));
      const before = quoteNote(str(d.previous));
      if (after === '') return t(before ? `${p}noteCleared` : `${p}noteChangedPlain`, { actor, before });
      return t(before ? `${p}noteChanged` : `${p}noteSet`, { actor, before, after });
    }
    case 'responsible.changed':
      // Reassigning a stage to oneself is taking it over.
      if (entry.actor && d.to === entry.actor.id && d.from)
        return t(`${p}tookOver`, { actor, stage, from: person(d.from) });
      return t(`${p}responsibleChanged`, { actor, stage, from: person(d.from), to: person(d.to) });
    case 'process.paused':
      return t(`${p}paused`, { actor, until: time(d.until) });
    case 'process.resumed':
      return d.automatic ? t(`${p}resumedAutomatically`) : t(`${p}resumed`, { actor });
    case 'process.cancelled':
      return t(`${p}cancelled`, { actor, stage });
    case 'task.created':
      return t(d.blocking ? `${p}taskCreatedBlocking` : `${p}taskCreated`, {
        title: str(d.title),
        assignee: person(d.assigneeId),
      });
    case 'task.opened':
      return t(`${p}taskOpened`, { title: str(d.title) });
    case 'task.completed':
      return t(`${p}taskCompleted`, { actor, title: str(d.title) });
    case 'task.reassigned':
      return t(`${p}taskReassigned`, { from: person(d.from), to: person(d.to) });
    case 'event.created': {
      const type = t(`card:events.types.${str(d.type)}`, { defaultValue: str(d.type) });
      return d.comment
        ? t(`${p}eventCreatedComment`, { type, comment: str(d.comment) })
        : t(`${p}eventCreated`, { type });
    }
    case 'child.spawned':
      return t(`${p}childSpawned`, {
        stage: str(d.stageName) || stage,
        child: d.definitionId ? names.definition(str(d.definitionId)) : names.process(str(d.childId)),
      });
    case 'link.added':
      return t(`${p}linkAdded`, {
        actor,
        type: t(`card:links.types.${str(d.type)}`, { defaultValue: str(d.type) }),
        label: names.link(str(d.type), str(d.id)),
      });
    case 'link.removed':
      return t(`${p}linkRemoved`, {
        actor,
        type: t(`card:links.types.${str(d.type)}`, { defaultValue: str(d.type) }),
        label: names.link(str(d.type), str(d.id)),
      });
    case 'attachment.added':
      return t(`${p}attachmentAdded`, {
        actor,
        name: str(d.name),
        size: typeof d.size === 'number' ? formatBytes(d.size) : '',
      });
    case 'attachment.removed':
      return t(`${p}attachmentRemoved`, { actor, name: str(d.name) });
    case 'access.changed':
      return t(`${p}accessChanged`, { actor });
    case 'process.migrated': {
      const move = {
        actor,
        fromVersion: str(d.fromVersion),
        toVersion: str(d.toVersion),
        from: str(d.fromName) || str(d.from),
        to: str(d.toName) || str(d.to),
      };
      const said = d.from === d.to ? t(`${p}migratedSameStage`, move) : t(`${p}migrated`, move);
      return d.reason ? t(`${p}withReason`, { sentence: said, reason: quoteNote(str(d.reason)) }) : said;
    }
    case 'reason.given':
      return t(`${p}reasonGiven`, {
        actor,
        what: t(`card:protocol.reasonFor.${str(d.for)}`, { defaultValue: str(d.for) }),
        reason: quoteNote(str(d.reason)),
      });
    default:
      return t(`${p}other`, { actor, action: entry.action });
  }
}

/** Internal ids that mean nothing to a reader (the entry's sentence already names the thing). */
const HIDDEN_IDS = new Set(['taskId', 'eventId', 'attachmentId']);

/** The details worth unfolding, as label/value pairs with ids turned into names. */
export function entryDetails(t: TFunction, entry: ProtocolEntry, names: ProtocolNames): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(entry.details)) {
    if (value === null || value === undefined || value === '') continue;
    let text: string;
    if (key === 'stage' || key === 'from' || key === 'to') {
      text =
        entry.action === 'responsible.changed' ||
        entry.action === 'task.reassigned' ||
        entry.action === 'stage.escalated' ||
        entry.action === 'stage.routed' ||
        entry.action === 'responsible.deputized' ||
        entry.action === 'responsible.returned'
          ? names.employee(str(value))
          : names.stage(str(value));
    } else if (HIDDEN_IDS.has(key)) {
      continue;
    } else if ((key === 'parentId' || key === 'childId') && typeof value === 'string') {
      text = names.process(value);
    } else if (key === 'definitionId' && typeof value === 'string') {
      text = names.definition(value);
    } else if (key === 'id' && typeof value === 'string' && typeof entry.details.type === 'string') {
      text = names.link(entry.details.type, value);
    } else if (key.endsWith('Id') && typeof value === 'string') {
      text = key === 'responsibleId' || key === 'assigneeId' ? names.employee(value) : value;
    } else if (key === 'until' || key === 'startsAt' || key === 'dueAt') {
      // ISO strings (epoch milliseconds in protocols written before that was settled).
      text = time(value);
    } else if (key === 'for' && entry.action === 'reason.given') {
      text = t(`card:protocol.reasonFor.${str(value)}`, { defaultValue: str(value) });
    } else if (key === 'size' && typeof value === 'number') {
      text = formatBytes(value);
    } else if (key === 'wait') {
      text = formatDuration(str(value));
    } else if (Array.isArray(value)) {
      text =
        value
          .map((item: unknown) => {
            const grant = item as { employeeId?: unknown; level?: unknown };
            if (typeof grant?.employeeId !== 'string') return JSON.stringify(item);
            const level = t(`card:access.levels.${str(grant.level)}`, { defaultValue: str(grant.level) });
            return `${names.employee(grant.employeeId)} (${level})`;
          })
          .join(', ') || t('card:protocol.nobody');
    } else if (typeof value === 'object') {
      text = JSON.stringify(value);
    } else if (typeof value === 'boolean') {
      text = value ? t('common:yes') : t('common:no');
    } else {
      text = String(value);
    }
    out.push([t(`card:protocol.fields.${key}`, { defaultValue: key }), text]);
  }
  return out;
}
