import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

for (const store of STORES) {
  for (const lang of ['en', 'ru'] as const) {
    describe(`${store}: demo content (${lang})`, () => {
      it('fills a new database once, with the article processes published and running', async () => {
        const t = await startTestServer(store, { STAGEFLOW_DEMO: '1', STAGEFLOW_LANGUAGE: lang });
        try {
          const defs = (await t.admin.get('/api/definitions?status=published')).body.items;
          const names = defs.map((d: any) => d.name).sort();
          expect(names).toEqual(
            lang === 'ru'
              ? ['Доставка товара', 'Мониторинг потерянных клиентов']
              : ['Delivery of goods', 'Monitoring lost clients'],
          );
          for (const d of defs)
            expect((await t.admin.get(`/api/definitions/${d.id}`)).body.validation.valid).toBe(true);
          // "Monitoring lost clients" shows time control: a deadline and one escalation step.
          const monitoring = defs.find((d: any) => d.name === names[1]);
          const call = (await t.admin.get(`/api/definitions/${monitoring.id}`)).body.stages[0];
          expect(call.deadline).toEqual({ duration: 'PT9H', working: true });
          expect(call.escalation).toHaveLength(1);
          const running = (await t.admin.get(`/api/processes?definitionId=${monitoring.id}&stageKey=call`))
            .body.items;
          expect(running.some((p: any) => p.stage.dueAt !== null)).toBe(true);
          const counts = (await t.admin.get('/api/processes/counts')).body;
          expect(counts.active).toBeGreaterThanOrEqual(3);
          expect(counts.completed).toBeGreaterThanOrEqual(1);
          const clients = (await t.admin.get('/api/counterparties?limit=100')).body.items;
          expect(clients).toHaveLength(12);
          expect(clients.filter((c: any) => c.group !== null)).toHaveLength(5);
          const vera = await t.login('vera', 'demo1234');
          expect((await vera.get('/api/processes?mine=true')).body.items.length).toBeGreaterThan(0);
          expect(t.server.notices.some((n) => n.includes('vera'))).toBe(true);
          await t.stop();
          // A restart does not seed again.
          const again = await startTestServer(
            store,
            { STAGEFLOW_DEMO: '1', STAGEFLOW_LANGUAGE: lang },
            t.database,
          );
          expect((await again.admin.get('/api/counterparties?limit=100')).body.items).toHaveLength(12);
          expect(again.server.notices.some((n) => n.includes('vera'))).toBe(false);
          await again.stop();
        } finally {
          await t.close();
        }
      });
    });
  }
}
