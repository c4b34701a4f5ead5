/**
 * The web app, measured in Chromium against a real server: opening a 300-stage definition without
 * saved places in the designer (the time to the first frame with every stage listed, the chart
 * drawn and validation shown; where the layout ran and when it arrived; the longest main-thread task
 * while typing in a stage's name), and the time to the first rows of the journal over a million
 * processes (for an administrator, who sees all, and for a manager, who sees a fifth).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { startServer } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { launchBrowser } from '../test/e2e/browser.ts';
import { type BenchOptions, type BenchSection, type Figure, fmtInt, type SectionAnswer } from './sections.ts';
import { log } from './stats.ts';

/** One opening of the 300-stage definition in the designer, and typing in it. */
export interface DesignerRun {
  /** Navigation start → the first frame with all stages listed, a stage on the chart and the validation panel. */
  readonly firstPaintMs: number;
  /** Navigation start → the chart's layout applied (the chart no longer `aria-busy`); null if not within 30 s. */
  readonly laidOutMs: number | null;
  /** The longest main-thread task from navigation start to the first paint. */
  readonly openLongestTaskMs: number;
  /** The layout engine's worker script was loaded, and its main-thread build was not. */
  readonly layoutWorker: boolean;
  readonly layoutOnMainThread: boolean;
  /** Characters typed into the stage's name: right after the first paint (while the layout is on its way), then once laid out. */
  readonly keys: number;
  /** The longest main-thread task from the first key to the last key's frame, layout arrival included. */
  readonly typingLongestTaskMs: number;
  /** The slowest key from input to the next frame (Event Timing; 0 when every key took under 16 ms). */
  readonly typingWorstKeyMs: number;
  /** Main-thread CPU per key once laid out (CDP thread time): what a key costs, whatever the machine's load. */
  readonly typingCpuPerKeyMs: number;
}

export interface WebBenchResult {
  readonly designer300: {
    readonly stages: number;
    readonly runs: DesignerRun[];
    readonly firstPaintMedianMs: number;
    readonly laidOutMedianMs: number | null;
    readonly typingLongestTaskMs: number;
    readonly typingWorstKeyMs: number;
    readonly typingCpuPerKeyMedianMs: number;
  };
  readonly journal: {
    readonly processes: number;
    readonly adminFirstRowsMs: number[];
    readonly adminMedianMs: number;
    readonly managerVisible: number;
    readonly managerFirstRowsMs: number[];
    readonly managerMedianMs: number;
  };
}

/** The stages of the designer's large definition. */
const BIG = 300;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** A 300-stage definition: a chain with a way back every tenth stage. */
function bigDefinition(n: number) {
  const stages = Array.from({ length: n }, (_, i) => ({
    key: `s${i}`,
    name: `Stage ${i + 1}`,
    kind: i === 0 ? 'start' : i === n - 1 ? 'end' : 'normal',
  }));
  const transitions = stages.slice(1).map((s, i) => ({ from: `s${i}`, to: s.key, result: 'Next' }));
  for (let i = 10; i < n - 1; i += 10) transitions.push({ from: `s${i}`, to: `s${i - 9}`, result: 'Back' });
  return { stages, transitions };
}

/**
 * Watches a designer page from its first script on: long tasks, slow key presses (Event Timing),
 * and the first frame in which every stage is listed, a stage is on the chart and the validation
 * panel is shown, then the frame in which the chart's layout has been applied. Plain JavaScript
 * (the page runs it as it is).
 */
const designerProbe = (stages: number) => `(() => {
  const probe = { long: [], keys: [], painted: null, laidOut: null };
  window.__designerProbe = probe;
  if (!location.pathname.startsWith('/designer/')) return;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.long.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (e.name.startsWith('key') || e.name === 'input')
        probe.keys.push({ name: e.name, start: e.startTime, duration: e.duration });
  }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  // The time the frame's callback runs: a frame's own timestamp is when it was due, which a long
  // task before it does not move.
  const frame = () => {
    const now = performance.now();
    if (
      probe.painted === null &&
      document.querySelectorAll('[data-testid=stage-row]').length >= ${stages} &&
      document.querySelector('.react-flow__node') &&
      document.querySelector('[data-testid=validation-panel]')
    )
      probe.painted = now;
    if (probe.painted !== null && document.querySelector('.react-flow[aria-busy=false]')) probe.laidOut = now;
    if (probe.laidOut === null) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();`;

type Probe = {
  long: { start: number; duration: number }[];
  keys: { name: string; start: number; duration: number }[];
  painted: number | null;
  laidOut: number | null;
};
const readProbe = (page: Page) => page.evaluate(() => (globalThis as any).__designerProbe as Probe);

async function threadMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? 0) * 1000;
}

/** Opens the definition, waits for its first paint, types into a stage's name, then undoes it all. */
async function designerRun(context: BrowserContext, page: Page, url: string): Promise<DesignerRun> {
  await page.goto(url);
  const cdp = await context.newCDPSession(page);
  // Thread time: main-thread CPU, which other work on the machine does not inflate.
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' } as never);
  try {
    await page.waitForFunction(() => typeof (globalThis as any).__designerProbe?.painted === 'number', null, {
      timeout: 60_000,
      polling: 100,
    });
  } catch (error) {
    const shown = await page.evaluate(() => {
      const d = (globalThis as any).document;
      return {
        url: d.location.href,
        rows: d.querySelectorAll('[data-testid=stage-row]').length,
        chart: d.querySelectorAll('.react-flow__node').length,
        validation: d.querySelector('[data-testid=validation-panel]') !== null,
        text: (d.body.textContent as string).slice(0, 300),
      };
    });
    throw new Error(`the designer did not open: ${JSON.stringify(shown)}`, { cause: error });
  }
  const opened = await readProbe(page);
  const painted = opened.painted ?? 0;
  // Straight after the first paint, while the layout is still on its way: select a stage, type.
  await page.locator('[data-testid=stage-row] .stage-row-head').nth(5).click();
  const field = page.getByTestId('stage-name');
  await field.click();
  const typingFrom = await page.evaluate(() => (globalThis as any).performance.now() as number);
  const first = ' and a longer name';
  await field.pressSequentially(first, { delay: 40 });
  await page.waitForFunction(() => typeof (globalThis as any).__designerProbe?.laidOut === 'number', null, {
    timeout: 30_000,
    polling: 100,
  });
  const second = ' once laid out';
  const cpuFrom = await threadMs(cdp);
  await field.pressSequentially(second, { delay: 40 });
  await page.waitForTimeout(300); // the last key's deferred work and frame
  const cpu = (await threadMs(cdp)) - cpuFrom;
  const typed = await readProbe(page);
  // What the page loaded by then, the layout engine's worker script among it.
  const resources: string[] = await page.evaluate(() =>
    (globalThis as any).performance.getEntriesByType('resource').map((e: any) => e.name as string),
  );

  // Leave the draft as it was, so the next opening is the same and nothing is kept or prompted.
  const undo = page.getByTestId('undo');
  for (let i = 0; i < 40 && (await undo.isEnabled()); i++) await undo.click();
  await page.locator('.unsaved-badge').waitFor({ state: 'detached' });
  await cdp.detach();

  const overlaps = (t: { start: number; duration: number }, from: number, to: number) =>
    t.start < to && t.start + t.duration > from;
  const longest = (tasks: { duration: number }[]) => Math.round(Math.max(0, ...tasks.map((t) => t.duration)));
  return {
    firstPaintMs: Math.round(painted),
    laidOutMs: typed.laidOut === null ? null : Math.round(typed.laidOut),
    openLongestTaskMs: longest(opened.long.filter((t) => t.start < painted)),
    layoutWorker: resources.some((r) => r.includes('elk-worker')),
    layoutOnMainThread: resources.some((r) => r.includes('elk.bundled')),
    keys: first.length + second.length,
    typingLongestTaskMs: longest(typed.long.filter((t) => overlaps(t, typingFrom, Number.POSITIVE_INFINITY))),
    typingWorstKeyMs: longest(typed.keys.filter((k) => k.start >= typingFrom)),
    typingCpuPerKeyMs: Math.round((cpu / second.length) * 10) / 10,
  };
}

async function timed(page: Page, url: string, ready: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await page.goto(url);
  await ready();
  return Math.round(performance.now() - start);
}

export async function benchWeb(options: {
  processes: number;
  runs: number;
  /** Openings of the designer (each with its typing); `runs` when not given. */
  designerRuns?: number;
}): Promise<WebBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stageflow-webbench-'));
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dir,
    STAGEFLOW_DEMO: '0',
    STAGEFLOW_ADMIN_PASSWORD: 'bench-admin-pass',
    LOG_LEVEL: 'silent',
  });
  const server = await startServer(config, { logger: false });
  const browser = await launchBrowser();
  try {
    const api = async (method: string, p: string, body?: unknown, token?: string) => {
      const res = await fetch(server.url + p, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as any;
    };
    const admin = (await api('POST', '/api/auth/login', { login: 'admin', password: 'bench-admin-pass' }))
      .token as string;
    const manager = await api(
      'POST',
      '/api/employees',
      { login: 'mara', name: 'Mara', password: 'mara-password', role: 'manager' },
      admin,
    );
    const big = await api(
      'POST',
      '/api/definitions',
      { name: 'Three hundred stages', ...bigDefinition(BIG) },
      admin,
    );
    await api('POST', `/api/definitions/${big.id}/publish`, {}, admin);
    const small = await api('POST', '/api/definitions', { name: 'Calls', ...bigDefinition(4) }, admin);
    await api('POST', `/api/definitions/${small.id}/publish`, {}, admin);
    const model = await api('POST', '/api/processes', { definitionId: small.id, note: 'model' }, admin);

    log(`web: writing ${options.processes} processes…`);
    const store = server.ctx.store;
    await store.transaction(async (tx) => {
      await sql`
        with recursive n(i) as (select 1 union all select i + 1 from n where i < ${options.processes})
        insert into processes (id, definition_id, definition_version, status, stage_key, stage_state, visit, responsible_id,
          entered_at, note, counterparty_id, initiator_id, parent_id, paused_until, started_at, updated_at, completed_at, version)
        select printf('bench-%08d', i), p.definition_id, p.definition_version, p.status, p.stage_key, p.stage_state, p.visit,
          p.responsible_id, p.entered_at, 'note ' || i, null,
          case when i % 5 = 0 then ${manager.id} else p.initiator_id end, null, null,
          p.started_at - i * 1000, p.updated_at - i * 1000, null, 1
        from n, processes p where p.id = ${model.id}`.execute(tx);
      await sql`
        insert into process_members (process_id, employee_id, role)
        select id, initiator_id, 'initiator' from processes where id like 'bench-%'`.execute(tx);
    });
    await sql`analyze`.execute(store.db);

    const loggedIn = async (login: string, password: string) => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/`);
      await page.locator('input[name=login]').fill(login);
      await page.locator('input[name=password]').fill(password);
      await page.locator('button[type=submit]').click();
      await page.waitForURL(/\/processes/);
      return page;
    };

    const adminPage = await loggedIn('admin', 'bench-admin-pass');
    await adminPage.context().addInitScript({ content: designerProbe(BIG) });
    // Were a draft left unsaved after all, leaving it must not stop the next opening.
    adminPage.on('dialog', (dialog) => void dialog.accept());
    const designer: DesignerRun[] = [];
    for (let i = 0; i < (options.designerRuns ?? options.runs); i++) {
      designer.push(await designerRun(adminPage.context(), adminPage, `${server.url}/designer/${big.id}`));
      const r = designer[designer.length - 1] as DesignerRun;
      log(
        `web: designer first paint ${r.firstPaintMs} ms, laid out ${r.laidOutMs} ms, longest task typing ` +
          `${r.typingLongestTaskMs} ms (worst key ${r.typingWorstKeyMs} ms, ${r.typingCpuPerKeyMs} ms CPU a key)`,
      );
    }
    const adminJournal: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      adminJournal.push(
        await timed(adminPage, `${server.url}/processes`, () =>
          adminPage.locator('[data-testid=journal-row]').first().waitFor(),
        ),
      );
    }
    const managerPage = await loggedIn('mara', 'mara-password');
    const managerJournal: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      managerJournal.push(
        await timed(managerPage, `${server.url}/processes`, () =>
          managerPage.locator('[data-testid=journal-row]').first().waitFor(),
        ),
      );
    }
    log(`web: journal admin ${adminJournal.join(', ')} ms, manager ${managerJournal.join(', ')} ms`);
    return {
      designer300: {
        stages: BIG,
        runs: designer,
        firstPaintMedianMs: median(designer.map((r) => r.firstPaintMs)),
        laidOutMedianMs: designer.some((r) => r.laidOutMs === null)
          ? null
          : median(designer.map((r) => r.laidOutMs ?? 0)),
        typingLongestTaskMs: Math.max(...designer.map((r) => r.typingLongestTaskMs)),
        typingWorstKeyMs: Math.max(...designer.map((r) => r.typingWorstKeyMs)),
        typingCpuPerKeyMedianMs: median(designer.map((r) => r.typingCpuPerKeyMs)),
      },
      journal: {
        processes: options.processes + 1,
        adminFirstRowsMs: adminJournal,
        adminMedianMs: median(adminJournal),
        managerVisible: Math.floor(options.processes / 5),
        managerFirstRowsMs: managerJournal,
        managerMedianMs: median(managerJournal),
      },
    };
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Section `web`: the designer and the journal's first rows in Chromium (SQLite). */
export const webSection: BenchSection = {
  name: 'web',
  title: 'Web app in Chromium: the designer and the journal (SQLite)',
  async run(options: BenchOptions): Promise<SectionAnswer> {
    const processes = options.quick ? 100_000 : 1_000_000;
    const r = await benchWeb({ processes, runs: 3, designerRuns: options.quick ? 3 : 5 });
    const d = r.designer300;
    const offThread = d.runs.every((run) => run.layoutWorker && !run.layoutOnMainThread);
    const figures: Figure[] = [
      {
        figure: `designer: open and validate a ${d.stages}-stage definition without saved places, to first paint (all stages listed, chart drawn, validation shown; median of ${d.runs.length})`,
        value: `**${d.firstPaintMedianMs} ms**`,
        goal: '≤ 300 ms to first paint',
        comparison: `runs ${d.runs.map((r) => r.firstPaintMs).join(', ')} ms from navigation start; longest main-thread task before it ${d.runs.map((r) => r.openLongestTaskMs).join(', ')} ms`,
        met: d.firstPaintMedianMs <= 300,
      },
      {
        figure: 'designer: layout of that definition off the main thread',
        value: offThread
          ? `ELK in a Web Worker; laid out ${d.laidOutMedianMs ?? '—'} ms after navigation start (median), the chart drawn on a grid until then`
          : 'the layout ran on the main thread',
        goal: 'layout off the main thread',
        comparison: `laid out at ${d.runs.map((r) => r.laidOutMs ?? '—').join(', ')} ms`,
        met: offThread,
      },
      {
        figure: `designer: typing in a stage's name (${d.runs[0]?.keys ?? 0} keys a run, from right after the first paint, through the layout's arrival, to after it), longest main-thread task (worst of ${d.runs.length} runs)`,
        value: `**${d.typingLongestTaskMs} ms**`,
        goal: 'never blocks > 50 ms',
        comparison: `per run ${d.runs.map((r) => r.typingLongestTaskMs).join(', ')} ms; slowest key to next frame ${d.typingWorstKeyMs} ms; main-thread CPU a key once laid out ${d.typingCpuPerKeyMedianMs} ms (median)`,
        met: d.typingLongestTaskMs <= 50,
      },
      {
        figure: `journal in Chromium over ${fmtInt(r.journal.processes)} processes: first rows (median of 3), admin / manager`,
        value: `${r.journal.adminMedianMs} ms / ${r.journal.managerMedianMs} ms (manager sees ${fmtInt(r.journal.managerVisible)})`,
        goal: '— (the goal is per API call, see the journal section)',
        comparison: `admin runs ${r.journal.adminFirstRowsMs.join(', ')} ms; manager ${r.journal.managerFirstRowsMs.join(', ')} ms`,
        met: null,
      },
    ];
    return {
      scale: options.quick ? `QUICK: the journal over ${fmtInt(processes)} processes (full: 1,000,000)` : '',
      figures,
      data: r,
    };
  },
};
