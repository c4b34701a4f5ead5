/**
 * Hot statements as named prepared statements on PostgreSQL: each connection parses a statement
 * once, and plans it once too when PostgreSQL finds its generic plan as good as a custom one
 * (after five runs). Unnamed, every run is parsed and planned again, and for the statements a
 * command runs (the card in one statement, the process read with the caller's access, the writes
 * sent together) that costs the database more than running them.
 *
 * Only statements whose best plan does not depend on their values belong here: the ones keyed by
 * ids that `runCompiledOnce` builds and the command's writes. The journal's, whose plan depends on
 * the filter's values, stay unnamed.
 *
 * Kysely's PostgreSQL connection calls `client.query(text, values)`; each pooled client is given a
 * `query` that sends a registered text under its name instead. Should the schema change under a
 * connection (another node migrating during a rolling upgrade) so that a prepared statement's
 * result no longer fits, PostgreSQL refuses it ("cached plan must not change result type"): this
 * node then stops naming statements on every connection, and the store runs the transaction that
 * met it again (`isPlanChanged`).
 */
import type pg from 'pg';

/** At most this many texts are named; the rest run unnamed. */
const MAX_NAMED = 1000;

const names = new Map<string, string>();
/** Off once the schema changed under a prepared statement of this node. */
let naming = true;

/** Registers a statement text to run named from now on. */
export function prepareByName(text: string): void {
  if (names.has(text) || names.size >= MAX_NAMED) return;
  names.set(text, `stageflow_${names.size}`);
}

/** The name a statement text runs under, if registered. */
export function preparedName(text: string): string | undefined {
  return naming ? names.get(text) : undefined;
}

/** A prepared statement's result no longer fits the schema (PostgreSQL's "feature not supported"). */
export function isPlanChanged(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan');
}

type Query = (...args: unknown[]) => unknown;

/** Makes a pooled client send registered statement texts by name. */
export function nameStatementsOf(client: pg.PoolClient): void {
  const query = client.query.bind(client) as Query;
  (client as unknown as { query: Query }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const name = args.length === 2 && typeof text === 'string' ? preparedName(text) : undefined;
    if (!name || !Array.isArray(values)) return query(...args);
    return (query({ name, text, values }) as Promise<unknown>).catch((error: unknown) => {
      if (isPlanChanged(error)) naming = false;
      throw error;
    });
  };
}
