/**
 * Durable time at scale: a million processes asleep on a wait stage, a tenth of them falling due at
 * once. Measures the seconds the timer worker needs to fire them all, timers per second, the peak
 * RSS of the process doing it, and the plan of the claim query (it must use an index).
 *
 * The sleeping processes are written with set-based SQL (copies of one process the engine
 * launched), so the setup measures nothing; only the firing is timed, through the real worker.
 */
import { sql } from 'kysely';
import { createEngineContext } from '../src/context.ts';
import { launchProcess } from '../src/engine/launch.ts';
import { ManualClock } from '../src/scheduler/clock.ts';
import { TimerWorker } from '../src/scheduler/timer-worker.ts';
import { createDefinition, publishDefinition } from '../src/services/definitions.ts';
import { createEmployee } from '../src/services/employees.ts';
import type { Store } from '../src/store/store.ts';
import { log, round3 } from './stats.ts';

export interface TimerBenchResult {
  readonly waitingProcesses: number;
  readonly dueAtOnce: number;
  readonly batchSize: number;
  readonly secondsToFireAll: number;
  readonly timersPerSecond: number;
  readonly fired: number;
  readonly peakRssMiB: number;
  readonly claimPlan: string;
  readonly claimUsesIndex: boolean;
  readonly setupSeconds: number;
}

const DAY = 24 * 3600 * 1000;

/** Inserts `total` sleeping copies of the model process, `due` of them due now, the rest spread over a month. */
async function fillWaiting(
  store: Store,
  modelId: string,
  total: number,
  due: number,
  now: number,
): Promise<void> {
  const db = store.db;
  const copy = (ids: ReturnType<typeof sql>) => sql`
    insert into processes (id, definition_id, definition_version, status, stage_key, stage_state, visit, responsible_id,
      entered_at, note, counterparty_id, initiator_id, parent_id, paused_until, started_at, updated_at, completed_at, version)
    select ids.id, p.definition_id, p.definition_version, p.status, p.stage_key, p.stage_state, p.visit, p.responsible_id,
      p.entered_at, p.note, p.counterparty_id, p.initiator_id, p.parent_id, p.paused_until, p.started_at, p.updated_at,
      p.completed_at, p.version
    from (${ids}) as ids, processes p where p.id = ${modelId}`;
  const timers = sql`
    insert into timers (key, kind, process_id, due_at, deferred)
    select 'wait:' || id || ':w:1', 'wait', id,
      case when n <= ${due} then ${now - 1} else ${now + DAY} + (n % 30) * ${DAY} end, 0
    from (select id, row_number() over (order by id) as n from processes where id <> ${modelId}) as numbered`;
  if (store.caps.name === 'postgres') {
    await copy(sql`select gen_random_uuid()::text as id from generate_series(1, ${total})`).execute(db);
  } else {
    await store.transaction(async (tx) => {
      await copy(
        sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${total})
            select lower(hex(randomblob(16))) as id from n`,
      ).execute(tx);
    });
  }
  await store.transaction((tx) => timers.execute(tx));
  if (store.caps.name === 'postgres') await sql`analyze`.execute(db);
  else await sql`analyze`.execute(db);
}

/** The claim query's plan, as the database explains it. */
async function claimPlan(store: Store, now: number, batchSize: number): Promise<string> {
  if (store.caps.name === 'postgres') {
    const rows = await sql<{ 'QUERY PLAN': string }>`
      explain select * from timers where due_at <= ${now} order by due_at, key limit ${batchSize} for update skip locked`.execute(
      store.db,
    );
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const rows = await sql<{ detail: string }>`
    explain query plan select * from timers where due_at <= ${now} order by due_at, key limit ${batchSize}`.execute(
    store.db,
  );
  return rows.rows.map((r) => r.detail).join('\n');
}

export async function benchTimers(
  store: Store,
  options: { waiting: number; due: number; batchSize: number },
): Promise<TimerBenchResult> {
  const clock = new ManualClock(Date.UTC(2027, 0, 4, 9, 0));
  const ctx = createEngineContext({ store, clock });
  const setupStart = performance.now();
  const admin = await createEmployee(ctx, {
    login: 'bench',
    name: 'Bench',
    password: 'bench-password',
    role: 'admin',
  });
  const actor = { id: admin.id, role: admin.role, name: admin.name };
  const def = await createDefinition(ctx, actor, {
    name: 'Sleep',
    stages: [
      { key: 'w', name: 'Wait', kind: 'start', wait: 'P1D' },
      { key: 'end', name: 'End', kind: 'end' },
    ],
    transitions: [{ from: 'w', to: 'end', result: 'Continue' }],
  });
  await publishDefinition(ctx, actor, def.id);
  const model = await launchProcess(ctx, actor, { definitionId: def.id });
  await store.db.deleteFrom('timers').execute();
  log(`${store.caps.name}: writing ${options.waiting} waiting processes…`);
  await fillWaiting(store, model.id, options.waiting, options.due, clock.now());
  const setupSeconds = (performance.now() - setupStart) / 1000;
  const plan = await claimPlan(store, clock.now(), options.batchSize);

  log(`${store.caps.name}: firing ${options.due} due timers…`);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const worker = new TimerWorker(ctx, { batchSize: options.batchSize });
  const start = performance.now();
  const fired = await worker.drain();
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const usesIndex =
    store.caps.name === 'postgres'
      ? /Index/.test(plan) && !/Seq Scan/.test(plan)
      : /USING (COVERING )?INDEX/.test(plan) && !/SCAN timers$/m.test(plan);
  return {
    waitingProcesses: options.waiting,
    dueAtOnce: options.due,
    batchSize: options.batchSize,
    secondsToFireAll: round3(seconds),
    timersPerSecond: Math.round(fired / seconds),
    fired,
    peakRssMiB: Math.round(peakRss / 1024 / 1024),
    claimPlan: plan,
    claimUsesIndex: usesIndex,
    setupSeconds: round3(setupSeconds),
  };
}
