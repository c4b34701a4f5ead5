/**
 * Notifications that say who and what, and a waiting stage that looks like one, in Chromium:
 * a notification arriving while the app is open pops up in the corner naming the client and the
 * launcher, the tab title counts the unread, a bulk launch is one grouped line (in English and, with
 * Russian plurals, in Russian), "Mark all read" is an enabled link that clears the count; a stage
 * asleep on a wait reads "Waiting until …" on the card, its flowchart node and the journal, with
 * Finish not offered; the finish dialog offers no "Next responsible" for a result leading to an end.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser, logIn } from './browser.ts';

for (const store of STORES) {
  describe(`${store}: notifications and waiting stages in Chromium`, () => {
    let t: TestServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let ivan: Client & { id: string };
    let anna: Client & { id: string };
    let delivery: string;
    let sleepy: string;
    const problems: string[] = [];

    beforeAll(async () => {
      t = await startTestServer(store);
      ivan = await t.employee('ivan', 'manager', 'Ivan Petrov');
      anna = await t.employee('anna', 'manager', 'Anna Smith');
      delivery = await publishDefinition(t.admin, 'Delivery of goods', {
        stages: [
          { key: 'pick', name: 'Pick the order', kind: 'start', responsibles: [anna.id] },
          { key: 'done', name: 'Delivered', kind: 'end' },
        ],
        transitions: [{ from: 'pick', to: 'done', result: 'Shipped' }],
      });
      sleepy = await publishDefinition(t.admin, 'Sleepy', {
        stages: [
          { key: 'call', name: 'Call', kind: 'start', responsibles: [anna.id] },
          { key: 'rest', name: 'Rest', kind: 'normal', wait: 'P1D' },
          { key: 'again', name: 'Call again', kind: 'normal', responsibles: [anna.id] },
          { key: 'end', name: 'End', kind: 'end' },
        ],
        transitions: [
          { from: 'call', to: 'rest', result: 'Not reached' },
          { from: 'rest', to: 'again', result: 'Continue' },
          { from: 'again', to: 'end', result: 'Done' },
        ],
      });
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await logIn(page, t.url, 'anna', 'anna-password');
    }, 120_000);
    afterAll(async () => {
      await context?.close();
      await browser?.close();
      await t?.close();
    });

    /** Waits until Anna's notification stream is open (she is online), so a push reaches her. */
    async function annaOnline() {
      await expect
        .poll(
          async () =>
            (await ivan.get('/api/employees')).body.items.find((e: any) => e.id === anna.id)?.online,
          {
            timeout: 15_000,
          },
        )
        .toBe(true);
    }

    it('pops up a live notification naming client and launcher, and counts it in the tab title', async () => {
      await annaOnline();
      expect(await page.title()).not.toMatch(/^\(\d+\)/);
      const acme = (await ivan.post('/api/counterparties', { name: 'Acme Ltd' })).body;
      expectStatus(
        await ivan.post('/api/processes', { definitionId: delivery, counterpartyId: acme.id }),
        201,
      );
      const popup = page.getByTestId('notification-popup').first();
      await popup.waitFor({ timeout: 15_000 });
      const text = await popup.innerText();
      expect(text).toContain(
        'New process \u201cDelivery of goods\u201d: stage \u201cPick the order\u201d is yours',
      );
      expect(text).toContain('Client: Acme Ltd');
      expect(text).toContain('launched by Ivan Petrov');
      expect(text).not.toContain('\u00ab');
      await expect.poll(() => page.title(), { timeout: 10_000 }).toMatch(/^\(1\) /);
      const bg = await popup.evaluate(
        (el) => (globalThis as any).getComputedStyle(el).borderLeftColor as string,
      );
      expect(bg).toBe('rgb(224, 123, 0)');
    });

    it('groups a bulk launch into one line, and "Mark all read" is an enabled link that clears the count', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++)
        ids.push((await ivan.post('/api/counterparties', { name: `Client ${i}` })).body.id);
      expectStatus(
        await ivan.post('/api/processes/bulk', { definitionId: delivery, counterpartyIds: ids }),
        201,
      );
      await page
        .getByTestId('notification-popup')
        .filter({ hasText: '12 new \u201cDelivery of goods\u201d processes are yours' })
        .waitFor({ timeout: 15_000 });
      await expect.poll(() => page.title(), { timeout: 10_000 }).toMatch(/^\(2\) /);
      await page.getByTestId('notification-bell').click();
      const rows = page.getByTestId('notification');
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
      expect(await rows.nth(0).innerText()).toContain(
        '12 new \u201cDelivery of goods\u201d processes are yours',
      );
      expect(await rows.nth(0).innerText()).toContain('launched by Ivan Petrov');
      const markAll = page.getByTestId('mark-all-read');
      expect(await markAll.isEnabled()).toBe(true);
      const color = await markAll.evaluate((el) => (globalThis as any).getComputedStyle(el).color as string);
      expect(color).toBe('rgb(47, 111, 222)');
      await page.screenshot({ path: 'test-results/notifications.png' });
      await markAll.click();
      await expect.poll(() => page.title(), { timeout: 10_000 }).not.toMatch(/^\(\d+\)/);
      expect((await anna.get('/api/notifications?unread=true')).body.unread).toBe(0);
      await page.keyboard.press('Escape');
    });

    it('shows the grouped line in Russian with its plural and Russian quotes', async () => {
      await page.evaluate(() => (globalThis as any).localStorage.setItem('stageflow.lang', 'ru'));
      await page.reload();
      await page.getByTestId('notification-bell').click();
      const first = page.getByTestId('notification').first();
      await first.waitFor();
      expect(await first.innerText()).toContain(
        '12 новых процессов \u00abDelivery of goods\u00bb назначены вам',
      );
      await page.keyboard.press('Escape');
      await page.evaluate(() => (globalThis as any).localStorage.setItem('stageflow.lang', 'en'));
      await page.reload();
      await page.getByTestId('notification-bell').waitFor();
    });

    it('a waiting stage reads "Waiting until …" on the card, its node and the journal, with no Finish', async () => {
      const launched = await anna.post('/api/processes', { definitionId: sleepy });
      const id = launched.body.id as string;
      const asleep = await anna.post(`/api/processes/${id}/stage`, { state: 'done', result: 'Not reached' });
      expectStatus(asleep, 200);
      expect(asleep.body.stage.waitingUntil).not.toBeNull();
      await page.goto(`${t.url}/processes/${id}`);
      const state = page.getByTestId('card-stage-state');
      await state.waitFor();
      expect(await state.innerText()).toMatch(/^Waiting until .+/);
      expect(await page.getByTestId('finish-stage').count()).toBe(0);
      expect(await page.getByTestId('waiting-hint').innerText()).toContain('cannot be finished by hand');
      await page.getByTestId('stage-node-note').waitFor();
      expect(await page.getByTestId('stage-node-note').innerText()).toBe(await state.innerText());
      await page.goto(`${t.url}/processes?definitionId=${sleepy}`);
      const journalState = page.getByTestId('journal-stage-state').first();
      await journalState.waitFor();
      expect(await journalState.innerText()).toMatch(/^Waiting until .+/);
    });

    it('offers no "Next responsible" for a result that leads to an end stage', async () => {
      const launched = await anna.post('/api/processes', { definitionId: delivery });
      await page.goto(`${t.url}/processes/${launched.body.id}`);
      await page.getByTestId('finish-stage').click();
      await page.getByTestId('finish-confirm').waitFor();
      expect(await page.getByTestId('result-option').count()).toBe(1);
      expect(await page.getByTestId('next-responsible').count()).toBe(0);
      await page.keyboard.press('Escape');
      expect(problems).toEqual([]);
    });
  });
}
