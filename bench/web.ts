/**
 * The web app, measured in Chromium against a real server: the time to open and validate a
 * 300-stage definition in the designer, and the time to the first rows of the journal over a
 * million processes (for an administrator, who sees all, and for a manager, who sees a fifth).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { startServer } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { launchBrowser } from '../test/e2e/browser.ts';
import { type BenchOptions, type BenchSection, type Figure, fmtInt, type SectionAnswer } from './sections.ts';
import { log } from './stats.ts';

export interface WebBenchResult {
  readonly designer300: {
    readonly stages: number;
    readonly openAndValidateMs: number[];
    readonly medianMs: number;
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

async function timed(page: Page, url: string, ready: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await page.goto(url);
  await ready();
  return Math.round(performance.now() - start);
}

export async function benchWeb(options: { processes: number; runs: number }): Promise<WebBenchResult> {
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
      { name: 'Three hundred stages', ...bigDefinition(300) },
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
    const designer: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      designer.push(
        await timed(adminPage, `${server.url}/designer/${big.id}`, async () => {
          // All 300 stages listed, the chart drawn (it renders only the stages in view), validation run.
          await adminPage.locator('[data-testid=stage-row]').nth(299).waitFor();
          await adminPage.locator('.react-flow__node').first().waitFor();
          await adminPage.locator('[data-testid=validation-panel]').waitFor();
        }),
      );
    }
    log(`web: designer ${designer.join(', ')} ms`);
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
      designer300: { stages: 300, openAndValidateMs: designer, medianMs: median(designer) },
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
    const r = await benchWeb({ processes, runs: 3 });
    const figures: Figure[] = [
      {
        figure:
          'designer: open and validate a 300-stage definition (median of 3, to all stages listed, chart drawn, validation shown)',
        value: `**${r.designer300.medianMs} ms**`,
        goal: '≤ 300 ms to first paint',
        comparison: `runs ${r.designer300.openAndValidateMs.join(', ')} ms`,
        met: r.designer300.medianMs <= 300,
        note: 'layout off the main thread and typing latency (≤ 50 ms) are not measured here',
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
