/** Findings of the security and correctness review, each pinned by the request that showed it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition, twoStageBody } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { openStream } from '../support/sse.ts';
import { STORES } from '../support/stores.ts';

type Employee = Client & { id: string };

for (const store of STORES) {
  describe(`${store}: review findings`, () => {
    let t: TestServer;
    let manager: Employee;
    let definitionId: string;

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('mira', 'manager', 'Mira');
      definitionId = await publishDefinition(t.admin, 'Plain', twoStageBody());
    });
    afterAll(async () => t?.close());

    const launch = async () => {
      const res = await manager.post('/api/processes', { definitionId });
      expectStatus(res, 201);
      return res.body.id as string;
    };

    it('refuses a pause whose duration runs past any representable time, and leaves the process active', async () => {
      const id = await launch();
      for (const huge of ['P99999999999999999999Y', 'PT99999999999999999999H', 'P99999999999999999999D']) {
        expectError(await manager.post(`/api/processes/${id}/pause`, { for: huge }), 422, 'invalid_time');
      }
      const card = await manager.get(`/api/processes/${id}`);
      expect(card.body.status).toBe('active');
      expect(card.body.pausedUntil).toBeNull();
    });

    it('validates a draft naming tens of thousands of spawned definitions without a 500', async () => {
      const spawn = Array.from({ length: 50 }, (_, i) => `d${i}`);
      const stages = Array.from({ length: 1500 }, (_, s) => ({
        key: `s${s}`,
        name: `S${s}`,
        kind: s === 0 ? 'start' : 'end',
        spawn: spawn.map((d) => `${d}x${s}`),
      }));
      const transitions = stages.slice(1).map((s) => ({ from: 's0', to: s.key, result: s.key }));
      const res = await manager.post('/api/definitions/validate', { stages, transitions });
      expectStatus(res, 200);
      expect(res.body.valid).toBe(false);
    });

    it('ends the notification stream of a session that logs out', async () => {
      const other = await t.employee('otto', 'manager', 'Otto');
      const stream = await openStream(t.url, other.token);
      try {
        expectStatus(await other.post('/api/auth/logout'), 200);
        const handOver = await publishDefinition(t.admin, 'To Otto', {
          stages: [
            { key: 'a', name: 'A', kind: 'start', responsibles: [other.id] },
            { key: 'b', name: 'B', kind: 'end' },
          ],
          transitions: [{ from: 'a', to: 'b', result: 'Done' }],
        });
        expectStatus(await manager.post('/api/processes', { definitionId: handOver }), 201);
        const online = async () => (await manager.get(`/api/employees/${other.id}`)).body.online as boolean;
        for (let i = 0; i < 50 && (await online()); i++) await new Promise((r) => setTimeout(r, 20));
        expect(await online()).toBe(false);
        expect(stream.events.filter((e) => e.event === 'notification')).toEqual([]);
      } finally {
        stream.close();
      }
    });

    it('encodes every character RFC 5987 does not allow in the filename* of a download', async () => {
      const id = await launch();
      const name = "O'Brien (final)*.txt";
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('bytes')]), name);
      const uploaded = await fetch(`${t.url}/api/processes/${id}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${manager.token}` },
        body: form,
      });
      expect(uploaded.status).toBe(201);
      const attachment = (await uploaded.json()) as { id: string; name: string };
      expect(attachment.name).toBe(name);
      const got = await fetch(`${t.url}/api/processes/${id}/attachments/${attachment.id}`, {
        headers: { authorization: `Bearer ${manager.token}` },
      });
      expect(got.status).toBe(200);
      await got.arrayBuffer();
      const value = /filename\*=UTF-8''(.*)$/.exec(got.headers.get('content-disposition') ?? '')?.[1] ?? '';
      expect(value).toMatch(/^[A-Za-z0-9!#$&+.^_`|~%-]+$/);
      expect(decodeURIComponent(value)).toBe(name);
    });
  });
}
