/**
 * Invariants every Stageflow database must satisfy however a server stopped (killed mid-transaction,
 * right after a commit, in the middle of a timer batch or of spawning children), checked straight
 * on the tables. `checkInvariants` returns the violations as sentences; an empty list means sound.
 * Run it on a database no server is writing to (stop the server first), so it reads one state.
 */
import {
  type CompiledDefinition,
  compileDefinition,
  type DefinitionBody,
} from '../../src/domain/definition/types.ts';
import { resumeTimerKey, waitTimerKey } from '../../src/domain/process/step.ts';
import type { Db } from '../../src/store/store.ts';

/** What a process card said in a 200/201 answer: the server promised this much was committed. */
interface AckedCard {
  readonly version: number;
  readonly stageKey: string;
  readonly status: string;
}

/** Records the answers a client was given, to check afterwards that each is reflected in the data. */
export class AckLog {
  /** Per process, the answer with the highest version. */
  readonly cards = new Map<string, AckedCard>();
  count = 0;

  /** Records a process card from a 200/201 answer (a launch, a move, a pause, a PATCH …). */
  card(card: { id: string; version: number; status: string; stage: { key: string } }): void {
    this.count++;
    const seen = this.cards.get(card.id);
    if (seen && seen.version >= card.version) return;
    this.cards.set(card.id, { version: card.version, stageKey: card.stage.key, status: card.status });
  }
}

interface ProtocolEntry {
  readonly id: number;
  readonly action: string;
  readonly details: Record<string, unknown>;
}

export async function checkInvariants(db: Db, acked?: AckLog): Promise<string[]> {
  const violations: string[] = [];
  const fail = (message: string) => violations.push(message);

  const versions = await db
    .selectFrom('definition_versions')
    .select(['definition_id', 'version', 'body'])
    .execute();
  const defs = new Map<string, CompiledDefinition>();
  for (const v of versions)
    defs.set(`${v.definition_id}@${v.version}`, compileDefinition(JSON.parse(v.body) as DefinitionBody));

  const processes = await db.selectFrom('processes').selectAll().execute();
  const byId = new Map(processes.map((p) => [p.id, p]));
  const protocol = new Map<string, ProtocolEntry[]>();
  for (const r of await db
    .selectFrom('protocol')
    .select(['id', 'process_id', 'action', 'details'])
    .orderBy('id')
    .execute()) {
    if (!byId.has(r.process_id)) fail(`protocol entry ${r.id} belongs to missing process ${r.process_id}`);
    const list = protocol.get(r.process_id) ?? [];
    list.push({
      id: Number(r.id),
      action: r.action,
      details: JSON.parse(r.details) as Record<string, unknown>,
    });
    protocol.set(r.process_id, list);
  }
  const timers = await db.selectFrom('timers').select(['key', 'kind', 'process_id']).execute();
  const timerKeys = new Set(timers.map((t) => t.key));
  const tasks = await db.selectFrom('tasks').select(['id', 'process_id', 'status']).execute();

  for (const p of processes) {
    const def = defs.get(`${p.definition_id}@${p.definition_version}`);
    if (!def) {
      fail(`process ${p.id}: definition ${p.definition_id}@${p.definition_version} does not exist`);
      continue;
    }
    const stage = def.stages.get(p.stage_key);
    if (!stage) fail(`process ${p.id}: current stage "${p.stage_key}" is not in its definition version`);
    if (p.parent_id !== null && !byId.has(p.parent_id))
      fail(`process ${p.id}: its parent ${p.parent_id} is missing`);
    if ((p.status === 'completed') !== (stage?.kind === 'end'))
      fail(`process ${p.id}: status ${p.status} at a stage of kind ${stage?.kind}`);

    const entries = protocol.get(p.id) ?? [];
    const count = (action: string) => entries.filter((e) => e.action === action).length;
    if (entries[0]?.action !== 'process.launched' || count('process.launched') !== 1)
      fail(`process ${p.id}: the protocol does not start with its one launch`);
    if ((count('process.completed') === 1) !== (p.status === 'completed') || count('process.completed') > 1)
      fail(`process ${p.id}: ${count('process.completed')} completions in the protocol, status ${p.status}`);
    if ((count('process.cancelled') === 1) !== (p.status === 'cancelled') || count('process.cancelled') > 1)
      fail(
        `process ${p.id}: ${count('process.cancelled')} cancellations in the protocol, status ${p.status}`,
      );

    // Stage entries and transitions chain: start → … → the current stage, one entry per visit.
    let at = def.start.key;
    let visit = 0;
    const elapsedInVisit = new Map<number, number>();
    let lastTransitionTo: string | undefined;
    for (const e of entries) {
      if (e.action === 'transition') {
        if (e.details.from !== at)
          fail(`process ${p.id}: transition ${e.id} from "${String(e.details.from)}" but it was at "${at}"`);
        lastTransitionTo = String(e.details.to);
      } else if (e.action === 'stage.entered') {
        visit++;
        if (e.details.visit !== visit)
          fail(`process ${p.id}: stage entry ${e.id} is visit ${String(e.details.visit)}, expected ${visit}`);
        if (visit > 1 && e.details.stage !== lastTransitionTo)
          fail(
            `process ${p.id}: entered "${String(e.details.stage)}" after a transition to "${String(lastTransitionTo)}"`,
          );
        at = String(e.details.stage);
      } else if (e.action === 'wait.elapsed') {
        elapsedInVisit.set(visit, (elapsedInVisit.get(visit) ?? 0) + 1);
        if (!def.stages.get(at)?.wait) fail(`process ${p.id}: a wait elapsed at "${at}", which has none`);
      }
    }
    for (const [v, n] of elapsedInVisit)
      if (n > 1) fail(`process ${p.id}: the wait of visit ${v} elapsed ${n} times`);
    if (at !== p.stage_key)
      fail(`process ${p.id}: the protocol ends at "${at}", the process is at "${p.stage_key}"`);
    if (visit !== p.visit) fail(`process ${p.id}: ${visit} stage entries in the protocol, visit ${p.visit}`);

    // A live process at a wait stage sleeps on its timer (a wait already fired would have moved it on).
    const live = p.status === 'active' || p.status === 'paused';
    if (live && stage?.wait !== undefined && p.stage_state === 'in_progress') {
      if (!timerKeys.has(waitTimerKey(p.id, p.stage_key, p.visit)))
        fail(`process ${p.id}: waits at "${p.stage_key}" (visit ${p.visit}) without its timer`);
    }
    if (p.status === 'paused') {
      if (p.paused_until === null) fail(`process ${p.id}: paused with no end`);
      else if (!timerKeys.has(resumeTimerKey(p.id, p.paused_until)))
        fail(`process ${p.id}: paused until ${p.paused_until} without its resume timer`);
    }

    // Children: each spawned child exists and names this process; each child was recorded here.
    for (const e of entries.filter((x) => x.action === 'child.spawned')) {
      const child = byId.get(String(e.details.childId));
      if (!child || child.parent_id !== p.id)
        fail(`process ${p.id}: spawned child ${String(e.details.childId)} is missing or not its child`);
    }
    if (p.parent_id !== null && byId.has(p.parent_id)) {
      const recorded = (protocol.get(p.parent_id) ?? []).some(
        (e) => e.action === 'child.spawned' && e.details.childId === p.id,
      );
      if (!recorded) fail(`process ${p.id}: its parent ${p.parent_id} has no record of spawning it`);
    }
  }

  // Every timer belongs to a live state: the current wait, the current pause, a pending task.
  const pendingTasks = new Set(tasks.filter((t) => t.status === 'pending').map((t) => t.id));
  for (const t of timers) {
    const p = byId.get(t.process_id);
    if (!p) {
      fail(`timer ${t.key}: its process is missing`);
      continue;
    }
    if (t.kind === 'wait' && t.key !== waitTimerKey(p.id, p.stage_key, p.visit))
      fail(
        `timer ${t.key}: not the wait of the current stage visit (${p.stage_key}, ${p.visit}, ${p.status})`,
      );
    if (t.kind === 'wait' && p.status !== 'active' && p.status !== 'paused')
      fail(`timer ${t.key}: the process is ${p.status}`);
    if (
      t.kind === 'resume' &&
      (p.status !== 'paused' || p.paused_until === null || t.key !== resumeTimerKey(p.id, p.paused_until))
    )
      fail(`timer ${t.key}: not the end of the current pause (${p.status})`);
    if (t.kind === 'task.start' && !pendingTasks.has(t.key.slice('task-start:'.length)))
      fail(`timer ${t.key}: its task is not pending`);
  }
  for (const id of pendingTasks)
    if (!timerKeys.has(`task-start:${id}`)) fail(`task ${id}: pending without its start timer`);
  for (const t of tasks)
    if (t.process_id !== null && !byId.has(t.process_id)) fail(`task ${t.id}: its process is missing`);

  // What the server acknowledged is there: at least that version, and that very state at that version.
  for (const [id, card] of acked?.cards ?? []) {
    const p = byId.get(id);
    if (!p) fail(`acknowledged process ${id} is missing`);
    else if (p.version < card.version)
      fail(`process ${id}: acknowledged version ${card.version}, found ${p.version}`);
    else if (p.version === card.version && (p.stage_key !== card.stageKey || p.status !== card.status))
      fail(
        `process ${id}: version ${p.version} acknowledged at ${card.stageKey}/${card.status}, found ${p.stage_key}/${p.status}`,
      );
  }
  return violations;
}
