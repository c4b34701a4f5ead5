/**
 * Russian, done right, in Chromium: with the demo in Russian, every screen (and the card's tabs,
 * the designer's stage settings and the main dialogs) shows no Latin-only word outside names and
 * codes; counts take the right Russian form and dates read 01.12.2026 11:02.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser } from './browser.ts';

/** Names and codes that stay Latin in Russian: the product, language switch, record numbers, e-mails, logins. */
const ALLOWED = [
  /\S+@\S+\.\w+/g, // e-mail addresses
  /\b[A-Z]{2,5}-\d+\b/g, // record numbers: ORD-1001, INV-2001
  /\bSHA-256\b/g,
  /\bStageflow\b/g,
  /\b(EN|RU)\b/g,
  /\bReact Flow\b/g, // the flowchart library's credit
];
const LOGINS = new Set(['admin', 'anna', 'boris', 'vera', 'gleb', 'daria', 'lev']);

/** The Latin-only words a screen shows (its text and its input hints), names and codes left out. */
async function latinWords(page: Page): Promise<string[]> {
  const text: string = await page.evaluate(() => {
    // Runs in the page (the project's type check has no DOM types).
    const doc = (globalThis as any).document;
    const hints = [...doc.querySelectorAll('input[placeholder], textarea[placeholder]')]
      .filter((e: any) => e.offsetParent !== null)
      .map((e: any) => e.getAttribute('placeholder') ?? '');
    return [doc.body.innerText, ...hints].join('\n');
  });
  let rest = text;
  for (const pattern of ALLOWED) rest = rest.replace(pattern, ' ');
  const words = rest.match(/(?<![\p{L}\d])[A-Za-z]+(?![\p{L}\d])/gu) ?? [];
  return [...new Set(words.filter((w) => !LOGINS.has(w)))];
}

for (const store of STORES) {
  describe(`${store}: every Russian screen`, () => {
    let t: TestServer;
    let browser: Browser;
    let page: Page;
    const found: string[] = [];
    const errors: string[] = [];

    async function check(where: string): Promise<void> {
      await page
        .locator('.loading, [aria-busy="true"]')
        .first()
        .waitFor({ state: 'detached', timeout: 10_000 })
        .catch(() => undefined);
      for (const word of await latinWords(page)) found.push(`${where}: ${word}`);
    }

    async function visit(path: string, ready: string): Promise<void> {
      await page.goto(`${t.url}${path}`);
      await page.locator(ready).first().waitFor();
      await check(path);
    }

    beforeAll(async () => {
      t = await startTestServer(store, { STAGEFLOW_DEMO: '1', STAGEFLOW_LANGUAGE: 'ru' });
      browser = await launchBrowser();
      const context = await browser.newContext({ viewport: { width: 1440, height: 950 }, locale: 'en-US' });
      page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${t.url}/`);
      await page.evaluate(() => (globalThis as any).localStorage.setItem('stageflow.lang', 'ru'));
      await page.reload();
      await page.locator('input[name=login]').waitFor();
      await check('login');
      await page.locator('input[name=login]').fill('admin');
      await page.locator('input[name=password]').fill('admin-password-1');
      await page.locator('button[type=submit]').click();
      await page.getByTestId('notification-bell').waitFor();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it('shows no Latin-only word outside names and codes', { timeout: 150_000 }, async () => {
      const admin = t.admin;
      const definitions = (await admin.get('/api/definitions')).body.items as { id: string; name: string }[];
      const processes = (await admin.get('/api/processes')).body.items as { id: string }[];
      const clients = (await admin.get('/api/counterparties')).body.items as { id: string }[];
      const orders = (await admin.get('/api/orders')).body.items as { id: string }[];
      const invoices = (await admin.get('/api/invoices')).body.items as { id: string }[];

      await visit('/processes', 'table tbody tr');
      // The administrator's own name and the demo's launch note are Russian too.
      expect(await page.locator('body').innerText()).toContain('Администратор');
      await visit('/tasks', 'main');
      await visit('/clients', 'table tbody tr');
      await visit(`/clients/${clients[0]?.id}`, 'main h1, main h2');
      await visit('/orders', 'table tbody tr');
      await visit(`/orders/${orders[0]?.id}`, 'main h1, main h2');
      await visit('/projects', 'main');
      await visit('/documents', 'main');
      await visit(`/documents/invoices/${invoices[0]?.id}`, 'main h1, main h2');
      await visit('/employees', 'table tbody tr');
      await visit('/designer', '[data-testid="definition-row"]');
      for (const d of definitions) {
        await visit(`/designer/${d.id}`, '.react-flow__edge-textbg');
        const rows = page.getByTestId('stage-row');
        for (let i = 0; i < (await rows.count()); i++) {
          await rows.nth(i).locator('button').first().click();
          await check(`/designer/${d.id} stage ${i + 1}`);
        }
      }
      await visit('/launch', 'main');
      for (const p of processes) {
        await visit(`/processes/${p.id}`, '[data-testid="card-stage"]');
        const tabs = page.getByRole('tab');
        for (let i = 0; i < (await tabs.count()); i++) {
          await tabs.nth(i).click();
          await check(`/processes/${p.id} tab ${i + 1}`);
        }
      }
      expect(found.join('\n')).toBe('');
      expect(errors).toEqual([]);
    });

    it('counts in Russian plural forms and writes dates as 01.12.2026 11:02', {
      timeout: 60_000,
    }, async () => {
      // The demo process resting at "Отдых" waits 30 days: the protocol says "30 дней".
      const resting = (await t.admin.get('/api/processes?stageKey=rest')).body.items as { id: string }[];
      await page.goto(`${t.url}/processes/${resting[0]?.id}`);
      await page.getByRole('tab', { name: /Протокол/ }).click();
      const protocol = page.getByTestId('protocol-entry');
      await protocol.first().waitFor();
      expect(await page.locator('.timeline').innerText()).toMatch(/30 дней/);
      const times = await page.locator('.timeline time').allInnerTexts();
      expect(times.length).toBeGreaterThan(0);
      for (const time of times) expect(time).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/);
      // The journal's date filters are in the app's language, not the browser's (en-US here).
      await page.goto(`${t.url}/processes`);
      await expect.poll(() => page.getByTestId('filter-from').getAttribute('placeholder')).toBe('ДД.ММ.ГГГГ');
      const launched = await page.locator('table tbody tr').first().innerText();
      expect(launched).toMatch(/\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}/);
    });
  });
}
