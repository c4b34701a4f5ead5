/**
 * The bottleneck overlay in Chromium, on the demo process "Monitoring lost clients": processes
 * are walked through its stages on the test clock so the stages' medians differ (calling about an
 * hour, analysing over two days, resting thirty); then, in English and Russian, the designer at 1440 px and the
 * process card at 1440 and 390 px colour the stages by median, draw busier arrows wider, and show a
 * stage's figures on hover (desktop) or tap (phone). Screens: test-results/screens/heat-<lang>-<width>.png.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus } from '../support/api-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser } from './browser.ts';

const SHOTS = path.resolve('test-results/screens');
const DESKTOP = { width: 1440, height: 950 };
const PHONE = { width: 390, height: 844 };

interface StageFigures {
  key: string;
  name: string;
  entered: number;
  completed: number;
  now: number;
  medianMs: number | null;
  results: { result: string; to: string; count: number; share: number }[];
}

const TEXTS = {
  en: {
    toggle: 'Show bottlenecks',
    pickDays: 'Pick both days, the first not after the last.',
    analyseMedian: '2 d 4 h',
    callMedian: '1 h',
    /** Thirty days and the two the first walk took, on the test clock. */
    restMedian: /^median 3\d d( \d+ h)?/,
    processes: (n: number) => `${n} ${n === 1 ? 'process' : 'processes'}`,
  },
  ru: {
    toggle: 'Показать узкие места',
    pickDays: 'Укажите обе даты, первую не позже второй.',
    analyseMedian: '2 дн 4 ч',
    callMedian: '1 ч',
    restMedian: /^медиана 3\d дн( \d+ ч)?/,
    processes: (n: number) => {
      const form = new Intl.PluralRules('ru').select(n);
      return `${n} ${form === 'one' ? 'процесс' : form === 'few' ? 'процесса' : 'процессов'}`;
    },
  },
} as const;
type Lang = keyof typeof TEXTS;

/** The day `offset` days from today, as typed into a day field: "01.12.2026". */
function day(offset: number): string {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getDate())}.${two(d.getMonth() + 1)}.${d.getFullYear()}`;
}

/** The computed fill of a stage and the stroke width of every arrow, by transition index. */
async function drawnHeat(page: Page, scope: string) {
  return page.evaluate((scopeSelector) => {
    // Runs in the page (the project's type check has no DOM types).
    const g = globalThis as any;
    const root = g.document.querySelector(scopeSelector);
    const fills: Record<string, string> = {};
    for (const n of root.querySelectorAll('.react-flow__node'))
      fills[n.getAttribute('data-id')] = g.getComputedStyle(n.querySelector('.stage-node')).backgroundColor;
    const widths: Record<string, number> = {};
    for (const e of root.querySelectorAll('.react-flow__edge')) {
      const id = (e.getAttribute('data-id') ?? e.getAttribute('data-testid') ?? '').replace('rf__edge-', '');
      widths[id] = Number.parseFloat(
        g.getComputedStyle(e.querySelector('.react-flow__edge-path')).strokeWidth,
      );
    }
    return { fills, widths };
  }, scope);
}

/** Relative luminance of a CSS `rgb(r, g, b)` colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

for (const [index, store] of STORES.entries()) {
  describe(`${store}: the bottleneck overlay in Chromium`, () => {
    let t: TestServer;
    let browser: Browser;
    let definitionId: string;
    let transitions: { from: string; to: string; result: string }[];
    let figures: Map<string, StageFigures>;
    /** A process of the demo definition that waits in "Prepare an offer". */
    let atOffer: string;

    const advance = async (duration: string) =>
      expectStatus(await t.admin.post('/api/test/clock', { advance: duration }), 200);
    const finish = async (id: string, result: string) =>
      expectStatus(await t.admin.post(`/api/processes/${id}/stage`, { state: 'done', result }), 200);

    beforeAll(async () => {
      t = await startTestServer(store, { STAGEFLOW_DEMO: '1' });
      const list = await t.admin.get('/api/definitions');
      const items = (list.body.items ?? list.body) as { id: string; name: string }[];
      const monitoring = items.find((d) => d.name === 'Monitoring lost clients');
      expect(monitoring).toBeDefined();
      definitionId = monitoring?.id ?? '';
      transitions = (await t.admin.get(`/api/definitions/${definitionId}`)).body.transitions;

      // Six new processes: each calls for an hour; four reach the client, two do not.
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await t.admin.post('/api/processes', { definitionId });
        expectStatus(res, 201);
        ids.push(res.body.id);
      }
      await advance('PT1H');
      for (const [i, id] of ids.entries()) await finish(id, i < 4 ? 'Reached' : 'Not reached');
      // The four reached are analysed for two days and four hours: three have a chance, one not.
      await advance('P2DT4H');
      for (const [i, id] of ids.slice(0, 4).entries())
        await finish(id, i < 3 ? 'Chance to return' : 'Cannot return');
      atOffer = ids[0] as string;
      // The two not reached rest for their thirty days and go back to calling.
      await advance('P30D');

      const from = new Date(Date.now() - 30 * 24 * 3600_000).toISOString();
      const analytics = await t.admin.get(
        `/api/definitions/${definitionId}/analytics?from=${encodeURIComponent(from)}`,
      );
      expectStatus(analytics, 200);
      figures = new Map((analytics.body.stages as StageFigures[]).map((s) => [s.key, s]));
      // The walk made the medians differ: about an hour in the call, over two days in the analysis.
      expect(figures.get('call')?.medianMs).toBeGreaterThanOrEqual(3600_000);
      expect(figures.get('call')?.medianMs).toBeLessThan(3660_000);
      expect(figures.get('analyse')?.medianMs).toBeGreaterThanOrEqual((2 * 24 + 4) * 3600_000);
      expect(figures.get('rest')?.medianMs).toBeGreaterThanOrEqual(30 * 24 * 3600_000);
      browser = await launchBrowser();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    async function open(lang: Lang, size: typeof DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
      const phone = size === PHONE;
      const context = await browser.newContext({ viewport: size, isMobile: phone, hasTouch: phone });
      const page = await context.newPage();
      await page.goto(`${t.url}/`);
      await page.evaluate((l) => (globalThis as any).localStorage.setItem('stageflow.lang', l), lang);
      await page.reload();
      await page.locator('input[name=login]').fill('admin');
      await page.locator('input[name=password]').fill('admin-password-1');
      await page.locator('button[type=submit]').click();
      await page.getByTestId('notification-bell').waitFor();
      return { context, page };
    }

    /** Turns the overlay on in `scope` and waits for its legend; checks colours and widths there. */
    async function switchOn(page: Page, scope: string, lang: Lang) {
      const root = page.locator(scope);
      await root.locator('.react-flow__node').first().waitFor();
      const before = await drawnHeat(page, scope);
      const toggle = root.getByTestId('heat-toggle');
      await expect.poll(() => root.getByText(TEXTS[lang].toggle).count()).toBe(1);
      await toggle.check();
      await root.getByTestId('heat-legend').waitFor();
      await expect.poll(async () => root.getByTestId('stage-heat').count()).toBeGreaterThan(0);
      const after = await drawnHeat(page, scope);

      // Stages: the long analysis is darker than the short call; both differ from the plain chart.
      const call = after.fills.call as string;
      const analyse = after.fills.analyse as string;
      expect(call).not.toBe(analyse);
      expect(call).not.toBe(before.fills.call);
      expect(luminance(analyse)).toBeLessThan(luminance(call));
      expect(luminance(after.fills.rest as string)).toBeLessThan(luminance(analyse));
      // Each stage writes its median too, not only its colour.
      await expect
        .poll(() =>
          root.locator('.react-flow__node[data-id="analyse"] [data-testid=stage-heat]').textContent(),
        )
        .toContain(TEXTS[lang].analyseMedian);
      await expect
        .poll(() => root.locator('.react-flow__node[data-id="rest"] [data-testid=stage-heat]').textContent())
        .toMatch(TEXTS[lang].restMedian);

      // Arrows: as wide as the processes that took them. In the designer the plain chart's arrows are
      // all alike (the card draws the path taken bold).
      if (scope === '.designer-canvas') expect(new Set(Object.values(before.widths)).size).toBe(1);
      const counts = transitions.map(
        (tr) =>
          figures.get(tr.from)?.results.find((r) => r.result === tr.result && r.to === tr.to)?.count ?? 0,
      );
      const widths = transitions.map((_, i) => after.widths[`t${i}`] as number);
      expect(widths.every((w) => w > 0)).toBe(true);
      for (let i = 0; i < counts.length; i++)
        for (let j = 0; j < counts.length; j++)
          if ((counts[i] as number) > (counts[j] as number))
            expect(widths[i], `${i} (${counts[i]}) vs ${j} (${counts[j]})`).toBeGreaterThan(
              widths[j] as number,
            );
      const busiest = counts.indexOf(Math.max(...counts));
      expect(counts[busiest]).toBeGreaterThan(0);
      expect(widths[busiest]).toBeGreaterThan(before.widths[`t${busiest}`] as number);
    }

    /** The figures of `key` the overlay shows, against the API's. */
    async function expectFigures(page: Page, scope: string, key: string, lang: Lang) {
      const details = page.locator(scope).getByTestId('heat-details');
      await details.waitFor();
      expect(await details.getAttribute('data-stage')).toBe(key);
      const stage = figures.get(key) as StageFigures;
      expect(await details.getByTestId('heat-entered').textContent()).toBe(String(stage.entered));
      expect(await details.getByTestId('heat-completed').textContent()).toBe(String(stage.completed));
      expect(await details.getByTestId('heat-now').textContent()).toBe(String(stage.now));
      const results = (await details.getByTestId('heat-results').textContent()) ?? '';
      for (const r of stage.results) {
        expect(results).toContain(r.result);
        expect(results).toContain(TEXTS[lang].processes(r.count));
      }
      // It lies inside the window, readable.
      const box = await details.boundingBox();
      const width = page.viewportSize()?.width ?? 0;
      expect(box && box.x >= 0 && box.x + box.width <= width).toBe(true);
      return details;
    }

    for (const lang of ['en', 'ru'] as const) {
      it(`${lang}: the designer at 1440 px colours stages, widens busy arrows, and shows figures on hover`, {
        timeout: 90_000,
      }, async () => {
        const { context, page } = await open(lang, DESKTOP);
        try {
          await page.goto(`${t.url}/designer/${definitionId}`);
          await switchOn(page, '.designer-canvas', lang);
          // A custom period asks for both days, then for the figures from the first to the last.
          await page.getByTestId('heat-period').selectOption('custom');
          await expect
            .poll(() => page.locator('.designer-canvas .flow-heat-status').textContent())
            .toBe(TEXTS[lang].pickDays);
          const asked = page.waitForRequest((r) => /\/analytics\?.*from=.*&to=/.test(r.url()));
          await page.getByTestId('heat-from').fill(day(-30));
          await page.getByTestId('heat-to').fill(day(7));
          const url = new URL((await asked).url());
          const span =
            Date.parse(url.searchParams.get('to') ?? '') - Date.parse(url.searchParams.get('from') ?? '');
          // From the start of the first day to the end of the last, whatever the zone's clock shifts.
          expect(Math.round(span / (24 * 3600_000))).toBe(38);
          await page.locator('.designer-canvas [data-testid=stage-heat]').first().waitFor();
          // Another preset is drawn too.
          await page.getByTestId('heat-period').selectOption('90');
          await page.getByTestId('heat-legend').waitFor();
          // A stage focused from the keyboard shows its figures.
          await page.locator('.designer-canvas .react-flow__node[data-id="call"]').focus();
          const focused = await expectFigures(page, '.designer-canvas', 'call', lang);
          expect(await focused.getByTestId('heat-median').textContent()).toBe(TEXTS[lang].callMedian);
          await page.locator('.designer-canvas .react-flow__node[data-id="call"]').blur();
          // The whole chart in view, for the picture.
          await page.locator('.designer-canvas .react-flow__controls-fitview').click();
          await page.locator('.designer-canvas .react-flow__node[data-id="analyse"]').hover();
          const details = await expectFigures(page, '.designer-canvas', 'analyse', lang);
          expect(await details.getByTestId('heat-median').textContent()).toBe(TEXTS[lang].analyseMedian);
          if (index === 0) {
            mkdirSync(SHOTS, { recursive: true });
            const shot = path.join(SHOTS, `heat-${lang}-1440.png`);
            await page.screenshot({ path: shot });
            if (lang === 'en') copyFileSync(shot, path.resolve('docs/heat-overlay.png'));
          }
          // Pointing away hides them again.
          await page.mouse.move(5, 5);
          await details.waitFor({ state: 'detached' });
        } finally {
          await context.close();
        }
      });

      it(`${lang}: the process card shows the overlay at 1440 px on hover and at 390 px on a tap`, {
        timeout: 90_000,
      }, async () => {
        for (const size of [DESKTOP, PHONE]) {
          const { context, page } = await open(lang, size);
          try {
            await page.goto(`${t.url}/processes/${atOffer}`);
            await switchOn(page, '.card-flow', lang);
            const node = page.locator('.card-flow .react-flow__node[data-id="offer"]');
            if (size === PHONE) await node.tap();
            else await node.hover();
            const details = await expectFigures(page, '.card-flow', 'offer', lang);
            await details.scrollIntoViewIfNeeded();
            // The whole page still fits the phone's width.
            const wide = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth);
            expect(wide).toBeLessThanOrEqual(size.width);
            if (size === PHONE) {
              if (index === 0) await page.screenshot({ path: path.join(SHOTS, `heat-${lang}-390.png`) });
              // Closing puts the figures away.
              await page
                .locator('.card-flow')
                .getByRole('button', { name: /close|закрыть/i })
                .tap();
              await page.locator('.card-flow [data-testid=heat-details]').waitFor({ state: 'detached' });
            }
          } finally {
            await context.close();
          }
        }
      });
    }
  });
}
