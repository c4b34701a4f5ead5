/**
 * Bulk actions in the journal, in Chromium: an administrator ticks 20 rows and hands them all to
 * another employee, watching the progress bar run to the end and 20 "done" results; a cancelled
 * process in the selection is refused with its reason. On a phone in Russian the checkboxes and
 * the bar fit the screen, and "select all 55 matching this filter" pauses processes not even shown.
 * Screenshots go to test-results/screens/bulk-<lang>-<width>.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainBody } from '../fixtures/definitions.ts';
import { expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { ADMIN_PASSWORD, type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser, logIn, watchedPage } from './browser.ts';

const SHOTS = path.resolve('test-results/screens');

for (const store of STORES) {
  describe(`${store}: bulk actions in the journal`, () => {
    let t: TestServer;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    const problems: string[] = [];
    let rita: Client & { id: string };
    let chainId: string;
    let otherId: string;
    let active: string[];
    let cancelledId: string;
    let many: string[];

    async function launch(definitionId: string, note: string): Promise<string> {
      const res = await t.admin.post('/api/processes', { definitionId, note });
      expectStatus(res, 201);
      return res.body.id as string;
    }

    async function loggedIn(lang: 'en' | 'ru', viewport: { width: number; height: number }): Promise<Page> {
      const page = await watchedPage(browser, viewport, contexts, problems);
      await logIn(page, t.url, 'admin', ADMIN_PASSWORD, lang);
      return page;
    }

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      t = await startTestServer(store);
      rita = await t.employee('rita', 'manager', 'Rita Responsible');
      chainId = await publishDefinition(t.admin, 'Bulk chain', chainBody(3));
      otherId = await publishDefinition(t.admin, 'Many at once', chainBody(3));
      active = [];
      for (let i = 0; i < 20; i++) active.push(await launch(chainId, `bulk ${i + 1}`));
      cancelledId = await launch(chainId, 'already cancelled');
      expectStatus(await t.admin.post(`/api/processes/${cancelledId}/cancel`, {}), 200);
      many = [];
      for (let i = 0; i < 55; i++) many.push(await launch(otherId, `many ${i + 1}`));
      browser = await launchBrowser();
    }, 120_000);
    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser?.close();
      await t?.close();
    });

    it('reassigns 20 ticked rows with a progress bar and per-item results; refuses a cancelled one', {
      timeout: 120_000,
    }, async () => {
      const page = await loggedIn('en', { width: 1440, height: 950 });
      await page.goto(`${t.url}/processes?status=active&definitionId=${chainId}`);
      const rows = page.getByTestId('journal-row');
      await expect.poll(() => rows.count()).toBe(20);
      for (let i = 0; i < 20; i++) await rows.nth(i).getByTestId('journal-select').check();
      await expect.poll(() => page.getByTestId('bulk-count').innerText()).toBe('20 processes selected');
      // Ticking a box selects; it does not open the card.
      expect(new URL(page.url()).pathname).toBe('/processes');
      await page.screenshot({ path: path.join(SHOTS, 'bulk-en-1440.png') });

      await page.getByTestId('bulk-reassign').click();
      const dialog = page.getByRole('dialog', { name: 'Reassign: 20 processes' });
      await dialog.getByTestId('bulk-employee').selectOption({ label: 'Rita Responsible — offline' });
      await dialog.getByTestId('bulk-reason-input').fill('Rita takes the region');
      await dialog.getByTestId('bulk-confirm').click();

      await dialog.getByTestId('bulk-close').waitFor();
      const progress = dialog.getByTestId('bulk-progress');
      expect(await progress.getAttribute('max')).toBe('20');
      expect(await progress.getAttribute('value')).toBe('20');
      expect(await dialog.getByTestId('bulk-progress-text').innerText()).toBe('20 of 20');
      expect(await dialog.locator('[data-testid=bulk-item][data-outcome=done]').count()).toBe(20);
      expect(await dialog.locator('[data-testid=bulk-item][data-outcome=refused]').count()).toBe(0);
      expect(await dialog.getByTestId('bulk-summary').innerText()).toBe('Done: 20 · refused: 0');
      await page.screenshot({ path: path.join(SHOTS, 'bulk-results-en-1440.png') });

      for (const id of active) {
        const card = await t.admin.get(`/api/processes/${id}`);
        expect(card.body.stage.responsible?.id).toBe(rita.id);
        const protocol = await t.admin.get(`/api/processes/${id}/protocol`);
        expect(protocol.body.items.at(-1)).toMatchObject({
          action: 'reason.given',
          details: { for: 'reassign', reason: 'Rita takes the region' },
        });
      }

      // Closing clears the selection; the journal shows the new responsible.
      await dialog.getByTestId('bulk-close').click();
      await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });
      await expect
        .poll(() => rows.first().locator('.cell-responsible').innerText())
        .toContain('Rita Responsible');

      // The cancelled process and one active one: one done, one refused with the reason in words.
      await page.goto(`${t.url}/processes?definitionId=${chainId}`);
      await expect.poll(() => rows.count()).toBe(21);
      await rows.filter({ hasText: 'already cancelled' }).getByTestId('journal-select').check();
      await rows.filter({ hasText: 'bulk 1' }).first().getByTestId('journal-select').check();
      await page.getByTestId('bulk-reassign').click();
      const again = page.getByRole('dialog', { name: 'Reassign: 2 processes' });
      await again.getByTestId('bulk-employee').selectOption({ label: 'Administrator — online' });
      await again.getByTestId('bulk-confirm').click();
      await again.getByTestId('bulk-close').waitFor();
      const refused = again.locator('[data-testid=bulk-item][data-outcome=refused]');
      expect(await refused.count()).toBe(1);
      expect(await refused.innerText()).toContain('already cancelled');
      expect(await refused.getByTestId('bulk-reason').innerText()).toBe(
        'The process is finished or cancelled.',
      );
      expect(await again.locator('[data-testid=bulk-item][data-outcome=done]').count()).toBe(1);
      // Retrying the refused one is refused again, for the same reason.
      await again.getByTestId('bulk-retry').click();
      await expect.poll(() => again.getByTestId('bulk-summary').innerText()).toBe('Done: 1 · refused: 1');
      expect((await t.admin.get(`/api/processes/${cancelledId}`)).body.status).toBe('cancelled');
      expect(problems).toEqual([]);
    });

    it('on a phone in Russian: checkboxes and the bar fit, and "all 55 matching" pauses them all', {
      timeout: 120_000,
    }, async () => {
      const page = await loggedIn('ru', { width: 390, height: 844 });
      await page.goto(`${t.url}/processes?definitionId=${otherId}`);
      const rows = page.getByTestId('journal-row');
      await expect.poll(() => rows.count()).toBe(50);
      await rows.nth(0).getByTestId('journal-select').check();
      await rows.nth(1).getByTestId('journal-select').check();
      await expect.poll(() => page.getByTestId('bulk-count').innerText()).toBe('Выбрано 2 процесса');
      // A checkbox is big enough to hit with a thumb; the bar and the page fit the screen.
      const box = await rows.nth(2).locator('.row-select').boundingBox();
      expect(box && box.width >= 36 && box.height >= 36).toBe(true);
      const bar = await page.getByTestId('bulk-bar').boundingBox();
      expect(bar && bar.x >= 0 && bar.x + bar.width <= 390).toBe(true);
      expect(bar && bar.y + bar.height <= 844).toBe(true);
      const scrollWidth = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(390);

      await page.locator('.journal-select-shown input').check();
      await expect.poll(() => page.getByTestId('bulk-count').innerText()).toBe('Выбрано 50 процессов');
      await page.getByTestId('bulk-select-all').click();
      await expect
        .poll(() => page.getByTestId('bulk-count').innerText())
        .toBe('Выбраны все 55 процессов по этому фильтру');
      await page.screenshot({ path: path.join(SHOTS, 'bulk-ru-390.png') });

      await page.getByTestId('bulk-pause').click();
      const dialog = page.getByRole('dialog', { name: 'Пауза: 55 процессов' });
      await dialog.getByTestId('bulk-pause-amount').fill('2');
      await dialog.getByTestId('bulk-confirm').click();
      await dialog.getByTestId('bulk-close').waitFor({ timeout: 60_000 });
      expect(await dialog.getByTestId('bulk-progress').getAttribute('value')).toBe('55');
      expect(await dialog.locator('[data-testid=bulk-item][data-outcome=done]').count()).toBe(55);
      expect(await dialog.getByTestId('bulk-summary').innerText()).toBe('Выполнено: 55 · отказано: 0');
      await page.screenshot({ path: path.join(SHOTS, 'bulk-results-ru-390.png') });
      for (const id of many) expect((await t.admin.get(`/api/processes/${id}`)).body.status).toBe('paused');
      expect(problems).toEqual([]);
    });
  });
}
