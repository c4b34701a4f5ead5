/**
 * What people do, in Chromium: an administrator builds a process in the designer, a manager
 * launches it from a client card, the responsible (online in a third browser) sees the
 * notification arrive live, works the stages, uploads and downloads a file, and the journal finds
 * the finished process. Screenshots go to test-results/.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser, logIn } from './browser.ts';

const SHOTS = path.resolve('test-results');
const XSS = '<img src=x onerror=alert(1)>';

async function drag(page: Page, from: string, to: string): Promise<void> {
  const a = await page.locator(from).boundingBox();
  const b = await page.locator(to).boundingBox();
  if (!a || !b) throw new Error(`nothing to drag between ${from} and ${to}`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x + b.width / 2) / 2, (a.y + b.y + b.height / 2) / 2, { steps: 8 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

for (const store of STORES) {
  describe(`${store}: the whole journey in Chromium`, () => {
    let t: TestServer;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    const problems: string[] = [];
    const dialogs: string[] = [];
    let rita: Client & { id: string };

    async function loggedIn(login: string, password: string): Promise<Page> {
      const context = await browser.newContext({
        viewport: { width: 1440, height: 950 },
        acceptDownloads: true,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`${login}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${login}: ${e.message}`));
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await logIn(page, t.url, login, password);
      return page;
    }

    async function addStage(page: Page, name: string): Promise<void> {
      await page.getByTestId('add-stage').click();
      const dialog = page.getByRole('dialog', { name: /New stage/ });
      await dialog.getByLabel('Name').fill(name);
      await dialog.getByLabel('Kind').selectOption('normal');
      await dialog.getByRole('button', { name: 'Add stage' }).click();
      await dialog.waitFor({ state: 'hidden' });
    }

    async function connect(page: Page, from: string, to: string, result: string): Promise<void> {
      await drag(
        page,
        `.react-flow__node[data-id="${from}"] .react-flow__handle.source`,
        `.react-flow__node[data-id="${to}"]`,
      );
      await page.getByTestId('result-input').fill(result);
      await page.getByTestId('result-submit').click();
      await page.getByTestId('result-input').waitFor({ state: 'detached' });
    }

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      t = await startTestServer(store);
      await t.employee('mila', 'manager', 'Mila Manager');
      rita = await t.employee('rita', 'manager', 'Rita Responsible');
      await t.admin.post('/api/counterparties', { name: 'LLC Romashka', group: 'Lost' });
      browser = await launchBrowser();
    });
    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser?.close();
      await t?.close();
    });

    it('designs, launches, notifies live, works the stages and finds the result', {
      timeout: 180_000,
    }, async () => {
      // The administrator draws the process in the designer.
      const admin = await loggedIn('admin', 'admin-password-1');
      await admin.getByRole('link', { name: 'Designer' }).click();
      await admin.getByTestId('new-definition').click();
      const name = 'Client follow-up';
      await admin.getByTestId('new-definition-name').fill(name);
      await admin.getByTestId('create-definition').click();
      await admin.locator('.react-flow__node[data-id="start"]').waitFor();
      await admin.getByTestId('stage-row').filter({ hasText: 'Start' }).getByRole('button').first().click();
      await admin.getByTestId('stage-name').fill('Call the client');
      await admin.getByTestId('add-responsible').fill('Rita');
      await admin.getByRole('option', { name: 'Rita Responsible' }).click();
      await addStage(admin, 'Prepare an offer');
      await admin.getByRole('button', { name: 'Fit the whole chart' }).click();
      await connect(admin, 'start', 'prepare_an_offer', 'Reached');
      // A stage with a way in but no way out: the panel names both problems it causes.
      await expect.poll(() => admin.getByTestId('validation-error').count()).toBe(2);
      const problemsShown = await admin.getByTestId('validation-error').allInnerTexts();
      expect(problemsShown.every((p) => p.includes('Prepare an offer'))).toBe(true);
      await connect(admin, 'prepare_an_offer', 'end', 'Agreed');
      await expect.poll(() => admin.getByTestId('validation-error').count()).toBe(0);
      await addStage(admin, XSS);
      await admin.getByRole('button', { name: 'Fit the whole chart' }).click();
      const xssKey = await admin
        .locator('.react-flow__node')
        .filter({ hasText: XSS })
        .getAttribute('data-id');
      expect(xssKey).toBeTruthy();
      await connect(admin, 'prepare_an_offer', xssKey as string, 'Wants a contract');
      await connect(admin, xssKey as string, 'end', 'Signed');
      await expect.poll(() => admin.getByTestId('validation-error').count()).toBe(0);
      await expect.poll(() => admin.getByTestId('stage-row').count()).toBe(4);
      await admin.screenshot({ path: path.join(SHOTS, 'designer.png') });
      await admin.getByTestId('save-draft').click();
      await admin.getByText('Draft saved').waitFor();
      await admin.getByTestId('publish').click();
      await admin.getByText(/Published as version 1/).waitFor();

      // The responsible has the app open, so is online.
      const responsible = await loggedIn('rita', 'rita-password');
      await expect
        .poll(
          async () =>
            (await t.admin.get('/api/employees')).body.items.find((e: any) => e.id === rita.id).online,
        )
        .toBe(true);

      // The manager launches it from the client's card.
      const manager = await loggedIn('mila', 'mila-password');
      await manager.getByRole('link', { name: 'Clients' }).click();
      await manager.getByRole('link', { name: 'LLC Romashka' }).first().click();
      await manager.getByTestId('launch-from-card').click();
      await manager.getByTestId('launch-definition').click();
      await manager
        .getByRole('listbox')
        .getByRole('option', { name: new RegExp(name) })
        .click();
      expect(await manager.getByTestId('launch-counterparty').inputValue()).toContain('LLC Romashka');
      await manager.getByTestId('launch-submit').click();
      await manager.waitForURL(/\/processes\/[^/?]+$/);
      const processUrl = new URL(manager.url()).pathname;

      // The notification arrives live, orange, and opens the card.
      const bell = responsible.getByTestId('notification-bell');
      await expect.poll(() => bell.innerText(), { timeout: 10_000 }).toContain('1');
      await bell.click();
      const note = responsible.getByTestId('notification').first();
      await expect.poll(() => note.getAttribute('class')).toContain('unread');
      const color = await note.evaluate((el) => (globalThis as any).getComputedStyle(el).borderLeftColor);
      expect(color).toBe('rgb(224, 123, 0)');
      await note.click();
      await responsible.waitForURL((u) => u.pathname === processUrl);

      // Work: start, finish with a result, upload and download a file, to the end.
      await responsible.getByTestId('start-work').click();
      await expect.poll(() => responsible.getByTestId('card-stage-state').innerText()).toMatch(/In progress/);
      await responsible.getByTestId('finish-stage').click();
      await responsible.getByTestId('result-option').filter({ hasText: 'Reached' }).click();
      await responsible.getByTestId('finish-confirm').click();
      await expect.poll(() => responsible.getByTestId('card-stage').innerText()).toBe('Prepare an offer');

      const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256));
      await responsible.getByTestId('tab-files').click();
      await responsible
        .getByTestId('file-input')
        .setInputFiles({ name: 'offer.bin', mimeType: 'application/octet-stream', buffer: bytes });
      await responsible.getByTestId('attachment-row').first().waitFor();
      const downloadPromise = responsible.waitForEvent('download');
      await responsible.getByTestId('attachment-link').first().click();
      const download = await downloadPromise;
      const saved = readFileSync((await download.path()) as string);
      expect(createHash('sha256').update(saved).digest('hex')).toBe(
        createHash('sha256').update(bytes).digest('hex'),
      );

      await responsible.getByTestId('finish-stage').click();
      await responsible.getByTestId('result-option').filter({ hasText: 'Wants a contract' }).click();
      await responsible.getByTestId('finish-confirm').click();
      // The hostile stage name is shown as text, never run.
      await expect.poll(() => responsible.getByTestId('card-stage').innerText()).toBe(XSS);
      await responsible.screenshot({ path: path.join(SHOTS, 'process-card.png') });
      await responsible.getByTestId('finish-stage').click();
      await responsible.getByTestId('finish-confirm').click();
      await expect.poll(() => responsible.getByTestId('card-status').innerText()).toMatch(/Completed/);

      // The journal's filters find the completed process.
      await manager.getByRole('link', { name: 'Processes' }).click();
      await manager.getByTestId('status-chip-completed').click();
      await manager.getByTestId('filter-q').fill('Romashka');
      await expect.poll(() => manager.getByTestId('journal-row').count()).toBe(1);
      expect(await manager.getByTestId('journal-row').first().innerText()).toContain(name);
      await manager.screenshot({ path: path.join(SHOTS, 'journal.png') });

      // The same screens in Russian.
      await manager.getByRole('button', { name: 'RU' }).click();
      await manager.getByRole('link', { name: 'Процессы' }).waitFor();
      await manager.screenshot({ path: path.join(SHOTS, 'journal-ru.png') });

      expect(dialogs).toEqual([]);
      expect(problems).toEqual([]);
    });
  });
}
