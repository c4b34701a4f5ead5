/**
 * Every main screen on a phone (390×844) and a laptop (1366×768), in English and Russian, over
 * the demo content: no page is wider than the window, and every open dialog's buttons are inside
 * it. The menu folds behind a button on the phone, the designer switches between its list and its
 * flowchart, the finish dialog fills the phone's screen. On the first store the screens are also
 * photographed at 1440×900 and 390×844 into test-results/screens/<screen>-<lang>-<width>.png.
 * One page load per store: the screens are reached inside the app, the window is resized in place.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser, logIn } from './browser.ts';

const SHOTS = path.resolve('test-results/screens');
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1366, height: 768 };
const DESKTOP = { width: 1440, height: 900 };

interface Layout {
  scrollWidth: number;
  innerWidth: number;
  /** The outermost elements that stick out past the right edge, to name in a failure. */
  culprits: string[];
  /** Buttons of open dialogs that are not wholly inside the window. */
  hiddenButtons: string[];
  dialogs: number;
}

/** Measures the page as it stands (after two frames, so a resize has been laid out). */
function measure(page: Page): Promise<Layout> {
  return page.evaluate(async () => {
    const w = globalThis as any;
    await new Promise((done) => w.requestAnimationFrame(() => w.requestAnimationFrame(done)));
    const doc = w.document;
    const vw = w.innerWidth;
    const vh = w.innerHeight;
    const name = (el: any) =>
      `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    const culprits: string[] = [];
    for (const el of Array.from(doc.querySelectorAll('body *')) as any[]) {
      const box = el.getBoundingClientRect();
      const parent = el.parentElement?.getBoundingClientRect();
      if (box.width > 0 && box.right > vw + 0.5 && parent && parent.right <= vw + 0.5)
        culprits.push(`${name(el)} (right ${Math.round(box.right)})`);
    }
    const hiddenButtons: string[] = [];
    const open = Array.from(doc.querySelectorAll('dialog[open]')) as any[];
    for (const dialog of open) {
      // The closing ×, the dialog's own action row, and every button's horizontal extent.
      for (const button of Array.from(dialog.querySelectorAll('button')) as any[]) {
        const box = button.getBoundingClientRect();
        if (box.width === 0) continue;
        const mustShow = button.closest('.dialog-actions, .dialog-header') !== null;
        const outside =
          box.left < -0.5 || box.right > vw + 0.5 || (mustShow && (box.top < -0.5 || box.bottom > vh + 0.5));
        if (outside)
          hiddenButtons.push(
            `"${button.textContent.trim()}" at ${Math.round(box.left)},${Math.round(box.top)}`,
          );
      }
    }
    return {
      scrollWidth: doc.documentElement.scrollWidth,
      innerWidth: vw,
      culprits: culprits.slice(0, 8),
      hiddenButtons,
      dialogs: open.length,
    };
  });
}

for (const [index, store] of STORES.entries()) {
  const photograph = index === 0;
  const sizes = photograph ? [PHONE, LAPTOP, DESKTOP] : [PHONE, LAPTOP];

  describe(`${store}: every main screen fits a phone and a laptop`, () => {
    let t: TestServer;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];
    const ids = { process: '', definition: '', client: '' };

    /** Opens a path inside the app, as a link would (no page load; a new history entry key). */
    let visits = 0;
    async function go(to: string, ready: Locator): Promise<void> {
      visits += 1;
      await page.evaluate(
        ([url, n]) => {
          const w = globalThis as any;
          w.history.pushState({ usr: null, key: `visit${n}`, idx: w.history.length }, '', url);
          w.dispatchEvent(new w.PopStateEvent('popstate'));
        },
        [to, visits] as const,
      );
      await ready.first().waitFor();
    }

    async function check(screen: string, lang: string, size: typeof PHONE): Promise<Layout> {
      const layout = await measure(page);
      const where = `${screen} in ${lang} at ${size.width}px`;
      expect(
        layout.scrollWidth,
        `${where} is wider than the window: ${layout.culprits.join(', ')}`,
      ).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.hiddenButtons, `${where}: dialog buttons outside the window`).toEqual([]);
      if (photograph && size.width !== LAPTOP.width)
        await page.screenshot({ path: path.join(SHOTS, `${screen}-${lang}-${size.width}.png`) });
      return layout;
    }

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      t = await startTestServer(store, { STAGEFLOW_DEMO: '1' });
      const active = (await t.admin.get('/api/processes?status=active&limit=50')).body.items as any[];
      const process = active.find((p) => p.stage.state === 'not_started' || p.stage.state === 'in_progress');
      ids.process = process.id;
      const definitions = (await t.admin.get('/api/definitions')).body;
      ids.definition = (definitions.items ?? definitions)[0].id;
      ids.client = (await t.admin.get('/api/counterparties?limit=1')).body.items[0].id;
      browser = await launchBrowser();
      const context = await browser.newContext({ viewport: DESKTOP });
      page = await context.newPage();
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      await logIn(page, t.url, 'admin', ADMIN_PASSWORD);
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    for (const lang of ['en', 'ru'] as const) {
      it(`in ${lang === 'en' ? 'English' : 'Russian'}`, { timeout: 240_000 }, async () => {
        await page.setViewportSize(DESKTOP);
        await page.getByRole('button', { name: lang.toUpperCase(), exact: true }).click();
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);

        // The shell: on the phone the menu folds behind ☰, opens over the page and folds again.
        await go('/processes', page.getByTestId('journal-row'));
        const toggle = page.getByTestId('menu-toggle');
        const firstLink = page.locator('nav[aria-label=Main] a').first();
        for (const size of sizes) {
          await page.setViewportSize(size);
          if (size === PHONE) {
            expect(await toggle.isVisible()).toBe(true);
            expect(await firstLink.isVisible()).toBe(false);
            await toggle.click();
            await firstLink.waitFor();
            expect(await page.getByTestId('notification-bell').isVisible()).toBe(true);
            await check('menu', lang, size);
            await page.locator('nav[aria-label=Main] a[href="/tasks"]').click();
            await page.waitForURL(/\/tasks$/);
            await firstLink.waitFor({ state: 'hidden' });
            await go('/processes', page.getByTestId('journal-row'));
          } else {
            expect(await toggle.isVisible()).toBe(false);
            expect(await firstLink.isVisible()).toBe(true);
          }
        }

        // The journal: on the phone its rows are cards (no table header), the chips say they add up.
        for (const size of sizes) {
          await page.setViewportSize(size);
          await check('journal', lang, size);
          const header = page.locator('.journal-table thead');
          expect(await header.isVisible()).toBe(size !== PHONE);
          expect(await page.locator('.chips-hint').isVisible()).toBe(true);
          // The notification panel opens inside the window.
          await page.getByTestId('notification-bell').click();
          const panel = page.locator('.notification-panel');
          await panel.waitFor();
          const box = await panel.boundingBox();
          expect(box && box.x >= 0 && box.x + box.width <= size.width).toBe(true);
          await check('notifications', lang, size);
          await page.getByTestId('notification-bell').click();
          await panel.waitFor({ state: 'hidden' });
        }

        // The process card, and its finish dialog with the buttons in view.
        await go(`/processes/${ids.process}`, page.getByTestId('finish-stage'));
        // The screenshot shows the laid-out flowchart, not its placeholder.
        await page.locator('.react-flow__node').first().waitFor();
        for (const size of sizes) {
          await page.setViewportSize(size);
          await check('process-card', lang, size);
          await page.getByTestId('finish-stage').click();
          await page.getByTestId('finish-confirm').waitFor();
          const layout = await check('finish-dialog', lang, size);
          expect(layout.dialogs).toBe(1);
          if (size === PHONE) {
            const dialog = await page.locator('dialog[open]').boundingBox();
            expect(dialog?.width).toBe(PHONE.width);
          }
          await page.keyboard.press('Escape');
          await page.locator('dialog[open]').waitFor({ state: 'detached' });
        }

        // The designer: its list, and on the phone a switch to the flowchart.
        await go('/designer', page.getByTestId('definition-row'));
        for (const size of sizes) {
          await page.setViewportSize(size);
          await check('designer-list', lang, size);
        }
        await go(`/designer/${ids.definition}`, page.getByTestId('stage-row'));
        const chart = page.getByTestId('designer-canvas');
        for (const size of sizes) {
          await page.setViewportSize(size);
          const switcher = page.getByTestId('designer-view-chart');
          if (size === PHONE) {
            await page.getByTestId('designer-view-list').click();
            expect(await chart.isVisible()).toBe(false);
            await check('designer', lang, size);
            await switcher.click();
            await page.locator('.react-flow__node').first().waitFor();
            expect(await page.getByTestId('stage-row').first().isVisible()).toBe(false);
            const canvas = await chart.boundingBox();
            // The chart has the screen's width and most of its height, not a sliver.
            expect(canvas?.width, 'chart width').toBeGreaterThan(PHONE.width * 0.9);
            expect(canvas?.height, 'chart height').toBeGreaterThan(PHONE.height * 0.4);
            // Shown by the switch, the chart lays itself out in its real box (it never zooms out
            // below a readable size, so a long chart is panned): stages are in view, readable.
            const inside = await page.locator('.react-flow__node').evaluateAll((nodes, box: any) => {
              return nodes.filter((n: any) => {
                const b = n.getBoundingClientRect();
                const x = b.x + b.width / 2;
                const y = b.y + b.height / 2;
                return (
                  x > box.x && x < box.x + box.width && y > box.y && y < box.y + box.height && b.width > 80
                );
              }).length;
            }, canvas);
            expect(inside, 'stages in view on the chart').toBeGreaterThanOrEqual(1);
            await check('designer-chart', lang, size);
          } else {
            // Wide: both panes side by side, no switch.
            expect(await switcher.isVisible()).toBe(false);
            expect(await chart.isVisible()).toBe(true);
            expect(await page.getByTestId('stage-row').first().isVisible()).toBe(true);
            await check('designer', lang, size);
          }
        }

        const screens: [string, string, Locator][] = [
          ['tasks', '/tasks', page.locator('[data-testid=task-row], .empty')],
          ['clients', '/clients', page.getByTestId('record-row')],
          ['client-card', `/clients/${ids.client}`, page.getByTestId('launch-from-card')],
          ['employees', '/employees', page.getByTestId('record-row')],
          ['launch', '/launch', page.getByTestId('launch-definition')],
        ];
        for (const [screen, to, ready] of screens) {
          await go(to, ready);
          for (const size of sizes) {
            await page.setViewportSize(size);
            await check(screen, lang, size);
          }
        }
        expect(problems).toEqual([]);
      });
    }
  });
}
