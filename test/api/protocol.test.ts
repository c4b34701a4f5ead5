/**
 * The protocol of a process: one test per action, each checking who did it (or null for the
 * engine), when (an ISO time) and what; and that the protocol is oldest first and append-only — on
 * both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

type Employee = Client & { id: string };

interface Entry {
  readonly id: string;
  readonly at: string;
  readonly actor: { id: string; name: string } | null;
  readonly action: string;
  readonly details: Record<string, any>;
}

function expectIsoTime(value: unknown, what: string): void {
  expect(typeof value, `${what}: ${JSON.stringify(value)}`).toBe('string');
  expect(new Date(value as string).toISOString(), what).toBe(value);
}

/** Asserts the one entry of `action` (the last one, when `nth` is 'last') and returns it. */
function entry(
  items: readonly Entry[],
  action: string,
  actor: { id: string; name: string } | null,
  details: Record<string, unknown>,
  nth: 'only' | 'last' = 'only',
): Entry {
  const found = items.filter((i) => i.action === action);
  const shown = JSON.stringify(items.map((i) => i.action));
  if (nth === 'only') expect(found, `one ${action} in ${shown}`).toHaveLength(1);
  else expect(found.length, `some ${action} in ${shown}`).toBeGreaterThan(0);
  const e = found.at(-1) as Entry;
  expect(e.actor, action).toEqual(actor);
  expectIsoTime(e.at, `${action}.at`);
  expect(e.details, action).toMatchObject(details);
  return e;
}

for (const store of STORES) {
  describe(`${store}: the protocol`, () => {
    let t: TestServer;
    let pavel: Employee;
    let rosa: Employee;
    let admin: { id: string; name: string };
    let me: { id: string; name: string };
    /** a (start) —Agree→ b —Done→ z (end); a —Refuse→ z. */
    let flowDef: string;
    /** start with a blocking task and a meeting → end. */
    let taskDef: string;
    /** start → rest (wait P1D) → end. */
    let waitDef: string;
    let childDef: string;
    /** sell —Paid→ ship (end, spawns childDef). */
    let parentDef: string;

    async function launch(definitionId: string, extra: object = {}): Promise<any> {
      const res = await pavel.post('/api/processes', { definitionId, ...extra });
      expectStatus(res, 201);
      return res.body;
    }

    async function protocol(processId: string, who: Client = pavel): Promise<Entry[]> {
      const res = await who.get(`/api/processes/${processId}/protocol`);
      expectStatus(res, 200);
      return res.body.items as Entry[];
    }

    async function upload(processId: string, text: string, name: string): Promise<any> {
      const form = new FormData();
      form.append('file', new Blob([Buffer.from(text)]), name);
      const res = await fetch(`${t.url}/api/processes/${processId}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pavel.token}` },
        body: form,
      });
      expect(res.status).toBe(201);
      return res.json();
    }

    beforeAll(async () => {
      t = await startTestServer(store);
      pavel = await t.employee('pavel', 'manager', 'Pavel Protocol');
      rosa = await t.employee('rosa', 'manager', 'Rosa');
      me = { id: pavel.id, name: 'Pavel Protocol' };
      const self = (await t.admin.get('/api/me')).body;
      admin = { id: self.id, name: self.name };
      flowDef = await publishDefinition(t.admin, 'Flow', {
        stages: [
          { key: 'a', name: 'Ask', kind: 'start' },
          { key: 'b', name: 'Book', kind: 'normal' },
          { key: 'z', name: 'Closed', kind: 'end' },
        ],
        transitions: [
          { from: 'a', to: 'b', result: 'Agree' },
          { from: 'a', to: 'z', result: 'Refuse' },
          { from: 'b', to: 'z', result: 'Done' },
        ],
      });
      taskDef = await publishDefinition(t.admin, 'Papers', {
        stages: [
          {
            key: 'check',
            name: 'Check',
            kind: 'start',
            task: { title: 'Check the papers', assignee: 'responsible', blocking: true, dueIn: 'P1D' },
            event: { type: 'meeting', comment: 'Kick-off' },
          },
          { key: 'done', name: 'Done', kind: 'end' },
        ],
        transitions: [{ from: 'check', to: 'done', result: 'Checked' }],
      });
      waitDef = await publishDefinition(t.admin, 'Resting', {
        stages: [
          { key: 'start', name: 'Start', kind: 'start' },
          { key: 'rest', name: 'Rest', kind: 'normal', wait: 'P1D' },
          { key: 'end', name: 'End', kind: 'end' },
        ],
        transitions: [
          { from: 'start', to: 'rest', result: 'Sleep' },
          { from: 'rest', to: 'end', result: 'Continue' },
        ],
      });
      childDef = await publishDefinition(t.admin, 'Delivery', {
        stages: [
          { key: 'pick', name: 'Pick', kind: 'start' },
          { key: 'delivered', name: 'Delivered', kind: 'end' },
        ],
        transitions: [{ from: 'pick', to: 'delivered', result: 'Picked' }],
      });
      parentDef = await publishDefinition(t.admin, 'Sale', {
        stages: [
          { key: 'sell', name: 'Sell', kind: 'start' },
          { key: 'ship', name: 'Ship', kind: 'end', spawn: [childDef] },
        ],
        transitions: [{ from: 'sell', to: 'ship', result: 'Paid' }],
      });
    });
    afterAll(async () => t?.close());

    it('process.launched: first, by the launcher, at the start time, with no parent', async () => {
      const card = await launch(flowDef);
      const items = await protocol(card.id);
      expect(items[0]?.action).toBe('process.launched');
      const e = entry(items, 'process.launched', me, { parentId: null });
      expect(e.at).toBe(card.startedAt);
    });

    it('stage.entered: the start stage, its visit and how its responsible was chosen', async () => {
      const card = await launch(flowDef);
      const items = await protocol(card.id);
      expect(items[1]?.action).toBe('stage.entered');
      const e = entry(items, 'stage.entered', me, {
        stage: 'a',
        visit: 1,
        responsibleId: pavel.id,
        routing: 'mover',
      });
      expect(e.at).toBe(card.stage.enteredAt);
    });

    it('stage.started: when work begins, and marked passed-through when a stage is finished unstarted', async () => {
      const card = await launch(flowDef);
      expectStatus(await pavel.post(`/api/processes/${card.id}/stage`, { state: 'in_progress' }), 200);
      entry(await protocol(card.id), 'stage.started', me, { stage: 'a' });
      expect((await protocol(card.id)).at(-1)?.details.passedThrough).toBeUndefined();

      const other = await launch(flowDef);
      expectStatus(
        await pavel.post(`/api/processes/${other.id}/stage`, { state: 'done', result: 'Agree' }),
        200,
      );
      const items = await protocol(other.id);
      entry(items, 'stage.started', me, { stage: 'a', passedThrough: true });
      const actions = items.map((i) => i.action);
      expect(actions.indexOf('stage.started')).toBeLessThan(actions.indexOf('stage.finished'));
    });

    it('stage.finished: the stage and the result chosen', async () => {
      const card = await launch(flowDef);
      expectStatus(
        await pavel.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Agree' }),
        200,
      );
      entry(await protocol(card.id), 'stage.finished', me, { stage: 'a', result: 'Agree' });
    });

    it('transition: from, to and result, between the finish and the next stage entered', async () => {
      const card = await launch(flowDef);
      expectStatus(
        await pavel.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Agree' }),
        200,
      );
      const items = await protocol(card.id);
      entry(items, 'transition', me, { from: 'a', to: 'b', result: 'Agree' });
      expect(items.slice(-3).map((i) => i.action)).toEqual(['stage.finished', 'transition', 'stage.entered']);
      expect(items.at(-1)?.details).toMatchObject({ stage: 'b', visit: 2 });
    });

    it('responsible.changed: from whom to whom, by whom', async () => {
      const card = await launch(flowDef);
      expectStatus(await pavel.patch(`/api/processes/${card.id}`, { responsibleId: rosa.id }), 200);
      entry(await protocol(card.id), 'responsible.changed', me, { stage: 'a', from: pavel.id, to: rosa.id });
    });

    it('note.changed: the new note and the one before; an unchanged note records nothing', async () => {
      const card = await launch(flowDef, { note: 'old' });
      expectStatus(await pavel.patch(`/api/processes/${card.id}`, { note: 'Call after 5 pm' }), 200);
      expectStatus(await pavel.patch(`/api/processes/${card.id}`, { note: 'Call after 5 pm' }), 200);
      entry(await protocol(card.id), 'note.changed', me, { note: 'Call after 5 pm', previous: 'old' });
    });

    it('attachment.added and attachment.removed: which file, its name, size and type', async () => {
      const card = await launch(flowDef);
      const file = await upload(card.id, 'signed contract', 'contract.txt');
      entry(await protocol(card.id), 'attachment.added', me, {
        attachmentId: file.id,
        name: 'contract.txt',
        size: 15,
        contentType: 'application/octet-stream',
      });
      expect((await pavel.delete(`/api/processes/${card.id}/attachments/${file.id}`)).status).toBe(204);
      entry(await protocol(card.id), 'attachment.removed', me, {
        attachmentId: file.id,
        name: 'contract.txt',
      });
    });

    it('link.added and link.removed: the type and id of the record', async () => {
      const card = await launch(flowDef);
      const invoice = (await t.admin.post('/api/invoices', { number: 'INV-P1' })).body;
      expectStatus(
        await pavel.post(`/api/processes/${card.id}/links`, { type: 'invoice', id: invoice.id }),
        201,
      );
      entry(await protocol(card.id), 'link.added', me, { type: 'invoice', id: invoice.id });
      expectStatus(await pavel.delete(`/api/processes/${card.id}/links/invoice/${invoice.id}`), 200);
      entry(await protocol(card.id), 'link.removed', me, { type: 'invoice', id: invoice.id });
    });

    it('access.changed: the grants before and after', async () => {
      const card = await launch(flowDef);
      const view = [{ employeeId: rosa.id, level: 'view' }];
      const edit = [{ employeeId: rosa.id, level: 'edit' }];
      expectStatus(await pavel.put(`/api/processes/${card.id}/access`, { entries: view }), 200);
      expectStatus(await pavel.put(`/api/processes/${card.id}/access`, { entries: edit }), 200);
      const changes = (await protocol(card.id)).filter((i) => i.action === 'access.changed');
      expect(changes).toHaveLength(2);
      const [first, second] = changes as [Entry, Entry];
      expect(first.actor).toEqual(me);
      expectIsoTime(first.at, 'access.changed.at');
      expect(first.details).toEqual({ before: [], after: view });
      expect(second.details).toEqual({ before: view, after: edit });
    });

    it('process.paused and process.resumed: until when, by hand or by itself', async () => {
      const card = await launch(flowDef);
      const paused = await pavel.post(`/api/processes/${card.id}/pause`, { for: 'P2D' });
      expectStatus(paused, 200);
      const e = entry(await protocol(card.id), 'process.paused', me, {});
      expectIsoTime(e.details.until, 'process.paused.details.until');
      expect(e.details.until).toBe(paused.body.pausedUntil);
      // `for` counts from the moment of the request; the entry is written a few milliseconds later.
      expect(Math.abs(Date.parse(e.details.until) - Date.parse(e.at) - 2 * 24 * 3600 * 1000)).toBeLessThan(
        1000,
      );
      expectStatus(await pavel.post(`/api/processes/${card.id}/resume`), 200);
      entry(await protocol(card.id), 'process.resumed', me, { automatic: false });

      const other = await launch(flowDef);
      expectStatus(await pavel.post(`/api/processes/${other.id}/pause`, { for: 'PT1H' }), 200);
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT1H' }), 200);
      entry(await protocol(other.id), 'process.resumed', null, { automatic: true });
    });

    it('task.created and task.completed: the task, its assignee and whether it blocks', async () => {
      const card = await launch(taskDef);
      const task = (await pavel.get(`/api/tasks?processId=${card.id}`)).body.items[0];
      const created = entry(await protocol(card.id), 'task.created', me, {
        taskId: task.id,
        title: 'Check the papers',
        assigneeId: pavel.id,
        blocking: true,
      });
      expectIsoTime(created.details.startsAt, 'task.created.details.startsAt');
      expectIsoTime(created.details.dueAt, 'task.created.details.dueAt');
      expect(created.details.startsAt).toBe(task.startsAt);
      expect(created.details.dueAt).toBe(task.dueAt);

      expectStatus(await pavel.post(`/api/tasks/${task.id}/complete`), 200);
      entry(await protocol(card.id), 'task.completed', me, {
        taskId: task.id,
        title: 'Check the papers',
        blocking: true,
      });
    });

    it('event.created: the event of the stage, its type and comment', async () => {
      const card = await launch(taskDef);
      const event = (await pavel.get(`/api/events?processId=${card.id}`)).body.items[0];
      entry(await protocol(card.id), 'event.created', me, {
        eventId: event.id,
        type: 'meeting',
        comment: 'Kick-off',
      });
    });

    it('child.spawned: the child on the parent; process.launched with parentId on the child', async () => {
      const card = await launch(parentDef);
      const done = await pavel.post(`/api/processes/${card.id}/stage`, { state: 'done' });
      expectStatus(done, 200);
      const childId = done.body.children[0].id as string;
      entry(await protocol(card.id), 'child.spawned', me, {
        childId,
        definitionId: childDef,
        stage: 'ship',
      });
      const childItems = await protocol(childId);
      expect(childItems[0]?.action).toBe('process.launched');
      entry(childItems, 'process.launched', me, { parentId: card.id });
    });

    it('wait.started and wait.elapsed: the wait and its end, the engine moving on by itself', async () => {
      const card = await launch(waitDef);
      expectStatus(await pavel.post(`/api/processes/${card.id}/stage`, { state: 'done' }), 200);
      const started = entry(await protocol(card.id), 'wait.started', me, { stage: 'rest', wait: 'P1D' });
      expectIsoTime(started.details.until, 'wait.started.details.until');
      expect(Date.parse(started.details.until) - Date.parse(started.at)).toBe(24 * 3600 * 1000);

      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT23H' }), 200);
      expect((await protocol(card.id)).some((i) => i.action === 'wait.elapsed')).toBe(false);
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT1H' }), 200);
      const items = await protocol(card.id);
      const elapsed = entry(items, 'wait.elapsed', null, { stage: 'rest', wait: 'P1D' });
      expect(Date.parse(elapsed.at)).toBeGreaterThanOrEqual(Date.parse(started.details.until));
      const after = items.slice(items.indexOf(elapsed));
      expect(after.map((i) => i.action)).toEqual([
        'wait.elapsed',
        'stage.finished',
        'transition',
        'stage.entered',
        'process.completed',
      ]);
      for (const i of after) expect(i.actor, i.action).toBeNull();
    });

    it('process.cancelled: by an administrator only', async () => {
      const card = await launch(flowDef);
      expectError(await pavel.post(`/api/processes/${card.id}/cancel`), 403, 'forbidden');
      expect((await protocol(card.id)).some((i) => i.action === 'process.cancelled')).toBe(false);
      expectStatus(await t.admin.post(`/api/processes/${card.id}/cancel`), 200);
      entry(await protocol(card.id), 'process.cancelled', admin, { stage: 'a' });
    });

    it('process.completed: on reaching an end stage, last', async () => {
      const card = await launch(flowDef);
      expectStatus(
        await pavel.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Refuse' }),
        200,
      );
      const items = await protocol(card.id);
      entry(items, 'process.completed', me, { stage: 'z' });
      expect(items.at(-1)?.action).toBe('process.completed');
    });

    it('is oldest first and append-only: an earlier read is a prefix of a later one', async () => {
      const card = await launch(flowDef, { note: 'v1' });
      await pavel.patch(`/api/processes/${card.id}`, { note: 'v2' });
      const first = await protocol(card.id);
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT5M' }), 200);
      await pavel.post(`/api/processes/${card.id}/stage`, { state: 'in_progress' });
      await pavel.patch(`/api/processes/${card.id}`, { note: 'v3' });
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT5M' }), 200);
      await pavel.post(`/api/processes/${card.id}/stage`, { state: 'done', result: 'Agree' });
      const second = await protocol(card.id);

      expect(second.length).toBeGreaterThan(first.length);
      expect(second.slice(0, first.length)).toEqual(first);
      for (let i = 1; i < second.length; i++) {
        const [prev, next] = [second[i - 1] as Entry, second[i] as Entry];
        expect(Date.parse(next.at)).toBeGreaterThanOrEqual(Date.parse(prev.at));
        expect(Number(next.id)).toBeGreaterThan(Number(prev.id));
      }
      expect(
        Date.parse(second.at(-1)?.at as string) - Date.parse(first.at(-1)?.at as string),
      ).toBeGreaterThanOrEqual(10 * 60 * 1000);

      // No route rewrites or removes it, not even for an administrator.
      for (const method of ['DELETE', 'PUT', 'PATCH', 'POST']) {
        const res = await t.admin.request(
          method,
          `/api/processes/${card.id}/protocol`,
          method === 'DELETE' ? undefined : { items: [] },
        );
        expect([404, 405], `${method}: ${res.status}`).toContain(res.status);
      }
      expect(await protocol(card.id)).toEqual(second);
    });

    it('is hidden from an employee without access', async () => {
      const card = await launch(flowDef);
      const outsider = await t.employee('quentin', 'manager', 'Quentin');
      expectError(await outsider.get(`/api/processes/${card.id}/protocol`), 404, 'not_found');
    });
  });
}
