/**
 * Section `migration`: moving the running processes of a definition from version 1 to version 2.
 * 10,000 processes (quick: 1,000) run on version 1, spread over its stages: at the start stage with a
 * task that opens later (a task-start timer), at a stage with a deadline and an escalation ladder
 * (some of them paused), at a stage version 2 drops, at a stage with an open blocking task, and
 * sleeping at a stage that waits. Version 2 renames the escalating stage (with another ladder) and
 * replaces the dropped one by a stage that waits; the stage map names both. One model process per
 * kind is launched and moved by the engine; the rest are copies of the models written by set-based
 * SQL (every column of every per-process row, so the setup measures nothing).
 *
 * Timed, through the functions the `POST /api/definitions/:id/migrations` route calls: the dry run
 * (one call over every process, as the designer's migration dialog asks for it) and the migration
 * itself (pages of 10 processes continuing after each answer's `next`, as the dialog applies it),
 * with the resident memory and this process's CPU time. Afterwards every moved process must be on
 * version 2 at the stage the answer named, with its protocol entry, its open stage visit re-keyed
 * and its new timers, every refused one still on version 1, and the dry run must have predicted
 * every answer: otherwise the section fails.
 *
 * The issue gives no goal; the one stated here is what an administrator would wait for at the
 * designer: the 10,000 processes migrated within a minute (≤ 60 s), the dry run within 30 s.
 */
import { sql } from 'kysely';
import { type Actor, createEngineContext, type EngineContext } from '../src/context.ts';
import { DomainError } from '../src/domain/errors.ts';
import { launchProcess } from '../src/engine/launch.ts';
import { moveStage } from '../src/engine/move-stage.ts';
import { pauseProcess } from '../src/engine/pause-process.ts';
import { ManualClock } from '../src/scheduler/clock.ts';
import { createDefinition, publishDefinition, updateDefinition } from '../src/services/definitions.ts';
import { createEmployee } from '../src/services/employees.ts';
import { type MigrationItem, migrateProcesses } from '../src/services/migrations.ts';
import { type Db, openStore, type Store } from '../src/store/store.ts';
import { cpuSecondsBetween, cpuSecondsByPid } from './cpu.ts';
import { freshPostgres, freshSqlite, orderedIds } from './databases.ts';
import { type BenchSection, type Figure, fmtInt, type SectionAnswer, type StoreKind } from './sections.ts';
import { log, round3 } from './stats.ts';

const GOAL_APPLY_SECONDS = 60;
const GOAL_DRY_SECONDS = 30;
const GOAL_RSS_MB = 512;
/** Processes per request when applying, as the designer's migration dialog sends them. */
const APPLY_PAGE = 10;

/** The stages both versions share, as written for `responsible`. */
function sharedStages(responsible: string) {
  return {
    intake: {
      key: 'intake',
      name: 'Intake',
      kind: 'start' as const,
      responsibles: [responsible],
      task: { title: 'Call back', assignee: 'responsible' as const, startDelay: 'PT4H' },
    },
    offer: {
      key: 'offer',
      name: 'Offer',
      kind: 'normal' as const,
      responsibles: [responsible],
      task: { title: 'Write the offer', assignee: 'responsible' as const, blocking: true },
    },
    ends: [
      { key: 'rest', name: 'Rest', kind: 'normal' as const, wait: 'P3D' },
      { key: 'won', name: 'Won', kind: 'end' as const },
      { key: 'lost', name: 'Lost', kind: 'end' as const },
    ],
    endTransitions: [
      { from: 'offer', to: 'won', result: 'Won' },
      { from: 'offer', to: 'lost', result: 'Lost' },
    ],
  };
}

function v1Body(responsible: string) {
  const shared = sharedStages(responsible);
  return {
    stages: [
      shared.intake,
      {
        key: 'qualify',
        name: 'Qualify',
        kind: 'normal' as const,
        responsibles: [responsible],
        deadline: { duration: 'PT18H', working: true },
        escalation: [{ after: 'PT9H', working: true, action: 'notify' as const, to: 'responsible' as const }],
      },
      { key: 'legacy', name: 'Old check', kind: 'normal' as const, responsibles: [responsible] },
      shared.offer,
      ...shared.ends,
    ],
    transitions: [
      { from: 'intake', to: 'qualify', result: 'Qualify' },
      { from: 'intake', to: 'legacy', result: 'Old' },
      { from: 'intake', to: 'offer', result: 'Offer' },
      { from: 'intake', to: 'rest', result: 'Rest' },
      { from: 'qualify', to: 'offer', result: 'Offer' },
      { from: 'legacy', to: 'offer', result: 'Offer' },
      { from: 'rest', to: 'qualify', result: 'Back' },
      ...shared.endTransitions,
    ],
  };
}

/** Version 2: `qualify` became `assess` with a tighter ladder, `legacy` gave way to `follow_up`, which waits. */
function v2Body(responsible: string) {
  const shared = sharedStages(responsible);
  return {
    stages: [
      shared.intake,
      {
        key: 'assess',
        name: 'Assess',
        kind: 'normal' as const,
        responsibles: [responsible],
        deadline: { duration: 'PT9H', working: true },
        escalation: [
          { after: 'PT4H', working: true, action: 'notify' as const, to: 'responsible' as const },
          { after: 'PT8H', working: true, action: 'notify' as const, to: 'responsible' as const },
        ],
      },
      { key: 'follow_up', name: 'Follow up', kind: 'normal' as const, wait: 'P1D' },
      shared.offer,
      ...shared.ends,
    ],
    transitions: [
      { from: 'intake', to: 'assess', result: 'Qualify' },
      { from: 'intake', to: 'offer', result: 'Offer' },
      { from: 'intake', to: 'rest', result: 'Rest' },
      { from: 'assess', to: 'follow_up', result: 'Later' },
      { from: 'assess', to: 'offer', result: 'Offer' },
      { from: 'follow_up', to: 'offer', result: 'Offer' },
      { from: 'rest', to: 'assess', result: 'Back' },
      ...shared.endTransitions,
    ],
  };
}

const STAGE_MAP = { qualify: 'assess', legacy: 'follow_up' };

/**
 * The kinds of process, their share (percent, summing to 100) and what the migration must answer
 * for them.
 */
const KINDS = [
  { kind: 'intake', percent: 30, expect: { to: 'intake', outcome: 'moved' } },
  { kind: 'qualify', percent: 25, expect: { to: 'assess', outcome: 'moved' } },
  { kind: 'qualify-paused', percent: 5, expect: { to: 'assess', outcome: 'moved' } },
  { kind: 'legacy', percent: 30, expect: { to: 'follow_up', outcome: 'moved' } },
  { kind: 'offer', percent: 5, expect: { to: 'offer', outcome: 'refused', reason: 'blocking_task_open' } },
  { kind: 'rest', percent: 5, expect: { to: 'rest', outcome: 'refused', reason: 'waiting_timer' } },
] as const;

type Kind = (typeof KINDS)[number]['kind'];

/** The engine's way to each kind of process: the results from the start stage, then a pause. */
const ROUTE: Record<Kind, { result?: string; pause?: boolean }> = {
  intake: {},
  qualify: { result: 'Qualify' },
  'qualify-paused': { result: 'Qualify', pause: true },
  legacy: { result: 'Old' },
  offer: { result: 'Offer' },
  rest: { result: 'Rest' },
};

interface Timing {
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU time of this process (the engine; for SQLite the database too). */
  readonly cpuSeconds: number;
  /** CPU time of the PostgreSQL backends serving this database; null on SQLite or when unreadable. */
  readonly serverCpuSeconds: number | null;
  readonly peakRssMiB: number;
}

/**
 * CPU seconds used so far by each PostgreSQL backend connected to this database, when the server
 * runs on this machine (read from /proc); undefined on SQLite or when they cannot be read. On a
 * machine other work shares, CPU time says more than the wall clock.
 */
async function backendCpu(store: Store): Promise<Map<number, number> | undefined> {
  if (store.caps.name !== 'postgres') return undefined;
  const rows = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database()`.execute(store.db);
  return cpuSecondsByPid(rows.rows.map((r) => Number(r.pid)));
}

/** Seconds of backend CPU between two readings; null when either is missing. */
function serverSeconds(before: Map<number, number> | undefined, after: Map<number, number> | undefined) {
  const used = cpuSecondsBetween(before, after);
  return used === null ? null : round3(used);
}

interface MigrationStoreResult {
  readonly processes: number;
  readonly setupSeconds: number;
  readonly byKind: Record<Kind, number>;
  readonly dryRun: Timing & { readonly requests: 1 };
  readonly apply: Timing & { readonly requests: number; readonly pageSize: number };
  readonly moved: number;
  readonly refused: Record<string, number>;
  readonly checks: readonly string[];
}

async function columnsOf(db: Db, postgres: boolean, table: string): Promise<string[]> {
  const rows = postgres
    ? await sql<{ name: string }>`
        select column_name as name from information_schema.columns
        where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db)
    : await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  return rows.rows.map((r) => r.name);
}

/**
 * Copies every row a model process owns in `table` once per row of `bench_copies` naming that
 * model, every column as it is except those `override` gives (expressions over `m`, the model's row,
 * and `c`, the copy: `c.id` its process id).
 */
async function copyRows(
  db: Db,
  postgres: boolean,
  table: string,
  modelColumn: string,
  override: Record<string, string>,
): Promise<void> {
  const columns = await columnsOf(db, postgres, table);
  if (columns.length === 0) throw new Error(`no table ${table}`);
  const values = columns.map((c) => override[c] ?? `m.${c}`);
  await sql
    .raw(
      `insert into ${table} (${columns.join(', ')})
       select ${values.join(', ')} from bench_copies c join ${table} m on m.${modelColumn} = c.model`,
    )
    .execute(db);
}

/** Writes `total - models` copies of the models, in the shares of KINDS, with their rows. */
async function fillCopies(store: Store, models: Record<Kind, string>, copies: number): Promise<void> {
  const db = store.db;
  await sql`create table bench_kinds (lo integer not null, hi integer not null, model text not null)`.execute(
    db,
  );
  let lo = 0;
  for (const k of KINDS) {
    await sql`insert into bench_kinds (lo, hi, model) values (${lo}, ${lo + k.percent - 1}, ${models[k.kind]})`.execute(
      db,
    );
    lo += k.percent;
  }
  await sql`create table bench_copies (id text primary key, model text not null)`.execute(db);
  const numbers = orderedIds(store, 1, copies);
  await sql`
    insert into bench_copies (id, model)
    select x.id, k.model from (${numbers}) as x join bench_kinds k on x.n % 100 between k.lo and k.hi`.execute(
    db,
  );
  // Task ids and the task-start timer keys naming them get the copy's id appended; other timer
  // keys name the process, so the model's id in them becomes the copy's.
  const postgres = store.caps.name === 'postgres';
  await store.transaction(async (tx) => {
    const copyIn = (table: string, modelColumn: string, override: Record<string, string>) =>
      copyRows(tx, postgres, table, modelColumn, override);
    await copyIn('processes', 'id', { id: 'c.id' });
    await copyIn('process_members', 'process_id', { process_id: 'c.id' });
    await copyIn('tasks', 'process_id', { id: "m.id || '-' || c.id", process_id: 'c.id' });
    await copyIn('timers', 'process_id', {
      key: `case when m.kind = 'task.start' then m.key || '-' || c.id else replace(m.key, m.process_id, c.id) end`,
      process_id: 'c.id',
    });
    await copyIn('stage_visits', 'process_id', { process_id: 'c.id' });
  });
  await sql`drop table bench_copies`.execute(db);
  await sql`drop table bench_kinds`.execute(db);
  await sql`analyze`.execute(db);
}

async function one(store: Store, query: ReturnType<typeof sql<{ n: number | string }>>): Promise<number> {
  const rows = await query.execute(store.db);
  return Number(rows.rows[0]?.n ?? 0);
}

/** Times `work`, sampling the resident memory and the CPU time of this process and of the database server. */
async function timed<T>(
  store: Store,
  count: number,
  work: () => Promise<T>,
): Promise<{ answer: T; timing: Timing }> {
  const server = await backendCpu(store);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const cpu = process.cpuUsage();
  const began = performance.now();
  try {
    const answer = await work();
    const seconds = (performance.now() - began) / 1000;
    const used = process.cpuUsage(cpu);
    const serverCpuSeconds = serverSeconds(server, await backendCpu(store));
    peak = Math.max(peak, process.memoryUsage().rss);
    return {
      answer,
      timing: {
        seconds: round3(seconds),
        perSecond: Math.round(count / seconds),
        cpuSeconds: round3((used.user + used.system) / 1e6),
        serverCpuSeconds,
        peakRssMiB: Math.round(peak / 1024 / 1024),
      },
    };
  } finally {
    clearInterval(sampler);
  }
}

/** Throws, naming every way the database or the answers differ from what the migration had to do. */
async function check(
  store: Store,
  definitionId: string,
  total: number,
  byKind: Record<Kind, number>,
  stageOf: ReadonlyMap<string, string>,
  dry: readonly MigrationItem[],
  applied: readonly MigrationItem[],
): Promise<string[]> {
  const problems: string[] = [];
  const passed: string[] = [];
  // A process's stage names its kind (a paused one at `qualify` is answered as any at `qualify`).
  const expectOf = (from: string) => KINDS.find((k) => k.kind === from)?.expect;
  const expectMoved = KINDS.filter((k) => k.expect.outcome === 'moved').reduce(
    (n, k) => n + byKind[k.kind],
    0,
  );

  if (dry.length !== total) problems.push(`the dry run answered ${dry.length} of ${total} processes`);
  if (applied.length !== total)
    problems.push(`the migration answered ${applied.length} of ${total} processes`);
  const predicted = JSON.stringify(
    dry.map((i) => (i.outcome === 'would_move' ? { ...i, outcome: 'moved' } : i)),
  );
  if (predicted !== JSON.stringify(applied)) problems.push('the dry run did not predict the migration');
  else passed.push('the dry run predicted every answer');

  let wrong = 0;
  for (const item of applied) {
    const e = expectOf(item.from);
    const ok =
      e !== undefined &&
      item.from === stageOf.get(item.processId) &&
      item.to === e.to &&
      item.outcome === e.outcome &&
      (e.outcome === 'moved' || item.reason === ('reason' in e ? e.reason : undefined));
    if (!ok) {
      wrong++;
      if (wrong <= 5) problems.push(`unexpected answer ${JSON.stringify(item)}`);
    }
  }
  if (wrong === 0) passed.push('every answer is the one its stage calls for');

  // The database: every moved process on version 2 at its new stage, every refused one untouched.
  const rows = await store.db
    .selectFrom('processes')
    .select(['id', 'definition_version', 'stage_key'])
    .where('definition_id', '=', definitionId)
    .execute();
  const now = new Map(rows.map((r) => [r.id, r]));
  let misplaced = 0;
  for (const item of applied) {
    const row = now.get(item.processId);
    const ok =
      item.outcome === 'moved'
        ? row?.definition_version === 2 && row.stage_key === item.to
        : row?.definition_version === 1 && row.stage_key === item.from;
    if (!ok) {
      misplaced++;
      if (misplaced <= 5)
        problems.push(`process ${item.processId} is ${JSON.stringify(row)} after ${item.outcome}`);
    }
  }
  const onV2 = rows.filter((r) => Number(r.definition_version) === 2).length;
  if (onV2 !== expectMoved) problems.push(`${onV2} processes on version 2, expected ${expectMoved}`);
  if (misplaced === 0 && onV2 === expectMoved)
    passed.push(`${fmtInt(onV2)} processes on version 2 at their new stage, the refused ones on version 1`);

  const entries = await one(
    store,
    sql<{ n: number }>`select count(*) as n from protocol where action = 'process.migrated'`,
  );
  if (entries !== expectMoved) problems.push(`${entries} process.migrated entries, expected ${expectMoved}`);
  const visits = await one(
    store,
    sql<{ n: number }>`select count(*) as n from stage_visits v join processes p on p.id = v.process_id
      where v.left_by is null and v.version = 2 and v.stage_key = p.stage_key and p.definition_version = 2`,
  );
  if (visits !== expectMoved) problems.push(`${visits} open stage visits re-keyed, expected ${expectMoved}`);
  const followUps = byKind.legacy;
  const waits = await one(
    store,
    sql<{ n: number }>`select count(*) as n from timers t join processes p on p.id = t.process_id
      where t.kind = 'wait' and p.stage_key = 'follow_up' and t.key like '%:follow_up:%'`,
  );
  if (waits !== followUps) problems.push(`${waits} follow-up waits, expected ${followUps}`);
  const oldLadders = await one(
    store,
    sql<{ n: number }>`select count(*) as n from timers where kind = 'escalate' and key like '%:qualify:%'`,
  );
  if (oldLadders !== 0) problems.push(`${oldLadders} escalation timers of the old stage left`);
  const newLadders = await one(
    store,
    sql<{ n: number }>`select count(*) as n from timers t join processes p on p.id = t.process_id
      where t.kind = 'escalate' and p.stage_key = 'assess' and t.key like '%:assess:%'`,
  );
  // Two steps per process moved to `assess` whose clock runs (a paused one's clock is stopped and
  // plans none until it resumes); an hour into the stage none of them is overdue yet.
  if (newLadders !== 2 * byKind.qualify)
    problems.push(`${newLadders} escalation timers of the new stage, expected ${2 * byKind.qualify}`);
  if (problems.length === 0)
    passed.push(
      `${fmtInt(entries)} protocol entries, open visits re-keyed, ${fmtInt(waits)} new waits, ` +
        `${fmtInt(newLadders)} escalation timers of the new stage, none of the old`,
    );
  if (problems.length > 0) throw new Error(`migration check failed:\n- ${problems.join('\n- ')}`);
  return passed;
}

/** Publishes the draft; a refusal names its problems. */
async function publish(ctx: EngineContext, admin: Actor, id: string) {
  try {
    return await publishDefinition(ctx, admin, id);
  } catch (error) {
    if (error instanceof DomainError) throw new Error(`${error.message} ${JSON.stringify(error.details)}`);
    throw error;
  }
}

async function measure(kind: StoreKind, total: number): Promise<MigrationStoreResult> {
  const sqlite = kind === 'sqlite' ? freshSqlite() : undefined;
  const postgres = kind === 'postgres' ? await freshPostgres() : undefined;
  const store = await openStore({
    databaseUrl: postgres?.url,
    sqliteFile: sqlite?.file ?? '',
    // The set-up writes its copies in one transaction; on a busy machine that outlasts the server's limits.
    limits: {
      lockTimeoutMs: 600_000,
      statementTimeoutMs: 3_600_000,
      idleInTransactionTimeoutMs: 3_600_000,
      acquireTimeoutMs: 600_000,
    },
  });
  try {
    const setupStart = performance.now();
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 9, 0)); // a Monday morning
    const ctx: EngineContext = createEngineContext({ store, clock, zone: 'Europe/Moscow' });
    const adminRow = await createEmployee(ctx, {
      login: 'bench-migration',
      name: 'Bench Migration',
      password: 'bench-migration-password',
      role: 'admin',
    });
    const admin: Actor = { id: adminRow.id, role: adminRow.role, name: adminRow.name };
    const def = await createDefinition(ctx, admin, { name: 'Deal', ...v1Body(admin.id) });
    await publish(ctx, admin, def.id);
    const models = {} as Record<Kind, string>;
    for (const k of KINDS) {
      const p = await launchProcess(ctx, admin, { definitionId: def.id });
      const route = ROUTE[k.kind];
      if (route.result) await moveStage(ctx, admin, p.id, { state: 'done', result: route.result });
      if (route.pause) await pauseProcess(ctx, admin, p.id, { for: 'P2D' });
      models[k.kind] = p.id;
    }
    log(`migration ${kind}: writing ${fmtInt(total)} running processes on version 1…`);
    await fillCopies(store, models, total - KINDS.length);
    await updateDefinition(ctx, admin, def.id, { name: 'Deal', ...v2Body(admin.id) });
    const published = await publish(ctx, admin, def.id);
    if (published.version !== 2) throw new Error(`published version ${published.version}, expected 2`);
    clock.advance(3_600_000);
    const setupSeconds = round3((performance.now() - setupStart) / 1000);

    const rows = await store.db
      .selectFrom('processes')
      .select(['id', 'stage_key', 'status'])
      .where('definition_id', '=', def.id)
      .execute();
    const stageOf = new Map(rows.map((r) => [r.id, r.stage_key]));
    const modelKind = new Map(Object.entries(models).map(([k, id]) => [id, k as Kind]));
    const byKind = Object.fromEntries(KINDS.map((k) => [k.kind, 0])) as Record<Kind, number>;
    const paused = rows.filter((r) => r.status === 'paused').length;
    for (const r of rows) {
      const k = modelKind.get(r.id) ?? (r.status === 'paused' ? 'qualify-paused' : (r.stage_key as Kind));
      byKind[k]++;
    }
    if (rows.length !== total || paused !== byKind['qualify-paused'])
      throw new Error(`set-up wrote ${rows.length} processes (${paused} paused), expected ${total}`);
    log(`migration ${kind}: ${JSON.stringify(byKind)}; dry run…`);

    const request = { fromVersion: 1, toVersion: 2, stageMap: STAGE_MAP };
    const dry = await timed(store, total, () =>
      migrateProcesses(ctx, admin, def.id, { ...request, dryRun: true }),
    );
    if (dry.answer.next !== null) throw new Error('the dry run left processes unanswered');
    log(`migration ${kind}: dry run ${dry.timing.seconds} s; migrating ${APPLY_PAGE} at a time…`);
    let requests = 0;
    const apply = await timed(store, total, async () => {
      const items: MigrationItem[] = [];
      let after: string | undefined;
      do {
        const page = await migrateProcesses(ctx, admin, def.id, { ...request, limit: APPLY_PAGE, after });
        requests++;
        items.push(...page.items);
        after = page.next ?? undefined;
      } while (after);
      return items;
    });
    log(`migration ${kind}: migrated in ${apply.timing.seconds} s; checking…`);
    const checks = await check(store, def.id, total, byKind, stageOf, dry.answer.items, apply.answer);
    const refused: Record<string, number> = {};
    for (const item of apply.answer) {
      if (item.outcome === 'refused') refused[item.reason ?? '?'] = (refused[item.reason ?? '?'] ?? 0) + 1;
    }
    return {
      processes: total,
      setupSeconds,
      byKind,
      dryRun: { ...dry.timing, requests: 1 },
      apply: { ...apply.timing, requests, pageSize: APPLY_PAGE },
      moved: apply.answer.filter((i) => i.outcome === 'moved').length,
      refused,
      checks,
    };
  } finally {
    await store.close();
    sqlite?.drop();
    await postgres?.drop();
  }
}

const cpuText = (t: Timing) =>
  `CPU: engine ${t.cpuSeconds} s` +
  (t.serverCpuSeconds === null ? '' : `, PostgreSQL backends ${t.serverCpuSeconds} s`);

export const migrationSection: BenchSection = {
  name: 'migration',
  title: 'Migrating the running processes of a definition to its next version',
  async run(options): Promise<SectionAnswer> {
    const total = options.quick ? 1_000 : 10_000;
    const figures: Figure[] = [];
    const data: Record<string, MigrationStoreResult> = {};
    for (const kind of options.stores) {
      const r = await measure(kind, total);
      data[kind] = r;
      const refused = Object.entries(r.refused)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([reason, n]) => `${fmtInt(n)} ${reason}`)
        .join(', ');
      figures.push(
        {
          figure: `dry run over ${fmtInt(total)} running processes, ${kind}`,
          value: `${r.dryRun.seconds} s (${fmtInt(r.dryRun.perSecond)}/s), RSS ${r.dryRun.peakRssMiB} MiB`,
          goal: `≤ ${GOAL_DRY_SECONDS} s, ≤ ${GOAL_RSS_MB} MB`,
          comparison: `one call; ${cpuText(r.dryRun)}; predicted every answer`,
          met: r.dryRun.seconds <= GOAL_DRY_SECONDS && r.dryRun.peakRssMiB <= GOAL_RSS_MB,
        },
        {
          figure: `migration of ${fmtInt(total)} running processes v1 → v2, ${kind}`,
          value: `${r.apply.seconds} s (${fmtInt(r.apply.perSecond)}/s), RSS ${r.apply.peakRssMiB} MiB`,
          goal: `≤ ${GOAL_APPLY_SECONDS} s, ≤ ${GOAL_RSS_MB} MB`,
          comparison:
            `${fmtInt(r.moved)} moved, ${refused} refused; ${fmtInt(r.apply.requests)} calls of ` +
            `${r.apply.pageSize}; ${cpuText(r.apply)}`,
          met: r.apply.seconds <= GOAL_APPLY_SECONDS && r.apply.peakRssMiB <= GOAL_RSS_MB,
        },
      );
    }
    return {
      scale: options.quick ? '1,000 running processes (full: 10,000)' : '',
      figures,
      data,
    };
  },
};

export const section = migrationSection;
