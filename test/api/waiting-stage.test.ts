/**
 * A waiting stage looks like one: the card and the journal say until when it waits, and it cannot
 * be finished by hand (422 `stage_waiting`, naming the end of the wait); the engine moves it on
 * when the wait ends. A paused process says until when it is paused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

for (const kind of STORES) {
  describe(`${kind}: a waiting stage`, () => {
    let t: TestServer;
    let definitionId: string;

    beforeAll(async () => {
      t = await startTestServer(kind);
      definitionId = await publishDefinition(t.admin, 'Sleepy', {
        stages: [
          { key: 'call', name: 'Call', kind: 'start' },
          { key: 'rest', name: 'Rest', kind: 'normal', wait: 'P1D' },
          { key: 'again', name: 'Call again', kind: 'normal' },
          { key: 'end', name: 'End', kind: 'end' },
        ],
        transitions: [
          { from: 'call', to: 'rest', result: 'Not reached' },
          { from: 'rest', to: 'again', result: 'Continue' },
          { from: 'again', to: 'end', result: 'Done' },
        ],
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    async function launchAsleep() {
      const launched = await t.admin.post('/api/processes', { definitionId });
      expectStatus(launched, 201);
      expect(launched.body.stage.waitingUntil).toBeNull();
      expect(launched.body.mayFinishStage).toBe(true);
      const asleep = await t.admin.post(`/api/processes/${launched.body.id}/stage`, { state: 'done' });
      expectStatus(asleep, 200);
      return asleep.body;
    }

    it('shows until when it waits on the card and the journal, the time of wait.started', async () => {
      const card = await launchAsleep();
      expect(card.stage).toMatchObject({ key: 'rest', state: 'in_progress' });
      const protocol = (await t.admin.get(`/api/processes/${card.id}/protocol`)).body.items;
      const started = protocol.find((e: any) => e.action === 'wait.started');
      expect(card.stage.waitingUntil).toBe(started.details.until);
      expect(Date.parse(card.stage.waitingUntil) - Date.parse(card.stage.enteredAt)).toBe(86_400_000);
      expect(card.mayFinishStage).toBe(false);
      const again = (await t.admin.get(`/api/processes/${card.id}`)).body;
      expect(again.stage.waitingUntil).toBe(card.stage.waitingUntil);
      const journal = (await t.admin.get(`/api/processes?definitionId=${definitionId}&limit=50`)).body.items;
      const row = journal.find((r: any) => r.id === card.id);
      expect(row.stage.waitingUntil).toBe(card.stage.waitingUntil);
      expect(
        journal.filter((r: any) => r.id !== card.id).every((r: any) => r.stage.waitingUntil === null),
      ).toBe(true);
    });

    it('refuses a finish by hand while waiting, saying until when, and changes nothing', async () => {
      const card = await launchAsleep();
      const res = await t.admin.post(`/api/processes/${card.id}/stage`, { state: 'done' });
      expectError(res, 422, 'stage_waiting');
      expect(res.body.error.details).toMatchObject({
        stage: 'rest',
        wait: 'P1D',
        until: card.stage.waitingUntil,
      });
      expect(res.body.error.message).toContain(card.stage.waitingUntil);
      const withResult = await t.admin.post(`/api/processes/${card.id}/stage`, {
        state: 'done',
        result: 'Continue',
      });
      expectError(withResult, 422, 'stage_waiting');
      const after = (await t.admin.get(`/api/processes/${card.id}`)).body;
      expect(after.version).toBe(card.version);
      expect(after.stage).toMatchObject({ key: 'rest', waitingUntil: card.stage.waitingUntil });
    });

    it('moves on by itself when the wait ends, and then is no longer waiting', async () => {
      const card = await launchAsleep();
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'P1D' }), 200);
      const after = (await t.admin.get(`/api/processes/${card.id}`)).body;
      expect(after.stage).toMatchObject({ key: 'again', waitingUntil: null });
      expect(after.mayFinishStage).toBe(true);
    });

    it('a paused waiting process shows both ends and still refuses a finish', async () => {
      const card = await launchAsleep();
      const paused = await t.admin.post(`/api/processes/${card.id}/pause`, { for: 'PT2H' });
      expectStatus(paused, 200);
      expect(paused.body.status).toBe('paused');
      expect(paused.body.pausedUntil).not.toBeNull();
      expect(paused.body.stage.waitingUntil).toBe(card.stage.waitingUntil);
      expect(paused.body.mayFinishStage).toBe(false);
      const res = await t.admin.post(`/api/processes/${card.id}/stage`, { state: 'done' });
      expectError(res, 422, 'process_not_active');
    });
  });
}
