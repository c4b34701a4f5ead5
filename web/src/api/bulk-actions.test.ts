import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyMigration, BULK_CHUNK, runBulkAction } from './bulk-actions.ts';

interface Sent {
  url: string;
  key: string | undefined;
  body: Record<string, unknown>;
}

/** A fetch that records each request and answers with `answer(body)` (a status and a JSON body). */
function stubFetch(answer: (body: Record<string, unknown>, n: number) => [number, unknown]): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body)) as Record<string, unknown>;
    const headers = init.headers as Record<string, string>;
    sent.push({ url, key: headers['Idempotency-Key'], body });
    const [status, json] = answer(body, sent.length);
    return new Response(JSON.stringify(json), { status });
  });
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

describe('bulk actions in chunks', () => {
  it('sends ten ids a request, each request under its own Idempotency-Key, and reports each chunk', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `p${i}`);
    const sent = stubFetch((body) => [
      200,
      { items: (body.ids as string[]).map((processId) => ({ processId, outcome: 'done' })) },
    ]);
    const progress: number[] = [];
    const items = await runBulkAction(ids, { action: 'reassign', responsibleId: 'e1' }, (chunk) =>
      progress.push(chunk.length),
    );
    expect(BULK_CHUNK).toBe(10);
    expect(sent.map((s) => (s.body.ids as string[]).length)).toEqual([10, 10, 5]);
    expect(sent.every((s) => s.url === '/api/processes/bulk-actions' && s.body.action === 'reassign')).toBe(
      true,
    );
    expect(new Set(sent.map((s) => s.key)).size).toBe(3);
    expect(sent.every((s) => typeof s.key === 'string' && s.key.length > 0)).toBe(true);
    expect(progress).toEqual([10, 10, 5]);
    expect(items.map((i) => i.processId)).toEqual(ids);
  });

  it('refuses the ids of a chunk that failed as a whole, and goes on with the rest', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
    stubFetch((body, n) =>
      n === 1
        ? [422, { error: { code: 'invalid_time', message: 'A pause must end in the future.' } }]
        : [200, { items: (body.ids as string[]).map((processId) => ({ processId, outcome: 'done' })) }],
    );
    const items = await runBulkAction(ids, { action: 'pause', for: 'P1D' }, () => undefined);
    expect(items.slice(0, 10).every((i) => i.outcome === 'refused' && i.code === 'invalid_time')).toBe(true);
    expect(items.slice(10).map((i) => i.outcome)).toEqual(['done', 'done']);
  });

  it('stops between chunks when asked', async () => {
    const signal = { cancelled: false };
    const sent = stubFetch((body) => {
      signal.cancelled = true;
      return [200, { items: (body.ids as string[]).map((processId) => ({ processId, outcome: 'done' })) }];
    });
    const ids = Array.from({ length: 30 }, (_, i) => `p${i}`);
    const items = await runBulkAction(ids, { action: 'resume' }, () => undefined, signal);
    expect(sent).toHaveLength(1);
    expect(items).toHaveLength(10);
  });
});

describe('applying a migration', () => {
  it('pages through with limit and after until the answer has no next', async () => {
    const sent = stubFetch((body) => {
      const after = body.after as string | undefined;
      const page = after === undefined ? ['a', 'b'] : after === 'b' ? ['c'] : [];
      return [
        200,
        {
          items: page.map((processId) => ({ processId, from: 's1', to: 't1', outcome: 'moved' })),
          next: after === undefined ? 'b' : null,
        },
      ];
    });
    const items = await applyMigration(
      'd1',
      { fromVersion: 1, toVersion: 2, stageMap: { s1: 't1' } },
      () => {},
    );
    expect(items.map((i) => i.processId)).toEqual(['a', 'b', 'c']);
    expect(sent.map((s) => [s.url, s.body.after, s.body.dryRun, s.body.limit])).toEqual([
      ['/api/definitions/d1/migrations', undefined, false, 10],
      ['/api/definitions/d1/migrations', 'b', false, 10],
    ]);
    expect(sent[0]?.key).not.toBe(sent[1]?.key);
  });
});
