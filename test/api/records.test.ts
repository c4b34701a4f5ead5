/** The CRM records around processes: create, read, change, list and search all six kinds. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectStatus } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

interface Kind {
  readonly path: string;
  /** A body to create, given a counterparty to reference; `term` must find it by ?q=. */
  create(counterpartyId: string): Record<string, unknown>;
  readonly term: string;
  /** A change, and a search term only the changed record matches. */
  readonly patch: Record<string, unknown>;
  readonly patchedTerm: string;
  /** A second record that the search term must not find. */
  readonly other: Record<string, unknown>;
}

const document = (prefix: string): Kind => ({
  path: `/api/${prefix}`,
  create: (counterpartyId) => ({
    number: `${prefix.toUpperCase()}-1001`,
    counterpartyId,
    amount: 1500.5,
    date: '2024-02-29',
  }),
  term: `${prefix}-10`,
  patch: { number: `${prefix.toUpperCase()}-2002`, amount: null, date: '2025-01-31' },
  patchedTerm: '2002',
  other: { number: 'Z-9' },
});

const KINDS: readonly Kind[] = [
  {
    path: '/api/counterparties',
    create: () => ({
      name: 'Romashka LLC',
      phone: '+7 900 000-00-01',
      email: 'info@romashka.example',
      group: 'Lost',
    }),
    term: 'ROMASHKA',
    patch: { name: 'Romashka Group', phone: null },
    patchedTerm: 'group',
    other: { name: 'Vasilek' },
  },
  {
    path: '/api/projects',
    create: (counterpartyId) => ({ name: 'Warehouse move', counterpartyId }),
    term: 'warehouse',
    patch: { name: 'Warehouse relocation', counterpartyId: null },
    patchedTerm: 'relocation',
    other: { name: 'Website' },
  },
  document('orders'),
  document('invoices'),
  document('contracts'),
  document('waybills'),
];

for (const store of STORES) {
  describe(`${store}: CRM records`, () => {
    let t: TestServer;
    let manager: Client & { id: string };
    let counterpartyId: string;

    beforeAll(async () => {
      t = await startTestServer(store);
      manager = await t.employee('ivan', 'manager', 'Ivan');
      const owner = await t.admin.post('/api/counterparties', { name: 'Owner Ltd' });
      expectStatus(owner, 201);
      counterpartyId = owner.body.id;
    });
    afterAll(async () => t?.close());

    for (const kind of KINDS) {
      it(`${kind.path}: creates, reads, changes and finds a record`, async () => {
        const body = kind.create(counterpartyId);
        const created = await manager.post(kind.path, body);
        expectStatus(created, 201);
        expect(typeof created.body.id).toBe('string');
        expect(created.body).toMatchObject(body);
        const id = created.body.id;
        expectStatus(await manager.post(kind.path, kind.other), 201);

        const read = await manager.get(`${kind.path}/${id}`);
        expectStatus(read, 200);
        expect(read.body).toMatchObject({ id, ...body });

        const found = await manager.get(`${kind.path}?q=${encodeURIComponent(kind.term)}`);
        expectStatus(found, 200);
        expect(found.body.items.map((r: any) => r.id)).toEqual([id]);
        expect(found.body.nextCursor).toBeNull();

        const patched = await manager.patch(`${kind.path}/${id}`, kind.patch);
        expectStatus(patched, 200);
        expect(patched.body).toMatchObject({ id, ...kind.patch });
        expect((await manager.get(`${kind.path}/${id}`)).body).toMatchObject({ id, ...kind.patch });
        const refound = await manager.get(`${kind.path}?q=${encodeURIComponent(kind.patchedTerm)}`);
        expect(refound.body.items.map((r: any) => r.id)).toEqual([id]);

        // An empty PATCH changes nothing.
        const same = await manager.patch(`${kind.path}/${id}`, {});
        expectStatus(same, 200);
        expect(same.body).toMatchObject(kind.patch);

        const all = await manager.get(`${kind.path}?limit=500`);
        expect(all.body.items.map((r: any) => r.id)).toContain(id);
        expect((await manager.get(`${kind.path}?q=no-such-text`)).body.items).toEqual([]);
      });

      it(`${kind.path}: refuses unknown fields, bad values and missing references`, async () => {
        const before = (await manager.get(`${kind.path}?limit=500`)).body.items;
        expectError(
          await manager.post(kind.path, { ...kind.create(counterpartyId), colour: 'red' }),
          400,
          'validation_failed',
        );
        expectError(
          await manager.post(kind.path, { ...kind.create(counterpartyId), id: 'mine' }),
          400,
          'validation_failed',
        );
        expectError(await manager.post(kind.path, {}), 400, 'validation_failed');
        const missingRef =
          kind.path === '/api/counterparties' ? undefined : { ...kind.create('no-such-counterparty') };
        if (missingRef) {
          const res = await manager.post(kind.path, missingRef);
          expectError(res, 422, 'reference_not_found');
          expect(res.body.error.details).toMatchObject({
            field: 'counterpartyId',
            id: 'no-such-counterparty',
          });
        }
        const id = before[0].id;
        expectError(await manager.patch(`${kind.path}/${id}`, { colour: 'red' }), 400, 'validation_failed');
        if (missingRef) {
          expectError(
            await manager.patch(`${kind.path}/${id}`, { counterpartyId: 'no-such-counterparty' }),
            422,
            'reference_not_found',
          );
        }
        expectError(await manager.get(`${kind.path}/no-such-record`), 404, 'not_found');
        expectError(await manager.patch(`${kind.path}/no-such-record`, {}), 404, 'not_found');
        expect((await manager.get(`${kind.path}?limit=500`)).body.items).toEqual(before);
      });
    }

    it('validates field values: names, numbers, dates, amounts', async () => {
      expectError(await manager.post('/api/counterparties', { name: '   ' }), 400, 'validation_failed');
      expectError(await manager.post('/api/projects', { name: '' }), 400, 'validation_failed');
      expectError(await manager.post('/api/orders', { number: '' }), 400, 'validation_failed');
      expectError(
        await manager.post('/api/orders', { number: 'N-1', date: '31.12.2024' }),
        400,
        'validation_failed',
      );
      expectError(
        await manager.post('/api/orders', { number: 'N-1', date: '2023-02-29' }),
        400,
        'validation_failed',
      );
      expectError(
        await manager.post('/api/invoices', { number: 'N-1', amount: 'lots' }),
        400,
        'validation_failed',
      );
      expectError(
        await manager.post('/api/counterparties', { name: 'N', group: 7 }),
        400,
        'validation_failed',
      );
    });

    it('searches ignoring case in any script, and filters by group and counterparty', async () => {
      const cyrillic = await manager.post('/api/counterparties', {
        name: 'ООО Ромашка',
        group: 'Потерянные',
      });
      expectStatus(cyrillic, 201);
      const found = await manager.get(`/api/counterparties?q=${encodeURIComponent('ромашка')}`);
      expect(found.body.items.map((c: any) => c.id)).toEqual([cyrillic.body.id]);
      const upper = await manager.get(`/api/counterparties?q=${encodeURIComponent('ООО РОМ')}`);
      expect(upper.body.items.map((c: any) => c.id)).toEqual([cyrillic.body.id]);
      // Search runs over the phone and the e-mail too.
      const byEmail = await manager.get('/api/counterparties?q=INFO@ROMASHKA');
      expect(byEmail.body.items).toHaveLength(1);

      const lost = await manager.get(`/api/counterparties?group=${encodeURIComponent('Потерянные')}`);
      expect(lost.body.items.map((c: any) => c.id)).toEqual([cyrillic.body.id]);
      const owned = await manager.get(`/api/invoices?counterpartyId=${counterpartyId}`);
      expect(owned.body.items.length).toBe(1);
      expect(owned.body.items[0].counterpartyId).toBe(counterpartyId);
    });

    it('takes % and _ in the search text literally', async () => {
      const underscore = await manager.post('/api/contracts', { number: 'K_7' });
      expectStatus(await manager.post('/api/contracts', { number: 'KX7' }), 201);
      const percent = await manager.post('/api/contracts', { number: '100%' });
      expect((await manager.get('/api/contracts?q=k_7')).body.items.map((r: any) => r.id)).toEqual([
        underscore.body.id,
      ]);
      expect(
        (await manager.get(`/api/contracts?q=${encodeURIComponent('%')}`)).body.items.map((r: any) => r.id),
      ).toEqual([percent.body.id]);
      expect((await manager.get(`/api/contracts?q=${encodeURIComponent('\\')}`)).body.items).toEqual([]);
    });

    it('pages through records with a cursor', async () => {
      for (let i = 0; i < 5; i++)
        expectStatus(await manager.post('/api/waybills', { number: `PAGE-${i}` }), 201);
      const all = (await manager.get('/api/waybills?q=page-&limit=500')).body.items.map((r: any) => r.id);
      expect(all).toHaveLength(5);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await manager.get(
          `/api/waybills?q=page-&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expectStatus(res, 200);
        seen.push(...res.body.items.map((r: any) => r.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
      expectError(await manager.get('/api/waybills?limit=0'), 400, 'validation_failed');
    });
  });
}
