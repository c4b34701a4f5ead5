/**
 * Debian's Chromium driven by playwright-core. When Chromium is missing the tests install it with
 * apt when running as root (as `playwright install --with-deps` would); otherwise they stop and say
 * the one command to run.
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() === 0) {
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
      stdio: 'inherit',
    });
    if (existsSync(CHROMIUM)) return;
  }
  throw new Error(`Chromium is missing at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium`);
}

export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}

/** Opens the app on `page` in `lang` and logs in; resolves once the app shell is there. */
export async function logIn(
  page: Page,
  url: string,
  login: string,
  password: string,
  lang: 'en' | 'ru' = 'en',
): Promise<void> {
  await page.goto(`${url}/`);
  await page.evaluate((l) => (globalThis as any).localStorage.setItem('stageflow.lang', l), lang);
  await page.reload();
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.getByTestId('notification-bell').waitFor();
}

/**
 * A page in a context of its own at `viewport`: the context joins `contexts` (for the test to
 * close), and the page's console errors and uncaught errors join `problems` (for it to assert on).
 */
export async function watchedPage(
  browser: Browser,
  viewport: { width: number; height: number },
  contexts: BrowserContext[],
  problems: string[],
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return page;
}
