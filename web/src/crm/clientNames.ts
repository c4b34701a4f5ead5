/**
 * Client (counterparty) look-ups for lists that show a client per row. Rows never fetch on their
 * own: every id asked for during one render is collected into one batch, de-duplicated, and each
 * client is cached under its record key (shared with the client card), so a page of 50 orders of
 * 6 clients costs one batch of 6 look-ups and "Load more" only asks for clients not seen yet.
 */
import { useMemo } from 'react';
import { api } from '../api/client.ts';
import { recordKeys, recordPaths } from '../api/records.ts';
import type { Counterparty } from '../api/types.ts';
import { useQueriesById } from '../ui/useQueriesById.ts';

type Waiter = { resolve: (c: Counterparty | null) => void; reject: (e: unknown) => void };
const queue = new Map<string, Waiter[]>();
let scheduled = false;

function load(id: string): Promise<Counterparty | null> {
  return new Promise((resolve, reject) => {
    const waiters = queue.get(id) ?? [];
    waiters.push({ resolve, reject });
    queue.set(id, waiters);
    if (!scheduled) {
      scheduled = true;
      setTimeout(flush, 0);
    }
  });
}

async function flush(): Promise<void> {
  scheduled = false;
  const batch = new Map(queue);
  queue.clear();
  const found = await fetchClients([...batch.keys()]);
  for (const [id, waiters] of batch) {
    const result = found.get(id);
    for (const w of waiters) {
      if (result instanceof Error) w.reject(result);
      else w.resolve(result ?? null);
    }
  }
}

/**
 * The one place that fetches a batch of clients: one `GET /api/counterparties?ids=` per hundred.
 * A client that no longer exists is simply absent and resolves to null.
 */
async function fetchClients(ids: string[]): Promise<Map<string, Counterparty | null | Error>> {
  const found = new Map<string, Counterparty | null | Error>(ids.map((id) => [id, null]));
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    try {
      const page = await api.get<{ items: Counterparty[] }>(
        recordPaths.list('counterparties', { limit: 500, ids: chunk.join(',') }),
      );
      for (const c of page.items) found.set(c.id, c);
    } catch (e) {
      for (const id of chunk) found.set(id, e instanceof Error ? e : new Error(String(e)));
    }
  }
  return found;
}

export interface ClientLookup {
  get(id: string | null | undefined): Counterparty | null | undefined;
  loading: boolean;
}

/** The clients behind a list of ids: `get(id)` is the client, null when gone, undefined while loading. */
export function useClients(ids: readonly (string | null | undefined)[]): ClientLookup {
  const { byId, loading } = useQueriesById(ids, (id) => ({
    queryKey: recordKeys.detail('counterparties', id),
    queryFn: () => load(id),
    staleTime: 60_000,
  }));
  return useMemo(
    () => ({ get: (id: string | null | undefined) => (id ? byId.get(id) : null), loading }),
    [byId, loading],
  );
}
