/**
 * Hot statements built and compiled once, then run with each call's values: building a Kysely query
 * and compiling it costs more than running a small one. A statement is compiled with a marker in
 * place of each value; the markers say which value goes to which parameter (parameters that are not
 * markers are constants of the statement). Compiled statements are kept per dialect and key.
 */
import { CompiledQuery, PostgresAdapter, type QueryResult } from 'kysely';
import { prepareByName } from './prepared-statements.ts';
import type { Db } from './store.ts';

interface Template {
  readonly sql: string;
  /** Per parameter: the index of the value it binds, or the constant it always binds. */
  readonly slots: readonly ({ readonly value: number } | { readonly constant: unknown })[];
}

/** At most this many statements per dialect; beyond it each call builds its own. */
const MAX_TEMPLATES = 500;

const templates = new WeakMap<object, Map<string, Template>>();

function compileTemplate<R>(
  arity: number,
  build: (markers: readonly string[]) => CompiledQuery<R>,
): Template {
  const markers = Array.from({ length: arity }, (_, i) => `\u0000compiled-once:${i}`);
  const compiled = build(markers);
  const slots = compiled.parameters.map((p) => {
    const at = typeof p === 'string' ? markers.indexOf(p) : -1;
    return at === -1 ? { constant: p } : { value: at };
  });
  return { sql: compiled.sql, slots };
}

/**
 * Runs the statement `build` compiles for `values`, building and compiling it only the first time
 * for this dialect and `key`. `build` gets one marker per value and must put each where its value
 * goes, and make the same statement for any values of the same key: the key names everything else
 * the statement depends on (which columns, how many rows).
 */
export async function runCompiledOnce<R>(
  db: Db,
  key: string,
  values: readonly unknown[],
  build: (markers: readonly string[]) => CompiledQuery<R>,
): Promise<QueryResult<R>> {
  const dialect = db.getExecutor().adapter;
  let byKey = templates.get(dialect);
  if (!byKey) {
    byKey = new Map();
    templates.set(dialect, byKey);
  }
  let template = byKey.get(key);
  if (!template) {
    template = compileTemplate(values.length, build);
    if (byKey.size < MAX_TEMPLATES) {
      byKey.set(key, template);
      // Keyed by ids, so one plan serves every call: PostgreSQL may keep it per connection.
      if (dialect instanceof PostgresAdapter) prepareByName(template.sql);
    }
  }
  const parameters = template.slots.map((s) => ('value' in s ? values[s.value] : s.constant));
  return db.executeQuery<R>(CompiledQuery.raw(template.sql, parameters));
}
