/**
 * Section `escalations`: time control at scale. 100,000 processes sit at a stage with a deadline and
 * an escalation ladder (copies of one process the engine launched, written with set-based SQL, so
 * the setup measures nothing); 10,000 of their escalation timers fall due at one instant. Measured:
 * the seconds the timer worker (the one every node runs, in this process) takes to fire them all —
 * each step through the state machine, a protocol entry and a notification per process — and the
 * resident memory while it does. The goals are the timer goals: SQLite ≤ 10 s, PostgreSQL ≤ 20 s,
 * ≤ 512 MB. The plan of the claim query is printed.
 */
import { sql } from 'kysely';
import { createEngineContext, type EngineContext } from '../src/context.ts';
import { escalationTimerKey } from '../src/domain/process/stage-clock.ts';
import { launchProcess } from '../src/engine/launch.ts';
import { ManualClock } from '../src/scheduler/clock.ts';
import { TimerWorker } from '../src/scheduler/timer-worker.ts';
import { createDefinition, publishDefinition } from '../src/services/definitions.ts';
import { createEmployee } from '../src/services/employees.ts';
import { openStore, type Store } from '../src/store/store.ts';
import { freshPostgres, freshSqlite, orderedIds } from './databases.ts';
import { type BenchSection, type Figure, fmtInt, type SectionAnswer, type StoreKind } from './sections.ts';
import { log, round3 } from './stats.ts';

const HOUR = 3_600_000;
const FAR = Date.UTC(2100, 0, 1);
const GOAL_SECONDS: Record<StoreKind, number> = { sqlite: 10, postgres: 20 };
const GOAL_RSS_MB = 512;

interface EscalationResult {
  readonly processes: number;
  readonly dueAtOnce: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly escalated: number;
  readonly notifications: number;
  readonly peakRssMiB: number;
  readonly claimPlan: string;
}

/** Copies the model process `total` times, each with its stage clock and its first escalation timer. */
async function fillTimed(store: Store, modelId: string, total: number, due: number, dueAt: number) {
  const db = store.db;
  const copy = (ids: ReturnType<typeof sql>) => sql`
    insert into processes (id, definition_id, definition_version, status, stage_key, stage_state, visit,
      responsible_id, entered_at, note, counterparty_id, initiator_id, parent_id, paused_until, started_at,
      updated_at, completed_at, version, due_at, acting_for_id, stage_clock, routing_until)
    select ids.id, p.definition_id, p.definition_version, p.status, p.stage_key, p.stage_state, p.visit,
      p.responsible_id, p.entered_at, p.note, p.counterparty_id, p.initiator_id, p.parent_id, p.paused_until,
      p.started_at, p.updated_at, p.completed_at, p.version, p.due_at, p.acting_for_id, p.stage_clock, p.routing_until
    from (${ids}) as ids, processes p where p.id = ${modelId}`;
  const members = sql`
    insert into process_members (process_id, employee_id, role)
    select p.id, m.employee_id, m.role from processes p, process_members m
    where m.process_id = ${modelId} and p.id <> ${modelId}
      and p.definition_id = (select definition_id from processes where id = ${modelId})`;
  const timers = sql`
    insert into timers (key, kind, process_id, due_at, deferred)
    select 'escalate:' || id || ':call:1:0', 'escalate', id, case when n <= ${due} then cast(${dueAt} as bigint) else cast(${FAR} as bigint) end, 0
    from (select id, row_number() over (order by id) as n from processes
          where definition_id = (select definition_id from processes where id = ${modelId}) and id <> ${modelId}) as numbered`;
  await store.transaction(async (tx) => {
    // PostgreSQL: the journal's triggers (text index, status counters) would make the set-up the
    // measurement; the burst below runs with them on, as a server does.
    if (store.caps.name === 'postgres') await sql`set local session_replication_role = replica`.execute(tx);
    await copy(sql`select id from (${orderedIds(store, 1, total)}) as o`).execute(tx);
  });
  await store.transaction((tx) => members.execute(tx));
  await store.transaction((tx) => timers.execute(tx));
  await sql`analyze`.execute(db);
}

async function claimPlan(store: Store, at: number): Promise<string> {
  if (store.caps.name === 'postgres') {
    const rows = await sql<{ 'QUERY PLAN': string }>`
      explain select * from timers where due_at <= ${at} and parked_at is null
      order by due_at, key limit 500 for update skip locked`.execute(store.db);
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const rows = await sql<{ detail: string }>`
    explain query plan select * from timers where due_at <= ${at} and parked_at is null
    order by due_at, key limit 500`.execute(store.db);
  return rows.rows.map((r) => r.detail).join('\n');
}

async function count(store: Store, query: ReturnType<typeof sql<{ n: number | string }>>): Promise<number> {
  const rows = await query.execute(store.db);
  return Number(rows.rows[0]?.n ?? 0);
}

async function measure(kind: StoreKind, total: number, due: number): Promise<EscalationResult> {
  const sqlite = kind === 'sqlite' ? freshSqlite() : undefined;
  const postgres = kind === 'postgres' ? await freshPostgres() : undefined;
  const store = await openStore({
    databaseUrl: postgres?.url,
    sqliteFile: sqlite?.file ?? '',
    poolSize: 8,
    limits: {
      lockTimeoutMs: 600_000,
      statementTimeoutMs: 3_600_000,
      idleInTransactionTimeoutMs: 3_600_000,
      acquireTimeoutMs: 600_000,
    },
  });
  try {
    const start = Date.UTC(2026, 11, 7, 9, 0); // a Monday morning
    const clock = new ManualClock(start);
    const ctx: EngineContext = createEngineContext({
      store,
      clock,
      zone: 'Europe/Moscow',
      log: process.env.BENCH_LOG ? (await import('pino')).default({ level: 'warn' }) : undefined,
    });
    const admin = await createEmployee(ctx, {
      login: 'bench-escalations',
      name: 'Bench Escalations',
      password: 'bench-escalations-password',
      role: 'admin',
    });
    const actor = { id: admin.id, role: admin.role, name: admin.name };
    const def = await createDefinition(ctx, actor, {
      name: 'Timed',
      stages: [
        {
          key: 'call',
          name: 'Call',
          kind: 'start',
          responsibles: [admin.id],
          deadline: { duration: 'PT4H', working: true },
          escalation: [{ after: 'PT1H', working: true, action: 'notify', to: 'responsible' }],
        },
        { key: 'end', name: 'End', kind: 'end' },
      ],
      transitions: [{ from: 'call', to: 'end', result: 'Done' }],
    });
    await publishDefinition(ctx, actor, def.id);
    const model = await launchProcess(ctx, actor, { definitionId: def.id });
    await store.db
      .deleteFrom('timers')
      .where('key', '=', escalationTimerKey(model.id, 'call', 1, 0))
      .execute();
    log(`escalations ${kind}: writing ${fmtInt(total)} timed processes…`);
    const dueAt = start + HOUR;
    await fillTimed(store, model.id, total, due, dueAt);
    const plan = await claimPlan(store, dueAt);
    log(`escalations ${kind}: claim plan\n${plan}`);

    clock.set(dueAt);
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 100);
    const began = performance.now();
    const worker = new TimerWorker(ctx, { intervalMs: 60_000 });
    await worker.drain();
    const seconds = (performance.now() - began) / 1000;
    clearInterval(sampler);
    const escalated = await count(
      store,
      sql<{ n: number }>`select count(*) as n from protocol where action = 'stage.escalated'`,
    );
    const notifications = await count(
      store,
      sql<{ n: number }>`select count(*) as n from notifications where kind = 'stage.escalated'`,
    );
    return {
      processes: total,
      dueAtOnce: due,
      seconds: round3(seconds),
      perSecond: Math.round(due / seconds),
      escalated,
      notifications,
      peakRssMiB: Math.round(peak / 1024 / 1024),
      claimPlan: plan,
    };
  } finally {
    await store.close();
    sqlite?.drop();
    await postgres?.drop();
  }
}

export const escalationsSection: BenchSection = {
  name: 'escalations',
  title: 'Escalations due at once among processes with deadlines',
  async run(options): Promise<SectionAnswer> {
    const total = options.quick ? 10_000 : 100_000;
    const due = options.quick ? 1_000 : 10_000;
    const figures: Figure[] = [];
    const data: Record<string, EscalationResult> = {};
    for (const kind of options.stores) {
      const r = await measure(kind, total, due);
      data[kind] = r;
      const all = r.escalated === due && r.notifications === due;
      figures.push({
        figure: `${fmtInt(due)} escalations due among ${fmtInt(total)} processes with deadlines, ${kind}`,
        value: `${r.seconds} s (${fmtInt(r.perSecond)}/s), RSS ${r.peakRssMiB} MiB`,
        goal: `≤ ${GOAL_SECONDS[kind]} s, ≤ ${GOAL_RSS_MB} MB`,
        comparison: all ? 'every step fired once' : `fired ${r.escalated} of ${due}`,
        met: all && r.seconds <= GOAL_SECONDS[kind] && r.peakRssMiB <= GOAL_RSS_MB,
      });
    }
    return {
      scale: options.quick ? '10,000 processes, 1,000 due (full: 100,000 and 10,000)' : '',
      figures,
      data,
    };
  },
};
