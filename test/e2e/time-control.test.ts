/**
 * Time control in Chromium: an administrator gives a stage a deadline in the designer, a process
 * launched on it shows the deadline on its card and in the journal, and after the test clock passes
 * it the badge turns red — at 1440 px in English and at 390 px in Russian. The calendar and
 * absences screen fits both widths in both languages. Screens go to test-results/screens/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus } from '../support/api-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser, logIn } from './browser.ts';

const SHOTS = path.resolve('test-results/screens');

/** How far the page overflows its window sideways, in pixels (0 when it fits). */
async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const g = globalThis as any;
    return g.document.documentElement.scrollWidth - g.innerWidth;
  });
}

/** The badge's background colour as [r, g, b]. */
async function badgeColour(page: Page, testId: string): Promise<number[]> {
  const css = await page
    .getByTestId(testId)
    .first()
    .evaluate((e) => (globalThis as any).getComputedStyle(e).backgroundColor);
  return (String(css).match(/\d+/g) ?? []).slice(0, 3).map(Number);
}

for (const store of STORES) {
  describe(`${store}: deadlines in Chromium`, () => {
    let t: TestServer;
    let browser: Browser;
    let page: Page;
    let definitionId: string;

    async function setLanguage(lang: 'en' | 'ru'): Promise<void> {
      await page.evaluate((l) => (globalThis as any).localStorage.setItem('stageflow.lang', l), lang);
      await page.reload();
    }

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      t = await startTestServer(store);
      const me = (await t.admin.get('/api/me')).body;
      const created = await t.admin.post('/api/definitions', {
        name: 'Callback with a deadline',
        stages: [
          { key: 'call', name: 'Call back', kind: 'start', responsibles: [me.id] },
          { key: 'done', name: 'Done', kind: 'end' },
        ],
        transitions: [{ from: 'call', to: 'done', result: 'Called' }],
      });
      expectStatus(created, 201);
      definitionId = created.body.id;
      browser = await launchBrowser();
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      page = await context.newPage();
      await logIn(page, t.url, 'admin', 'admin-password-1');
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it('sets a deadline in the designer, then the card and the journal turn red once the clock passes it', {
      timeout: 120_000,
    }, async () => {
      await page.goto(`${t.url}/designer/${definitionId}`);
      await page
        .getByTestId('stage-row')
        .filter({ hasText: 'Call back' })
        .getByRole('button')
        .first()
        .click();
      await page.getByTestId('toggle-deadline').check();
      const due = page.getByTestId('deadline-duration');
      await due.getByRole('spinbutton').fill('1');
      await due.getByRole('combobox').selectOption('hours');
      // Calendar time: the test does not depend on which weekday it runs.
      await page.getByTestId('deadline-working').uncheck();
      await expect.poll(() => page.getByTestId('validation-error').count()).toBe(0);
      await page.getByTestId('save-draft').click();
      await page.getByText('Draft saved').waitFor();
      await page.getByTestId('publish').click();
      await page.getByText(/Published as version 1/).waitFor();
      const saved = await t.admin.get(`/api/definitions/${definitionId}`);
      expect(saved.body.stages?.[0]?.deadline ?? saved.body.draft?.stages?.[0]?.deadline).toEqual({
        duration: 'PT1H',
      });

      const launched = await t.admin.post('/api/processes', { definitionId });
      expectStatus(launched, 201);
      await page.goto(`${t.url}/processes/${launched.body.id}`);
      const badge = page.getByTestId('due-badge');
      await badge.waitFor();
      expect(await badge.getAttribute('data-state')).toBe('due-soon');

      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT2H' }), 200);
      await page.reload();
      await expect.poll(() => badge.getAttribute('data-state')).toBe('overdue');
      expect(await badge.innerText()).toMatch(/overdue since/);
      const [r, g, b] = await badgeColour(page, 'due-badge');
      expect(r).toBeGreaterThan(150);
      expect(g).toBeLessThan(r as number);
      expect(b).toBeLessThan(r as number);
      await page.screenshot({ path: path.join(SHOTS, `card-overdue-en-1440.png`) });

      await page.goto(`${t.url}/processes`);
      await page.getByTestId('journal-due').first().waitFor();
      expect(await page.getByTestId('journal-due').first().getAttribute('data-state')).toBe('overdue');

      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${t.url}/processes/${launched.body.id}`);
      await setLanguage('ru');
      await badge.waitFor();
      expect(await badge.innerText()).toMatch(/просрочен с/);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(SHOTS, `card-overdue-ru-390.png`) });
      await page.setViewportSize({ width: 1440, height: 900 });
      await setLanguage('en');
    });

    it('shows the calendar and absences at 390 px and 1440 px in English and Russian', {
      timeout: 60_000,
    }, async () => {
      await page.goto(`${t.url}/calendar`);
      for (const lang of ['en', 'ru'] as const) {
        await setLanguage(lang);
        for (const width of [1440, 390]) {
          await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
          await page.getByTestId('save-calendar').waitFor();
          expect(await page.getByTestId('weekday-6').isChecked()).toBe(false);
          expect(await overflow(page), `${lang} at ${width}`).toBeLessThanOrEqual(0);
          await page.screenshot({ path: path.join(SHOTS, `calendar-${lang}-${width}.png`), fullPage: true });
        }
      }
      await page.setViewportSize({ width: 1440, height: 900 });
      await setLanguage('en');
      // A Saturday becomes a working day, and it is kept.
      await page.getByTestId('weekday-6').check();
      await page.getByTestId('save-calendar').click();
      await page.getByText('Saved.').waitFor();
      expect((await t.admin.get('/api/calendar')).body.workingDays).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('sorts the journal by deadline, soonest first and back, leaving out processes without one', {
      timeout: 60_000,
    }, async () => {
      const me = (await t.admin.get('/api/me')).body;
      const created = await t.admin.post('/api/definitions', {
        name: 'Deadline order',
        stages: [
          { key: 'call', name: 'Call', kind: 'start', responsibles: [me.id], deadline: { duration: 'PT1H' } },
          { key: 'later', name: 'Later', kind: 'normal', responsibles: [me.id] },
          { key: 'done', name: 'Done', kind: 'end' },
        ],
        transitions: [
          { from: 'call', to: 'later', result: 'Later' },
          { from: 'later', to: 'done', result: 'Done' },
        ],
      });
      expectStatus(created, 201);
      const id = created.body.id;
      expectStatus(await t.admin.post(`/api/definitions/${id}/publish`), 200);
      const launch = async () => {
        const launched = await t.admin.post('/api/processes', { definitionId: id });
        expectStatus(launched, 201);
        expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT20M' }), 200);
        return launched.body.id as string;
      };
      // Due first, due later, and one moved on to a stage without a deadline (changed last).
      const soon = await launch();
      const later = await launch();
      const none = await launch();
      expectStatus(
        await t.admin.post(`/api/processes/${none}/stage`, { state: 'done', result: 'Later' }),
        200,
      );

      const order = () =>
        page
          .getByTestId('journal-row')
          .locator('a.process-link')
          .evaluateAll((links) => links.map((a) => String(a.getAttribute('href')).split('/').pop()));
      await page.goto(`${t.url}/processes?definitionId=${id}`);
      await expect.poll(order).toEqual([none, later, soon]);
      const active = () => page.getByTestId('status-count-active').textContent();
      await expect.poll(active).toBe('3');
      const header = page.getByTestId('sort-due');
      expect(await header.textContent()).toBe('Deadline');
      await header.click();
      await expect.poll(order).toEqual([soon, later]);
      expect(await header.textContent()).toBe('Deadline ↑');
      await page.getByText('only processes with a deadline').waitFor();
      // The counts (and so "all matching" of a bulk action) cover what the list shows.
      await expect.poll(active).toBe('2');
      await header.click();
      await expect.poll(order).toEqual([later, soon]);
      expect(page.url()).toContain('sort=-dueAt');
      await setLanguage('ru');
      await expect.poll(() => header.textContent()).toBe('Срок ↓');
      await expect.poll(order).toEqual([later, soon]);
      await setLanguage('en');
    });
  });
}
