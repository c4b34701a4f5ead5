/**
 * The flowchart never misleads, in Chromium at 1440 px: on both demo processes, in the designer and
 * on a process card, no arrow's label box overlaps a stage or another label, every label is drawn,
 * and labels stay readable (at least 11 px on screen, or a minimap is there to find the rest).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser, logIn } from './browser.ts';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Drawn {
  labels: { text: string; box: Box }[];
  nodes: { id: string; box: Box }[];
  /** The label font's size on screen, in pixels. */
  labelPixels: number;
  minimap: boolean;
}

/** What the chart shows, as boxes on the screen. */
async function drawn(page: Page, scope: string): Promise<Drawn> {
  return page.evaluate((scopeSelector) => {
    // Runs in the page (the project's type check has no DOM types).
    const g = globalThis as any;
    const root = g.document.querySelector(scopeSelector);
    const box = (e: any) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const labels = [...root.querySelectorAll('.react-flow__edge')].flatMap((edge: any) => {
      const bg = edge.querySelector('.react-flow__edge-textbg');
      const text = edge.querySelector('.react-flow__edge-text');
      return bg && text ? [{ text: text.textContent ?? '', box: box(bg) }] : [];
    });
    const nodes = [...root.querySelectorAll('.react-flow__node')].map((n: any) => ({
      id: n.getAttribute('data-id') ?? '',
      box: box(n),
    }));
    const viewport = root.querySelector('.react-flow__viewport');
    const zoom = new g.DOMMatrixReadOnly(g.getComputedStyle(viewport).transform).a as number;
    const text = root.querySelector('.react-flow__edge-text');
    const labelPixels = Number.parseFloat(g.getComputedStyle(text).fontSize) * zoom;
    return { labels, nodes, labelPixels, minimap: root.querySelector('.react-flow__minimap') !== null };
  }, scope);
}

/** Every script and file the page has loaded (Resource Timing), workers' scripts included. */
const loadedScripts = (page: Page): Promise<string[]> =>
  page.evaluate(() => (globalThis as any).performance.getEntriesByType('resource').map((e: any) => e.name));

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** A definition of `n` stages without places, each leading to the next ("Next"). */
function chain(name: string, n: number) {
  const stages = Array.from({ length: n }, (_, i) => ({
    key: `s${i}`,
    name: `Stage ${i + 1}`,
    kind: i === 0 ? 'start' : i === n - 1 ? 'end' : 'normal',
  }));
  const transitions = stages.slice(1).map((s, i) => ({ from: `s${i}`, to: s.key, result: 'Next' }));
  return { name, stages, transitions };
}

function problems(d: Drawn): string[] {
  const found: string[] = [];
  d.labels.forEach((l, i) => {
    for (const n of d.nodes) if (overlap(l.box, n.box)) found.push(`label "${l.text}" covers stage ${n.id}`);
    d.labels.forEach((m, j) => {
      if (j > i && overlap(l.box, m.box)) found.push(`labels "${l.text}" and "${m.text}" overlap`);
    });
  });
  if (d.labelPixels < 11 && !d.minimap)
    found.push(`labels are ${d.labelPixels.toFixed(1)} px with no minimap`);
  return found;
}

for (const store of STORES) {
  describe(`${store}: the flowchart in Chromium`, () => {
    let t: TestServer;
    let browser: Browser;
    let page: Page;
    let definitions: { id: string; name: string; transitions: number }[];

    beforeAll(async () => {
      t = await startTestServer(store, { STAGEFLOW_DEMO: '1' });
      const list = await t.admin.get('/api/definitions');
      const items = (list.body.items ?? list.body) as { id: string; name: string }[];
      definitions = [];
      for (const d of items) {
        const full = await t.admin.get(`/api/definitions/${d.id}`);
        definitions.push({ id: d.id, name: d.name, transitions: full.body.transitions.length });
      }
      browser = await launchBrowser();
      const context = await browser.newContext({ viewport: { width: 1440, height: 950 } });
      page = await context.newPage();
      await logIn(page, t.url, 'admin', 'admin-password-1');
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it('keeps every label of both demo processes off the stages and off each other', {
      timeout: 90_000,
    }, async () => {
      expect(definitions.map((d) => d.name).sort()).toEqual(['Delivery of goods', 'Monitoring lost clients']);
      for (const d of definitions) {
        await page.goto(`${t.url}/designer/${d.id}`);
        const edges = page.locator(
          '.designer-canvas .react-flow__edge-textbg, .definition-flow .react-flow__edge-textbg',
        );
        await expect.poll(() => edges.count(), { timeout: 15_000 }).toBe(d.transitions);
        await expect
          .poll(async () => (await drawn(page, '.definition-flow')).nodes.length)
          .toBeGreaterThan(0);
        const chart = await drawn(page, '.definition-flow');
        expect(chart.labels).toHaveLength(d.transitions);
        // Labels are placed once their text is measured, a frame or two after the stages: the
        // chart must settle with no label on a stage or on another label.
        await expect
          .poll(async () => problems(await drawn(page, '.definition-flow')), {
            timeout: 10_000,
            message: d.name,
          })
          .toEqual([]);
        // The layout engine ran in its worker, never on the page's own thread.
        const scripts = await loadedScripts(page);
        expect(
          scripts.some((s) => s.includes('elk-worker')),
          d.name,
        ).toBe(true);
        expect(
          scripts.some((s) => s.includes('elk.bundled')),
          d.name,
        ).toBe(false);
      }
    });

    it('draws a large definition without places at once, then lays it out without an unsaved change', {
      timeout: 90_000,
    }, async () => {
      const n = 120;
      const created = await t.admin.post('/api/definitions', chain('Long chain', n));
      expect(created.status).toBe(201);
      // The session's answer is held back a moment, so that a page waiting for it before asking for
      // the definition would ask after it, whatever the machine's load.
      const session = '**/api/auth/session';
      await page.route(session, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await route.continue();
      });
      await page.goto(`${t.url}/designer/${created.body.id}`);
      await expect.poll(() => page.getByTestId('stage-row').count(), { timeout: 15_000 }).toBe(n);
      await page.unroute(session);
      // Opened at its address, the page asks for the definition along with the session, not after
      // the session's answer (Resource Timing: when each request went out and its answer ended).
      const asked = await page.evaluate((id) => {
        const entries = (globalThis as any).performance.getEntriesByType('resource') as any[];
        const first = (part: string) => entries.find((e) => new URL(e.name).pathname === part);
        const session = first('/api/auth/session');
        const definition = first(`/api/definitions/${id}`);
        return { sessionAnswered: session?.responseEnd, definitionAsked: definition?.startTime };
      }, created.body.id as string);
      expect(asked.definitionAsked).toBeLessThan(asked.sessionAnswered);
      await page.locator('.definition-flow .react-flow__node').first().waitFor();
      // The rule list and the minimap follow the first frame: there, all of them.
      await expect.poll(() => page.getByTestId('rule-row').count(), { timeout: 15_000 }).toBe(n - 1);
      await page.locator('.definition-flow .react-flow__minimap').waitFor();
      await page.locator('.definition-flow .react-flow[aria-busy=false]').waitFor({ timeout: 60_000 });
      // Laid out left to right: the second stage is right of the first, level with it.
      const first = await page.locator('.react-flow__node[data-id=s0]').boundingBox();
      const second = await page.locator('.react-flow__node[data-id=s1]').boundingBox();
      expect(second?.x).toBeGreaterThan((first?.x ?? 0) + (first?.width ?? 0));
      expect(second?.y).toBeCloseTo(first?.y ?? 0, 0);
      // Placing the stages is not an edit: nothing to undo, nothing unsaved.
      expect(await page.getByTestId('undo').isDisabled()).toBe(true);
      expect(await page.locator('.unsaved-badge').count()).toBe(0);
      const scripts = await loadedScripts(page);
      expect(scripts.some((s) => s.includes('elk-worker'))).toBe(true);
      expect(scripts.some((s) => s.includes('elk.bundled'))).toBe(false);
    });

    it('shows each key typed in a large definition’s stage at once, follows undo, and saves every key', {
      timeout: 90_000,
    }, async () => {
      const n = 100;
      const created = await t.admin.post('/api/definitions', chain('Typed chain', n));
      expect(created.status).toBe(201);
      await page.goto(`${t.url}/designer/${created.body.id}`);
      await expect.poll(() => page.getByTestId('stage-row').count(), { timeout: 15_000 }).toBe(n);
      // Typed at once, while the layout may still be on its way.
      await page.locator('[data-testid=stage-row] .stage-row-head').nth(2).click();
      const field = page.getByTestId('stage-name');
      await field.press('End');
      await field.pressSequentially(' typed', { delay: 5 });
      expect(await field.inputValue()).toBe('Stage 3 typed');
      // The list, the chart and the rules follow the draft (the rule list's way in and way out, and
      // the way out among the stage's own settings).
      const row = page.getByTestId('stage-row').nth(2);
      await expect.poll(() => row.textContent()).toContain('Stage 3 typed');
      await expect
        .poll(() => page.locator('.react-flow__node[data-id=s2]').textContent())
        .toContain('Stage 3 typed');
      await expect
        .poll(() => page.getByTestId('rule-row').filter({ hasText: 'Stage 3 typed' }).count())
        .toBe(3);
      await page.locator('.definition-flow .react-flow[aria-busy=false]').waitFor({ timeout: 60_000 });
      // The burst of keys is one step; undoing it puts the name back in the field too.
      await page.getByTestId('undo').click();
      await expect.poll(() => field.inputValue()).toBe('Stage 3');
      expect(await page.getByTestId('undo').isDisabled()).toBe(true);
      await expect
        .poll(() => page.locator('.react-flow__node[data-id=s2]').textContent())
        .not.toContain('typed');
      // Save straight after the last key saves every key.
      await field.press('End');
      await field.pressSequentially(' saved', { delay: 5 });
      await page.getByTestId('save-draft').click();
      await page.getByText('Draft saved').waitFor();
      const saved = await t.admin.get(`/api/definitions/${created.body.id}`);
      expect(saved.body.stages.find((s: { key: string }) => s.key === 's2').name).toBe('Stage 3 saved');
      expect(await page.locator('.unsaved-badge').count()).toBe(0);
      expect(await field.inputValue()).toBe('Stage 3 saved');
      // So does the save shortcut straight after the last key (Ctrl+S in the definition's name).
      const title = page.getByTestId('definition-name');
      await title.click();
      await title.press('End');
      await title.pressSequentially(' v2', { delay: 5 });
      await title.press('Control+s');
      await expect
        .poll(async () => (await t.admin.get(`/api/definitions/${created.body.id}`)).body.name)
        .toBe('Typed chain v2');
      await expect.poll(() => page.locator('.unsaved-badge').count()).toBe(0);
      expect(await title.inputValue()).toBe('Typed chain v2');
    });

    it('draws the process card’s chart the same way', { timeout: 60_000 }, async () => {
      const monitoring = definitions.find((d) => d.name === 'Monitoring lost clients');
      const processes = await t.admin.get(`/api/processes?definitionId=${monitoring?.id}`);
      const id = (processes.body.items[0] as { id: string }).id;
      await page.goto(`${t.url}/processes/${id}`);
      const edges = page.locator('.card-flow .react-flow__edge-textbg');
      await expect.poll(() => edges.count(), { timeout: 15_000 }).toBe(monitoring?.transitions);
      const chart = await drawn(page, '.card-flow');
      expect(problems(chart)).toEqual([]);
    });
  });
}
