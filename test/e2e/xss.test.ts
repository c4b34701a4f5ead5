/**
 * Stored XSS, in Chromium: a corpus of hostile strings is stored through the API as stage names,
 * stage results, the process note, attachment file names, client names, task titles and event
 * comments, then the designer, the journal, the process card (stage, flow, note, files, tasks and
 * events, protocol) and the clients list and card are rendered. Each payload, if it ran, would set
 * `window.__xss` or open a dialog. Pass: no dialog, `window.__xss` undefined, no console error (a
 * CSP violation is one), no element carrying an injected handler, script, frame or `javascript:`
 * address, and every payload visible as text on the screens that show its field (so it was
 * rendered, not dropped). The corpus size goes to test-results/xss-figures.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus } from '../support/api-helpers.ts';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';
import { launchBrowser } from './browser.ts';

const SET = 'window.__xss=true';

/** What an attacker would type; each would set window.__xss or call alert if it ever ran. */
export const CORPUS: readonly string[] = [
  '<img src=x onerror=alert(1)>',
  `<img src=x onerror="${SET}">`,
  '<svg onload=alert(1)>',
  `<svg/onload=${SET}>`,
  `"><script>${SET}</script>`,
  "'><script>alert(1)</script>",
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  `JaVaScRiPt:${SET}`,
  `" onmouseover="${SET}" x="`,
  "' onfocus='alert(1)' autofocus='",
  '" autofocus onfocus="alert(1)',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the template-literal payload is the point
  '${alert(1)}',
  `\`\${${SET}}\``,
  "{{constructor.constructor('alert(1)')()}}",
  `{{$on.constructor('${SET}')()}}`,
  '\\u003cimg src=x onerror=alert(1)\\u003e',
  '&lt;img src=x onerror=alert(1)&gt;',
  '\uff1cscript\uff1ealert(1)\uff1c/script\uff1e',
  '</textarea><img src=x onerror=alert(1)>',
  `</title><script>${SET}</script>`,
  `<iframe srcdoc="<script>parent.__xss=true</script>"></iframe>`,
  '<iframe src="javascript:alert(1)">',
  '[x](javascript:alert(1))',
  `[click](javascript:${SET} "t")`,
  '<a href="javascript:alert(1)">link</a>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<body onload=alert(1)>',
  '<input autofocus onfocus=alert(1)>',
  '<object data="javascript:alert(1)">',
  "<style>@import 'javascript:alert(1)';</style>",
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '"><svg><animate onbegin=alert(1) attributeName=x dur=1s>',
  '<div style="background:url(javascript:alert(1))">',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  '<base href="javascript:alert(1)//">',
  '<img src=x:alert(alt) onerror=eval(src) alt=0>',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<img src=x onerror=\\u0061lert(1)>',
  '\u202e<script>alert(1)</script>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '__proto__',
  'constructor',
];

/** Each field gets the whole corpus; a suffix tells the fields that share a screen apart. */
const RESULTS = CORPUS.map((p, i) => `${p} (r${i})`);
const TASKS = CORPUS.map((p, i) => `${p} (t${i})`);
const EVENTS = CORPUS.map((p, i) => `${p} (e${i})`);

/** Text as the browser shows it: runs of white space as one space. */
const normal = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The page's visible text, folded details opened, plus the values of its fields. */
async function screenText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const d = (globalThis as any).document;
    for (const el of d.querySelectorAll('details')) el.open = true;
    const values = [...d.querySelectorAll('input, textarea')].map((el: any) => el.value as string);
    // biome-ignore lint/performance/useDomNodeTextContent: what is shown, not what is in the tree
    return `${d.body.innerText}\n${values.join('\n')}`;
  });
}

/** Elements the payloads could have smuggled in: handlers, scripts, frames, script addresses. */
async function injected(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const d = (globalThis as any).document;
    const origin = (globalThis as any).location.origin as string;
    const bad: string[] = [];
    for (const el of d.querySelectorAll('*')) {
      const tag = (el.tagName as string).toLowerCase();
      if (['iframe', 'object', 'embed', 'base', 'frame', 'frameset'].includes(tag)) bad.push(`<${tag}>`);
      if (tag === 'script' && !(el.src as string).startsWith(`${origin}/`))
        bad.push(`<script> ${el.outerHTML.slice(0, 80)}`);
      for (const a of el.attributes) {
        const name = (a.name as string).toLowerCase();
        // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers ignore these inside URLs
        const value = (a.value as string).replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (name.startsWith('on')) bad.push(`<${tag} ${name}>`);
        if (name === 'srcdoc') bad.push(`<${tag} srcdoc>`);
        if (
          ['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(name) &&
          (value.startsWith('javascript:') || value.startsWith('data:text/html'))
        )
          bad.push(`<${tag} ${name}=${value.slice(0, 40)}>`);
      }
    }
    return bad;
  });
}

for (const store of STORES) {
  describe(`${store}: stored XSS corpus in Chromium`, () => {
    let t: TestServer;
    let browser: Browser;
    let definitionId: string;
    let processId: string;
    let clientId: string;
    let fileNames: string[] = [];
    const problems: string[] = [];
    const dialogs: string[] = [];

    beforeAll(async () => {
      t = await startTestServer(store);
      const adminId = (await t.admin.get('/api/me')).body.id as string;
      const n = CORPUS.length;
      // One chain: every stage named by a payload, every result a payload, every stage with a
      // payload task and a payload event comment.
      const stages = CORPUS.map((payload, i) => ({
        key: `s${i}`,
        name: payload,
        kind: i === 0 ? 'start' : 'normal',
        responsibles: [adminId],
        task: { title: TASKS[i], assignee: 'responsible', blocking: false },
        event: { type: 'note', comment: EVENTS[i] },
        position: { x: 250 * (i % 8), y: 160 * Math.floor(i / 8) },
      }));
      const definition = await t.admin.post('/api/definitions', {
        name: CORPUS[0],
        stages: [...stages, { key: 'end', name: 'The end', kind: 'end', position: { x: 0, y: 1000 } }],
        transitions: CORPUS.map((_payload, i) => ({
          from: `s${i}`,
          to: i === n - 1 ? 'end' : `s${i + 1}`,
          result: RESULTS[i],
        })),
      });
      expectStatus(definition, 201);
      expect(definition.body.validation.errors).toEqual([]);
      definitionId = definition.body.id;
      expectStatus(await t.admin.post(`/api/definitions/${definitionId}/publish`), 200);

      const clients: string[] = [];
      for (const payload of CORPUS) {
        const res = await t.admin.post('/api/counterparties', { name: payload, group: payload });
        expectStatus(res, 201);
        clients.push(res.body.id);
      }
      clientId = clients[4] as string;
      const launched = await t.admin.post('/api/processes', {
        definitionId,
        counterpartyId: clientId,
        note: CORPUS.join('\n'),
      });
      expectStatus(launched, 201);
      processId = launched.body.id;
      // Through every payload stage to the last one, so the protocol holds every name and result.
      for (let i = 0; i < n - 1; i++) {
        expectStatus(await t.admin.post(`/api/processes/${processId}/stage`, { state: 'done' }), 200);
      }
      for (const payload of CORPUS) {
        const form = new FormData();
        form.append('file', new Blob([Buffer.from('hostile name')], { type: 'text/plain' }), payload);
        const res = await fetch(`${t.url}/api/processes/${processId}/attachments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.admin.token}` },
          body: form,
        });
        expect(res.status).toBe(201);
        // The server keeps the last path segment of a name; that is what must show.
        fileNames.push(((await res.json()) as { name: string }).name);
      }
      fileNames = [...new Set(fileNames)];
      browser = await launchBrowser();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it('renders every payload as text on every screen and runs none of them', {
      timeout: 180_000,
    }, async () => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 950 } });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const n = CORPUS.length;
      const missing: string[] = [];
      /** Waits for a screen's landmark; on timeout says what the page showed and logged. */
      async function landmark(testId: string): Promise<void> {
        try {
          await page.getByTestId(testId).first().waitFor();
        } catch (error) {
          const shown = (await screenText(page).catch(() => '')).slice(0, 600);
          throw new Error(
            `${testId} never showed: ${String(error)}\nproblems: ${problems.join(' | ')}\npage: ${shown}`,
          );
        }
      }
      /** Waits until the screen shows every expected text (or 10 s pass) and notes what is absent. */
      async function shows(screen: string, expected: readonly string[]): Promise<void> {
        const want = [...new Set(expected.map(normal))];
        let text = '';
        const until = Date.now() + 10_000;
        do {
          text = normal(await screenText(page));
          if (want.every((w) => text.includes(w))) break;
          await page.waitForTimeout(200);
        } while (Date.now() < until);
        for (const w of want) if (!text.includes(w)) missing.push(`${screen}: ${JSON.stringify(w)}`);
        const smuggled = await injected(page);
        for (const s of smuggled) missing.push(`${screen}: injected ${s}`);
        expect(
          await page.evaluate(() => (globalThis as any).__xss),
          `${screen}: window.__xss`,
        ).toBeUndefined();
      }

      await page.goto(`${t.url}/`);
      await page.evaluate(() => (globalThis as any).localStorage.setItem('stageflow.lang', 'en'));
      await page.reload();
      await page.locator('input[name=login]').fill('admin');
      await page.locator('input[name=password]').fill(ADMIN_PASSWORD);
      await page.locator('button[type=submit]').click();
      await landmark('notification-bell');

      // The designer: every stage name and every result.
      await page.goto(`${t.url}/designer/${definitionId}`);
      await page.locator('.react-flow__node[data-id="s0"]').waitFor();
      await shows('designer', [...CORPUS, ...RESULTS]);

      // The journal: the definition, the client and the current stage of the process.
      await page.goto(`${t.url}/processes`);
      await landmark('journal-row');
      await shows('journal', [CORPUS[0] as string, CORPUS[4] as string, CORPUS[n - 1] as string]);

      // The process card, tab by tab.
      await page.goto(`${t.url}/processes/${processId}`);
      await landmark('card-stage');
      await shows('card', [CORPUS[0], CORPUS[4], CORPUS[n - 1], RESULTS[n - 1]] as string[]);
      await page.getByTestId('tab-note').click();
      await shows('card note', CORPUS);
      await page.getByTestId('tab-files').click();
      await landmark('attachment-row');
      await shows('card files', fileNames);
      await page.getByTestId('tab-tasks').click();
      await landmark('task-row');
      await shows('card tasks and events', [...TASKS, ...EVENTS]);
      await page.getByTestId('tab-protocol').click();
      await landmark('protocol-entry');
      // Every stage was entered and its task created; every result but the last was chosen.
      await shows('card protocol', [...CORPUS, ...TASKS, ...RESULTS.slice(0, n - 1)]);

      // The clients list and one client's card.
      await page.goto(`${t.url}/clients`);
      await landmark('record-row');
      await shows('clients', CORPUS);
      await page.goto(`${t.url}/clients/${clientId}`);
      await landmark('launch-from-card');
      await shows('client card', [CORPUS[4] as string]);

      await context.close();
      mkdirSync(path.resolve('test-results'), { recursive: true });
      writeFileSync(
        path.resolve('test-results/xss-figures.json'),
        `${JSON.stringify({ corpus: n, fields: 7, screens: 9 }, null, 2)}\n`,
      );
      expect(missing).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(problems).toEqual([]);
    });
  });
}
