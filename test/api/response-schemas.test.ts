/**
 * The published contract describes the real answers. A walk through the product (log in, design
 * and publish definitions, launch, move stages, complete tasks, notifications, CRM records,
 * employees, journal, protocol, attachments, links, access, administration) checks every answer
 * body against the schema /api/openapi.json declares for its method, path and status, with a JSON
 * Schema validator independent of the server's own serializer. An answer whose status the
 * operation does not declare fails, and so does an operation without a response schema.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus } from '../support/api-helpers.ts';
import {
  type Client,
  client,
  type Response,
  rawLogin,
  readAnswer,
  startTestServer,
  type TestServer,
} from '../support/server.ts';
import { STORES } from '../support/stores.ts';

interface MediaType {
  readonly schema?: Record<string, unknown>;
}
interface Declared {
  readonly description?: string;
  readonly content?: Record<string, MediaType>;
}
interface Operation {
  readonly responses?: Record<string, Declared>;
}
interface OpenApi {
  readonly paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Checks answers against the OpenAPI document and keeps count of what it saw. */
class ContractChecker {
  readonly seen = new Map<string, Set<number>>();
  /** Answers whose JSON body was validated against a schema. */
  validated = 0;
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ReturnType<Ajv2020['compile']>>();
  private readonly templates: { method: string; template: string; pattern: RegExp }[] = [];

  constructor(readonly doc: OpenApi) {
    formats.default(this.ajv);
    this.ajv.addFormat('binary', true);
    for (const [template, ops] of Object.entries(doc.paths)) {
      const pattern = new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
      );
      for (const method of Object.keys(ops)) {
        if (METHODS.includes(method)) this.templates.push({ method, template, pattern });
      }
    }
  }

  /** The path template the OpenAPI document names a concrete request by (most literal first). */
  private templateOf(method: string, url: string): string {
    const pathname = url.split('?')[0] ?? '';
    const matches = this.templates.filter((t) => t.method === method && t.pattern.test(pathname));
    matches.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
    const found = matches[0];
    if (!found) throw new Error(`/api/openapi.json has no operation for ${method.toUpperCase()} ${pathname}`);
    return found.template;
  }

  /** Asserts that the answer is one its operation declares, and that its body matches the schema. */
  check(method: string, url: string, res: Response): void {
    const verb = method.toLowerCase();
    const template = this.templateOf(verb, url);
    const name = `${method.toUpperCase()} ${template}`;
    const responses = this.doc.paths[template]?.[verb]?.responses ?? {};
    const status = String(res.status);
    const key = status in responses ? status : `${status[0]}XX`;
    const declared = responses[key];
    const shown = `${name} answered ${status}: ${JSON.stringify(res.body)?.slice(0, 400)}`;
    expect(declared, `${shown}\nbut declares only ${Object.keys(responses).join(', ')}`).toBeDefined();
    const seen = this.seen.get(name) ?? new Set<number>();
    seen.add(res.status);
    this.seen.set(name, seen);
    if (res.status === 204) {
      expect(declared?.content, `${name} declares a body for 204`).toBeUndefined();
      expect(res.body, shown).toBeNull();
      return;
    }
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const content = declared?.content ?? {};
    const media = content[mediaType] ?? content['*/*'];
    expect(
      media?.schema,
      `${shown}\nsent as ${mediaType}, but declares ${Object.keys(content)}`,
    ).toBeDefined();
    if (mediaType !== 'application/json') return;
    const cacheKey = `${name} ${key}`;
    let validate = this.compiled.get(cacheKey);
    if (!validate) {
      validate = this.ajv.compile(media?.schema ?? {});
      this.compiled.set(cacheKey, validate);
    }
    const valid = validate(res.body);
    expect(valid, `${shown}\ndoes not match its schema: ${this.ajv.errorsText(validate.errors)}`).toBe(true);
    this.validated += 1;
  }

  /** A client whose every answer is checked. */
  watch<C extends Client>(c: C): C {
    const request: Client['request'] = async (method, url, body, headers) => {
      const res = await c.request(method, url, body, headers);
      this.check(method, url, res);
      return res;
    };
    return {
      ...c,
      request,
      get: (p: string) => request('GET', p),
      post: (p: string, b?: unknown) => request('POST', p, b),
      put: (p: string, b?: unknown) => request('PUT', p, b),
      patch: (p: string, b?: unknown) => request('PATCH', p, b),
      delete: (p: string) => request('DELETE', p),
    };
  }
}

const bytesOf = (name: string) => readFileSync(path.join(import.meta.dirname, name));

for (const kind of STORES) {
  describe(`${kind}: every answer matches the response schema /api/openapi.json declares`, () => {
    let t: TestServer;
    let doc: OpenApi;
    let contract: ContractChecker;

    beforeAll(async () => {
      t = await startTestServer(kind);
      const res = await client(t.url, '').get('/api/openapi.json');
      expectStatus(res, 200);
      doc = res.body as OpenApi;
      contract = new ContractChecker(doc);
    });
    afterAll(async () => t?.close());

    it('declares a response schema for the success and the error answers of every operation', () => {
      const missing: string[] = [];
      let operations = 0;
      for (const [template, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (!METHODS.includes(method)) continue;
          operations += 1;
          const name = `${method.toUpperCase()} ${template}`;
          const responses = op.responses ?? {};
          const success = Object.keys(responses).filter((s) => /^2\d\d$/.test(s));
          if (success.length === 0) missing.push(`${name}: no 2xx answer`);
          for (const status of success) {
            const content = responses[status]?.content;
            if (status === '204') {
              if (content) missing.push(`${name}: 204 with a body`);
              continue;
            }
            const schemas = Object.values(content ?? {}).map((m) => m.schema);
            if (schemas.length === 0 || schemas.some((s) => !s || Object.keys(s).length === 0))
              missing.push(`${name}: ${status} without a schema`);
          }
          for (const status of ['4XX', '5XX']) {
            const schema = responses[status]?.content?.['application/json']?.schema;
            if (!schema) missing.push(`${name}: ${status} without the error schema`);
          }
        }
      }
      expect(operations).toBeGreaterThan(60);
      expect(missing).toEqual([]);
    });

    it('walks the product, every answer matching its declared schema', async () => {
      const check = (method: string, url: string, res: Response) => contract.check(method, url, res);
      const admin = contract.watch(t.admin);
      const anonymous = contract.watch(client(t.url, ''));

      // --- system and sessions
      expectStatus(await anonymous.get('/api/health'), 200);
      expectError(await anonymous.get('/api/me'), 401, 'unauthorized');
      const wrong = await rawLogin(t.url, 'admin', 'not-the-password');
      check('POST', '/api/auth/login', wrong);
      expectError(wrong, 401, 'invalid_credentials');
      expectStatus(await anonymous.get('/api/auth/session'), 200);

      // --- employees
      const created = await admin.post('/api/employees', {
        login: 'mira',
        name: 'Mira Stone',
        password: 'mira-password',
        role: 'manager',
      });
      expectStatus(created, 201);
      const miraId = created.body.id as string;
      const loggedIn = await rawLogin(t.url, 'mira', 'mira-password');
      check('POST', '/api/auth/login', loggedIn);
      expectStatus(loggedIn, 200);
      const mira = contract.watch(client(t.url, loggedIn.body.token as string));
      const cookie = loggedIn.cookies.map((c) => c.split(';')[0]).join('; ');
      const session = await readAnswer(await fetch(`${t.url}/api/auth/session`, { headers: { cookie } }));
      check('GET', '/api/auth/session', session);
      expect(session.body.employee.id).toBe(miraId);
      expectStatus(await mira.get('/api/me'), 200);
      expect((await admin.get('/api/employees')).body.items.length).toBe(2);
      expectStatus(await admin.get(`/api/employees/${miraId}`), 200);
      expectError(await admin.get('/api/employees/nobody'), 404, 'not_found');
      expectError(
        await admin.post('/api/employees', {
          login: 'mira',
          name: 'M',
          password: 'another-1',
          role: 'manager',
        }),
        409,
        'duplicate',
      );

      // --- CRM records, every kind
      const acme = await admin.post('/api/counterparties', {
        name: 'Acme Ltd',
        phone: '+1 555 0100',
        email: 'office@acme.test',
        group: 'wholesale',
      });
      expectStatus(acme, 201);
      const globex = await admin.post('/api/counterparties', { name: 'Globex' });
      expectStatus(globex, 201);
      const records: Record<string, string> = {};
      for (const kind of ['projects', 'orders', 'invoices', 'contracts', 'waybills']) {
        const body =
          kind === 'projects'
            ? { name: 'Warehouse', counterpartyId: acme.body.id }
            : { number: `${kind}-1`, counterpartyId: acme.body.id, amount: 1250.5, date: '2026-03-01' };
        const res = await admin.post(`/api/${kind}`, body);
        expectStatus(res, 201);
        records[kind] = res.body.id as string;
        expectStatus(await admin.get(`/api/${kind}/${res.body.id}`), 200);
        const patch = kind === 'projects' ? { name: 'Warehouse 2' } : { amount: null, date: null };
        expectStatus(await admin.patch(`/api/${kind}/${res.body.id}`, patch), 200);
        expect((await admin.get(`/api/${kind}?counterpartyId=${acme.body.id}`)).body.items.length).toBe(1);
      }
      expectStatus(await admin.patch(`/api/counterparties/${globex.body.id}`, { phone: '+1 555 0199' }), 200);
      expectStatus(await admin.get(`/api/counterparties/${acme.body.id}`), 200);
      expect(
        (await admin.get(`/api/counterparties?ids=${acme.body.id},${globex.body.id}`)).body.items,
      ).toHaveLength(2);
      expectError(await admin.get('/api/waybills/none'), 404, 'not_found');

      // --- definitions: a child, then the main one (a blocking task, an event, a wait, a spawn)
      const child = await admin.post('/api/definitions', {
        name: 'Check the stock',
        stages: [
          { key: 'check', name: 'Check', kind: 'start' },
          { key: 'ok', name: 'Checked', kind: 'end' },
        ],
        transitions: [{ from: 'check', to: 'ok', result: 'Done' }],
      });
      expectStatus(child, 201);
      expectStatus(await admin.post(`/api/definitions/${child.body.id}/publish`), 200);
      const body = {
        stages: [
          {
            key: 'offer',
            name: 'Prepare the offer',
            kind: 'start',
            task: { title: 'Write the offer', assignee: 'responsible', blocking: true, dueIn: 'P1D' },
            event: { type: 'call', comment: 'Call the client' },
            position: { x: 0, y: 0 },
          },
          { key: 'cool', name: 'Let it settle', kind: 'normal', wait: 'PT1H', position: { x: 200, y: 0 } },
          {
            key: 'deliver',
            name: 'Deliver',
            kind: 'normal',
            responsibles: [miraId],
            spawn: [child.body.id],
            position: { x: 400, y: 0 },
          },
          { key: 'done', name: 'Delivered', kind: 'end', position: { x: 600, y: 0 } },
        ],
        transitions: [
          { from: 'offer', to: 'cool', result: 'Sent' },
          { from: 'cool', to: 'deliver', result: 'Settled' },
          { from: 'deliver', to: 'done', result: 'Delivered' },
          { from: 'deliver', to: 'offer', result: 'Rework' },
        ],
      };
      const invalid = await admin.post('/api/definitions/validate', {
        stages: [
          { key: 'a', name: 'A', kind: 'start', wait: 'soon', task: { title: '', assignee: 'responsible' } },
        ],
        transitions: [],
      });
      expectStatus(invalid, 200);
      expect(invalid.body.valid).toBe(false);
      expect(invalid.body.errors.some((e: { params?: unknown }) => e.params !== undefined)).toBe(true);
      expect((await admin.post('/api/definitions/validate', body)).body).toEqual({ valid: true, errors: [] });
      const draft = await admin.post('/api/definitions', { name: 'Sale', description: 'A sale', ...body });
      expectStatus(draft, 201);
      const saleId = draft.body.id as string;
      const updated = await admin.put(`/api/definitions/${saleId}`, { name: 'Sale of goods', ...body });
      expectStatus(updated, 200);
      expectStatus(await admin.post(`/api/definitions/${saleId}/publish`), 200);
      const broken = await admin.post('/api/definitions', {
        name: 'Unfinished',
        stages: [{ key: 'a', name: 'A', kind: 'start', wait: 'later' }],
        transitions: [],
      });
      expectStatus(broken, 201);
      expect(broken.body.validation.errors.length).toBeGreaterThan(0);
      expectError(await admin.post(`/api/definitions/${broken.body.id}/publish`), 422, 'invalid_definition');
      expect((await admin.get('/api/definitions?status=published')).body.items.length).toBe(2);
      expectStatus(await admin.get(`/api/definitions/${saleId}`), 200);
      expectStatus(await admin.get(`/api/definitions/${saleId}/versions/1`), 200);
      expectError(await admin.get(`/api/definitions/${saleId}/versions/9`), 404, 'not_found');
      expectError(
        await mira.post('/api/definitions', { name: 'No', stages: [], transitions: [] }),
        403,
        'forbidden',
      );

      // --- launching
      const launched = await admin.post('/api/processes', {
        definitionId: saleId,
        counterpartyId: acme.body.id,
        note: 'Urgent',
        links: [{ type: 'order', id: records.orders }],
      });
      expectStatus(launched, 201);
      const id = launched.body.id as string;
      const bulk = await admin.post('/api/processes/bulk', {
        definitionId: saleId,
        counterpartyIds: [acme.body.id, globex.body.id],
      });
      expectStatus(bulk, 201);
      expect(bulk.body.items).toHaveLength(2);
      expect((await admin.get('/api/processes?status=active&sort=startedAt')).body.items.length).toBe(3);
      expectStatus(await admin.get('/api/processes/counts?mine=true'), 200);
      expectError(await admin.get('/api/processes?status=nonsense'), 400, 'validation_failed');

      // --- the blocking task holds the stage until it is done
      expectStatus(await admin.post(`/api/processes/${id}/stage`, { state: 'in_progress' }), 200);
      expectError(
        await admin.post(`/api/processes/${id}/stage`, { state: 'done', result: 'Sent' }),
        422,
        'blocking_task_open',
      );
      const tasks = await admin.get(`/api/tasks?processId=${id}`);
      expect(tasks.body.items.length).toBe(1);
      const completed = await admin.post(`/api/tasks/${tasks.body.items[0].id}/complete`);
      expectStatus(completed, 200);
      expect(completed.body.process.id).toBe(id);
      expectError(await admin.post(`/api/tasks/${tasks.body.items[0].id}/complete`), 422, 'task_not_open');
      expect((await admin.get('/api/tasks?status=done')).body.items.length).toBe(1);
      const stale = launched.body.version as number;
      expectError(
        await admin.post(`/api/processes/${id}/stage`, { state: 'done', expectedVersion: stale }),
        409,
        'version_conflict',
      );
      const waiting = await admin.post(`/api/processes/${id}/stage`, { state: 'done', result: 'Sent' });
      expectStatus(waiting, 200);
      expect(waiting.body.stage.waitingUntil).not.toBeNull();
      expectError(await admin.post(`/api/processes/${id}/stage`, { state: 'done' }), 422, 'stage_waiting');

      // --- time passes: the wait ends, the child is spawned, the next responsible is notified
      const advanced = await admin.post('/api/test/clock', { advance: 'PT2H' });
      expectStatus(advanced, 200);
      expect(advanced.body.fired).toBeGreaterThan(0);
      const card = await admin.get(`/api/processes/${id}`);
      expect(card.body.stage.key).toBe('deliver');
      expect(card.body.children).toHaveLength(1);
      expect(card.body.next.length).toBeGreaterThan(0);
      expect((await mira.get(`/api/processes/${id}`)).body.myAccess).toBe('edit');

      // --- changes on the card
      expectStatus(await admin.patch(`/api/processes/${id}`, { note: 'Very urgent' }), 200);
      expectStatus(
        await admin.post(`/api/processes/${id}/links`, { type: 'invoice', id: records.invoices }),
        201,
      );
      expectStatus(await admin.delete(`/api/processes/${id}/links/order/${records.orders}`), 200);
      const second = await t.employee('oleg');
      const granted = await admin.put(`/api/processes/${id}/access`, {
        entries: [{ employeeId: second.id, level: 'view' }],
      });
      expectStatus(granted, 200);
      expect(granted.body.access).toHaveLength(1);
      const pausedCard = await admin.post(`/api/processes/${id}/pause`, { for: 'P1D' });
      expectStatus(pausedCard, 200);
      expect(pausedCard.body.pausedUntil).not.toBeNull();
      expectStatus(await admin.post(`/api/processes/${id}/resume`), 200);

      // --- attachments
      const form = new FormData();
      form.append('file', new Blob([bytesOf('response-schemas.test.ts')]), 'notes.txt');
      const uploaded = await readAnswer(
        await fetch(`${t.url}/api/processes/${id}/attachments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.admin.token}` },
          body: form,
        }),
      );
      check('POST', `/api/processes/${id}/attachments`, uploaded);
      expectStatus(uploaded, 201);
      const attachment = `/api/processes/${id}/attachments/${uploaded.body.id}`;
      const downloaded = await fetch(t.url + attachment, {
        headers: { authorization: `Bearer ${t.admin.token}` },
      });
      check('GET', attachment, { status: downloaded.status, body: null, headers: downloaded.headers });
      expect(downloaded.status).toBe(200);
      await downloaded.arrayBuffer();
      expect((await admin.get(`/api/processes/${id}`)).body.attachments).toHaveLength(1);
      expectStatus(await admin.delete(attachment), 204);
      expectError(await admin.delete(attachment), 404, 'not_found');

      // --- finishing, the journal, protocol and events
      const finished = await mira.post(`/api/processes/${id}/stage`, { state: 'done', result: 'Delivered' });
      expectStatus(finished, 200);
      expect(finished.body.status).toBe('completed');
      expectStatus(await admin.post(`/api/processes/${bulk.body.items[0].id}/cancel`), 200);
      expect((await admin.get('/api/processes?status=completed,cancelled')).body.items.length).toBe(2);
      const protocol = await admin.get(`/api/processes/${id}/protocol?limit=5`);
      expect(protocol.body.items).toHaveLength(5);
      expectStatus(await admin.get(`/api/processes/${id}/protocol?cursor=${protocol.body.nextCursor}`), 200);
      expect((await admin.get(`/api/events?processId=${id}`)).body.items.length).toBeGreaterThan(0);
      expectStatus(await mira.get('/api/events'), 200);
      expectError(await contract.watch(second).get('/api/processes/nowhere'), 404, 'not_found');
      expectError(await mira.get(`/api/processes/${bulk.body.items[1].id}/protocol`), 404, 'not_found');

      // --- notifications
      const stream = await fetch(`${t.url}/api/notifications/stream`, {
        headers: { authorization: `Bearer ${mira.token}`, accept: 'text/event-stream' },
      });
      check('GET', '/api/notifications/stream', {
        status: stream.status,
        body: null,
        headers: stream.headers,
      });
      await stream.body?.cancel();
      const inbox = await mira.get('/api/notifications?limit=2');
      expect(inbox.body.items.length).toBeGreaterThan(0);
      expectStatus(
        await mira.get(`/api/notifications?unread=true&cursor=${inbox.body.nextCursor ?? ''}`),
        200,
      );
      expectStatus(await mira.post(`/api/notifications/${inbox.body.items[0].id}/read`), 200);
      expectStatus(await mira.post('/api/notifications/read-all'), 200);
      expectError(await mira.post('/api/notifications/none/read'), 404, 'not_found');

      // --- many processes at once, a new version, analytics
      const rest = bulk.body.items[1].id as string;
      const paused = await admin.post('/api/processes/bulk-actions', {
        ids: [rest],
        action: 'pause',
        for: 'P1D',
      });
      expectStatus(paused, 200);
      expectStatus(await admin.post('/api/processes/bulk-actions', { ids: [rest], action: 'resume' }), 200);
      expectStatus(
        await admin.put(`/api/definitions/${saleId}`, { name: 'Sale, second edition', ...body }),
        200,
      );
      expectStatus(await admin.post(`/api/definitions/${saleId}/publish`), 200);
      const migration = await admin.post(`/api/definitions/${saleId}/migrations`, {
        fromVersion: 1,
        toVersion: 2,
        dryRun: true,
      });
      expectStatus(migration, 200);
      expect(migration.body.items.length).toBeGreaterThan(0);
      expectStatus(await admin.get(`/api/definitions/${saleId}/analytics`), 200);
      const csv = await admin.get(`/api/definitions/${saleId}/analytics?format=csv`);
      expectStatus(csv, 200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);

      // --- the business calendar and absences
      const calendar = await admin.get('/api/calendar');
      expectStatus(calendar, 200);
      expectStatus(await admin.put('/api/calendar', calendar.body), 200);
      const absence = await admin.post(`/api/employees/${miraId}/absences`, {
        from: '2030-01-01T00:00:00Z',
        to: '2030-01-10T00:00:00Z',
        deputyId: second.id,
      });
      expectStatus(absence, 201);
      expect((await admin.get(`/api/employees/${miraId}/absences`)).body.items).toHaveLength(1);
      expect((await mira.get('/api/absences')).body.items).toHaveLength(1);
      expectStatus(await admin.delete(`/api/employees/${miraId}/absences/${absence.body.id}`), 204);

      // --- administration
      expectStatus(await admin.get('/api/admin/timers/parked'), 200);
      expectError(await admin.post('/api/admin/timers/none/retry'), 404, 'not_found');
      expectStatus(await admin.post('/api/admin/reconcile'), 200);
      expectError(await mira.post('/api/admin/reconcile'), 403, 'forbidden');

      // --- logging out
      expectStatus(await mira.post('/api/auth/logout'), 200);
      expectError(await mira.get('/api/me'), 401, 'unauthorized');

      // Every operation of the document was answered at least once.
      const unwalked = Object.entries(doc.paths).flatMap(([template, ops]) =>
        Object.keys(ops)
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m.toUpperCase()} ${template}`)
          .filter((name) => !contract.seen.has(name)),
      );
      expect(unwalked).toEqual([]);
      expect(contract.validated).toBeGreaterThan(100);
    });
  });
}
