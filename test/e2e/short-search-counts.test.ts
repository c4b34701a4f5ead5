/**
 * A journal search of two characters over more processes than its counts compare, in Chromium:
 * the status chips say their counts are lower bounds ("1,667+", with a hint), while "select all
 * matching" asks for and offers the exact number. At 1440 px in English and at 390 px in Russian.
 * Screenshots go to test-results/screens/short-search-<lang>-<width>.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORT_SEARCH_SCAN } from '../../src/store/journal.ts';
import { chainBody } from '../fixtures/definitions.ts';
import { publishDefinition } from '../support/api-helpers.ts';
import { processRow } from '../support/rows.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser, logIn, watchedPage } from './browser.ts';

const SHOTS = path.resolve('test-results/screens');
/** More processes than a short search's counts compare; every third mentions "zq". */
const PROCESSES = SHORT_SEARCH_SCAN + 500;
const MATCHING = Math.ceil(PROCESSES / 3);

for (const store of STORES) {
  describe(`${store}: counts of a two-character search in the journal`, () => {
    let t: TestServer;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    const problems: string[] = [];

    async function loggedIn(lang: 'en' | 'ru', viewport: { width: number; height: number }): Promise<Page> {
      const page = await watchedPage(browser, viewport, contexts, problems);
      await logIn(page, t.url, 'admin', ADMIN_PASSWORD, lang);
      return page;
    }

    const digits = (text: string) => Number(text.replace(/\D/g, ''));

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      t = await startTestServer(store);
      const definitionId = await publishDefinition(t.admin, 'Short search', chainBody(3));
      const me = (await t.admin.get('/api/me')).body.id as string;
      // Written straight into the tables: launching ten thousand through the API takes minutes.
      await t.server.ctx.store.transaction(async (tx) => {
        for (let from = 0; from < PROCESSES; from += 500) {
          const rows = Array.from({ length: Math.min(500, PROCESSES - from) }, (_, k) => {
            const i = from + k;
            return processRow({
              id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
              definition_id: definitionId,
              stage_key: 's0',
              note: i % 3 === 0 ? `Order ${i}: ZQ inside` : `Order ${i}: plain`,
              initiator_id: me,
              started_at: 1_700_000_000_000 + i,
              updated_at: 1_700_000_000_000 + i,
              entered_at: 1_700_000_000_000 + i,
            });
          });
          await tx.insertInto('processes').values(rows).execute();
        }
      });
      browser = await launchBrowser();
    }, 180_000);
    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser?.close();
      await t?.close();
    });

    for (const [lang, width, height] of [
      ['en', 1440, 950],
      ['ru', 390, 844],
    ] as const) {
      it(`${lang} at ${width} px: the chips say "at least", "select all" gives the exact number`, {
        timeout: 120_000,
      }, async () => {
        const page = await loggedIn(lang, { width, height });
        await page.goto(`${t.url}/processes?q=zq`);
        const rows = page.getByTestId('journal-row');
        await expect.poll(() => rows.count()).toBe(50);
        const all = page.getByTestId('status-count-all');
        await expect.poll(() => all.innerText()).toMatch(/^\d[\d\s,.\u00a0\u202f]*\+$/);
        const bound = digits(await all.innerText());
        expect(bound).toBeGreaterThan(SHORT_SEARCH_SCAN / 4);
        expect(bound).toBeLessThan(MATCHING);
        expect(await page.getByTestId('status-count-active').innerText()).toMatch(/\+$/);
        expect(await all.getAttribute('title')).toMatch(lang === 'en' ? /^At least/ : /^Не менее/);
        const scrollWidth = await page.evaluate(
          () => (globalThis as any).document.documentElement.scrollWidth,
        );
        expect(scrollWidth).toBeLessThanOrEqual(width);
        await page.screenshot({ path: path.join(SHOTS, `short-search-${lang}-${width}.png`) });

        await page.locator('[data-testid=select-shown]:visible').check();
        const selectAll = page.getByTestId('bulk-select-all');
        await selectAll.waitFor();
        expect(digits(await selectAll.innerText())).toBe(MATCHING);
        await selectAll.click();
        await expect
          .poll(async () => digits(await page.getByTestId('bulk-count').innerText()))
          .toBe(MATCHING);
        // Three characters go through the text index: exact, without "+".
        await page.goto(`${t.url}/processes?q=zq%20i`);
        await expect.poll(() => all.innerText()).toMatch(/^\d[\d\s,.\u00a0\u202f]*$/);
        expect(digits(await all.innerText())).toBe(MATCHING);
        expect(problems).toEqual([]);
      });
    }
  });
}
