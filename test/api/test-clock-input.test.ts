/**
 * The test clock's input: a malformed duration is malformed input (400 `validation_failed`, as the
 * contract says), a well-formed one past any representable time stays 422 `invalid_duration`, and
 * neither moves the clock — on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus } from '../support/api-helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const MALFORMED: readonly unknown[] = [
  'banana',
  'P',
  'PT',
  'PT-1H',
  'P-1D',
  'P1.5D',
  '1H',
  'p1d',
  'P1D ',
  'PT1H30',
  12,
  null,
  true,
  ['PT1H'],
  { hours: 1 },
  '',
];

for (const store of STORES) {
  describe(`${store}: test clock input`, () => {
    let t: TestServer;

    beforeAll(async () => {
      t = await startTestServer(store);
    });
    afterAll(async () => t?.close());

    /** How far the test clock has been moved, in milliseconds. */
    const offset = () => t.server.testClock?.offset;

    it('answers 400 validation_failed to a malformed duration and leaves the clock alone', async () => {
      const before = offset();
      for (const advance of MALFORMED) {
        const res = await t.admin.post('/api/test/clock', { advance });
        expectError(res, 400, 'validation_failed');
      }
      expectError(await t.admin.post('/api/test/clock', {}), 400, 'validation_failed');
      expectError(await t.admin.post('/api/test/clock', 'PT1H'), 400, 'malformed_json');
      expect(offset()).toBe(before);
    });

    it('keeps 422 invalid_duration for a well-formed duration past any representable time', async () => {
      const before = offset();
      expectError(await t.admin.post('/api/test/clock', { advance: 'P999999Y' }), 422, 'invalid_duration');
      expect(offset()).toBe(before);
    });

    it('still advances on a well-formed duration', async () => {
      const before = offset() ?? Number.NaN;
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT2H' }), 200);
      expect(offset()).toBe(before + 2 * 60 * 60 * 1000);
    });
  });
}
