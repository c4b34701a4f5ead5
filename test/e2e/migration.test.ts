/**
 * Version migration in Chromium: an administrator opens "Migrate running processes" from the
 * designer list, sees a stage the new version lacks flagged, dry-runs (the processes at that stage
 * are refused, with the reason), maps the stage, dry-runs again and applies with a progress bar;
 * the processes run on the new version and the card's protocol says so in words.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainBody } from '../fixtures/definitions.ts';
import { expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser, logIn } from './browser.ts';

const SHOTS = path.resolve('test-results/screens');

/** Version 2: the middle stage `s1` is gone, `t1` takes its place. */
const V2 = {
  stages: [
    { key: 's0', name: 'Stage 0', kind: 'start' },
    { key: 't1', name: 'Check twice', kind: 'normal' },
    { key: 's2', name: 'Stage 2', kind: 'end' },
  ],
  transitions: [
    { from: 's0', to: 't1', result: 'Next' },
    { from: 't1', to: 's2', result: 'Next' },
  ],
};

for (const store of STORES) {
  describe(`${store}: version migration in the designer`, () => {
    let t: TestServer;
    let browser: Browser;
    let context: BrowserContext | undefined;
    const problems: string[] = [];
    let definitionId: string;
    const atStart: string[] = [];
    const atMiddle: string[] = [];

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      t = await startTestServer(store);
      definitionId = await publishDefinition(t.admin, 'Small flow', chainBody(3));
      for (let i = 0; i < 4; i++) {
        const res = await t.admin.post('/api/processes', { definitionId, note: `small ${i + 1}` });
        expectStatus(res, 201);
        (i < 2 ? atStart : atMiddle).push(res.body.id);
      }
      for (const id of atMiddle) {
        expectStatus(
          await t.admin.post(`/api/processes/${id}/stage`, { state: 'done', result: 'Next' }),
          200,
        );
      }
      expectStatus(await t.admin.put(`/api/definitions/${definitionId}`, { name: 'Small flow', ...V2 }), 200);
      expectStatus(await t.admin.post(`/api/definitions/${definitionId}/publish`), 200);
      browser = await launchBrowser();
    }, 60_000);
    afterAll(async () => {
      await context?.close().catch(() => undefined);
      await browser?.close();
      await t?.close();
    });

    it('dry-runs, maps the missing stage, applies with progress and writes the protocol', {
      timeout: 120_000,
    }, async () => {
      context = await browser.newContext({ viewport: { width: 1440, height: 950 } });
      const page: Page = await context.newPage();
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      await logIn(page, t.url, 'admin', ADMIN_PASSWORD);

      await page.goto(`${t.url}/designer`);
      await page
        .getByTestId('definition-row')
        .filter({ hasText: 'Small flow' })
        .getByTestId('migrate-open')
        .click();
      const dialog = page.getByRole('dialog', { name: 'Migrate running processes: Small flow' });
      await dialog.getByTestId('migration-map').waitFor();
      expect(await dialog.getByTestId('migration-from').inputValue()).toBe('1');
      expect(await dialog.getByTestId('migration-to').inputValue()).toBe('2');
      // The start stage keeps its key; the middle one has no place yet.
      const start = dialog.locator('[data-testid=migration-row][data-stage=s0]');
      const middle = dialog.locator('[data-testid=migration-row][data-stage=s1]');
      expect(await start.getByTestId('migration-target').inputValue()).toBe('s0');
      expect(await start.innerText()).toContain('maps to itself');
      expect(await middle.getByTestId('migration-target').inputValue()).toBe('');
      expect(await middle.innerText()).toContain('Not in the new version');

      await dialog.getByTestId('migration-dry-run').click();
      await expect
        .poll(() => dialog.getByTestId('migration-summary').innerText())
        .toBe('Would move: 2 · would be refused: 2');
      const refused = dialog.locator('[data-testid=migration-item][data-outcome=refused]');
      expect(await refused.count()).toBe(2);
      expect(await refused.first().getByTestId('migration-reason').innerText()).toBe(
        'Its stage is not in the new version.',
      );
      // A dry run changes nothing.
      for (const id of [...atStart, ...atMiddle]) {
        expect((await t.admin.get(`/api/processes/${id}`)).body.definition.version).toBe(1);
      }

      await middle.getByTestId('migration-target').selectOption('t1');
      expect(await dialog.getByTestId('migration-apply').count()).toBe(0);
      await dialog.getByTestId('migration-dry-run').click();
      await expect
        .poll(() => dialog.getByTestId('migration-summary').innerText())
        .toBe('Would move: 4 · would be refused: 0');
      await page.screenshot({ path: path.join(SHOTS, 'migration-en-1440.png') });

      await dialog.getByTestId('migration-apply').click();
      await expect
        .poll(() => dialog.getByTestId('migration-summary').innerText())
        .toBe('Moved: 4 · refused: 0');
      const progress = dialog.getByTestId('migration-progress');
      expect(await progress.getAttribute('max')).toBe('4');
      expect(await progress.getAttribute('value')).toBe('4');
      expect(await dialog.locator('[data-testid=migration-item][data-outcome=moved]').count()).toBe(4);
      await page.screenshot({ path: path.join(SHOTS, 'migration-applied-en-1440.png') });

      for (const id of atStart) {
        const card = (await t.admin.get(`/api/processes/${id}`)).body;
        expect([card.definition.version, card.stage.key]).toEqual([2, 's0']);
      }
      for (const id of atMiddle) {
        const card = (await t.admin.get(`/api/processes/${id}`)).body;
        expect([card.definition.version, card.stage.key]).toEqual([2, 't1']);
      }

      // The card's protocol tells the move in words.
      await page.goto(`${t.url}/processes/${atMiddle[0]}`);
      await page.getByRole('tab', { name: /Protocol/ }).click();
      const migrated = page.getByTestId('protocol-entry').filter({ hasText: 'moved the process' });
      await migrated.waitFor();
      expect(await migrated.innerText()).toContain(
        'Administrator moved the process from version 1 to version 2: “Stage 1” became “Check twice”.',
      );
      expect(problems).toEqual([]);
    });

    it('reads in Russian on a phone, and says so when no process is left on the old version', {
      timeout: 60_000,
    }, async () => {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
      try {
        const page = await phone.newPage();
        page.on('pageerror', (e) => problems.push(e.message));
        await logIn(page, t.url, 'admin', ADMIN_PASSWORD, 'ru');
        await page.goto(`${t.url}/designer`);
        await page.getByTestId('migrate-open').click();
        const dialog = page.getByRole('dialog', { name: 'Перевод запущенных процессов: Small flow' });
        await dialog.getByTestId('migration-map').waitFor();
        const middle = dialog.locator('[data-testid=migration-row][data-stage=s1]');
        expect(await middle.innerText()).toContain('Этого этапа нет в новой версии');
        await middle.getByTestId('migration-target').selectOption('t1');
        await dialog.getByTestId('migration-dry-run').click();
        await expect
          .poll(() => dialog.getByTestId('migration-summary').innerText())
          .toBe('На этой версии нет запущенных процессов.');
        expect(await dialog.getByTestId('migration-apply').count()).toBe(0);
        const width = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth);
        expect(width).toBeLessThanOrEqual(390);
        await page.screenshot({ path: path.join(SHOTS, 'migration-ru-390.png') });
        expect(problems).toEqual([]);
      } finally {
        await phone.close();
      }
    });
  });
}
