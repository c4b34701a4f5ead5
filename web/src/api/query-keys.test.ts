import { describe, expect, it } from 'vitest';
import * as analytics from './analytics.ts';
import * as auth from './auth.ts';
import * as definitions from './definitions.ts';
import * as employees from './employees.ts';
import * as notifications from './notifications.ts';
import * as processes from './processes.ts';
import * as records from './records.ts';
import * as tasks from './tasks.ts';
import * as timeControl from './time-control.ts';

/**
 * The web data layer: every URL and every cache key comes from web/src/api/<resource>.ts, and
 * every key the app invalidates (or writes) is a prefix of a key some query reads. A key that
 * matches no query refreshes nothing: the Tasks page once missed live notifications that way.
 */

/** Vite names this folder's own files `./x.ts`, the rest `../dir/x.ts`. */
const inApi = (path: string) => path.startsWith('./') || path.startsWith('../api/');

const SOURCES = import.meta.glob<string>('../**/*.{ts,tsx}', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const files = Object.entries(SOURCES)
  .filter(([path]) => !/\.test\.tsx?$/.test(path))
  .map(([path, text]) => ({ path, text, inApi: inApi(path) }));

type Factory = Record<string, unknown>;
const FACTORIES: Record<string, Factory> = {};
for (const mod of [
  analytics,
  auth,
  definitions,
  employees,
  notifications,
  processes,
  records,
  tasks,
  timeControl,
])
  for (const [name, value] of Object.entries(mod))
    if (name.endsWith('Keys')) FACTORIES[name] = value as Factory;

/** The expression that starts at `from`: up to a top-level `,`, `}` or `)`, or a `}` closing a JSX prop. */
function expressionAt(text: string, from: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = from; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote) {
      if (ch === quote && text[i - 1] !== '\\') quote = null;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) {
      if (depth === 0) return text.slice(from, i).trim();
      depth--;
    } else if (ch === ',' && depth === 0) return text.slice(from, i).trim();
  }
  return text.slice(from).trim();
}

/** How many top-level arguments an argument list has. */
function argumentCount(args: string): number {
  if (args.trim() === '') return 0;
  let depth = 0;
  let count = 1;
  for (const ch of args) {
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) count++;
  }
  return count;
}

const SAMPLE = '§';

/** Evaluates `fooKeys.bar` or `fooKeys.bar(a, b)` with every argument replaced by one sample value. */
function resolve(expression: string): readonly unknown[] | null {
  const m = /^(\w+Keys)\.(\w+)(?:\(([\s\S]*)\))?$/.exec(expression);
  if (!m) return null;
  const factory = FACTORIES[m[1] as string];
  const member = factory?.[m[2] as string];
  if (m[3] === undefined) return Array.isArray(member) ? member : null;
  if (typeof member !== 'function') return null;
  return member(...Array.from({ length: argumentCount(m[3]) }, () => SAMPLE)) as readonly unknown[];
}

interface Use {
  path: string;
  expression: string;
}

const TARGET_CALL =
  /(invalidateQueries|refetchQueries|removeQueries|resetQueries|cancelQueries)\(\s*\{[^}]*$/;
const queryUses: Use[] = [];
const targets: Use[] = [];
for (const { path, text } of files) {
  for (const m of text.matchAll(/queryKey(:\s*|=\{)/g)) {
    const at = (m.index ?? 0) + m[0].length;
    const expression = expressionAt(text, at);
    if (expression === '' || /^queryKey$/.test(expression)) continue; // a prop's own declaration
    const before = text.slice(Math.max(0, (m.index ?? 0) - 80), m.index);
    (TARGET_CALL.test(before) ? targets : queryUses).push({ path, expression });
  }
  for (const m of text.matchAll(/(setQueryData|getQueryData|setQueriesData)(<[^>(]*>)?\(/g))
    targets.push({ path, expression: expressionAt(text, (m.index ?? 0) + m[0].length) });
}
const outside = (uses: Use[]) => uses.filter((u) => !inApi(u.path));

function isPrefix(prefix: readonly unknown[], key: readonly unknown[]): boolean {
  return prefix.length <= key.length && prefix.every((part, i) => part === key[i]);
}

describe('web data layer', () => {
  it('scans the app: it finds the queries and the invalidations', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(queryUses.length).toBeGreaterThan(20);
    expect(targets.length).toBeGreaterThan(10);
  });

  it('keeps every /api/ URL in web/src/api', () => {
    const offenders = files
      .filter((f) => !f.inApi)
      .flatMap((f) =>
        f.text
          .split('\n')
          .map((line, i) => ({ line, n: i + 1 }))
          .filter(({ line }) => /['"`]\/api\//.test(line))
          .map(({ n }) => `${f.path}:${n}`),
      );
    expect(offenders).toEqual([]);
  });

  it('defines cache keys only in web/src/api', () => {
    const offenders = files
      .filter((f) => !f.inApi && /export const \w+Keys?\s*=/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('builds query keys from the factories, never from a literal array', () => {
    // `[...queryKey, text]` (a widget extending the key it was given) is fine; `['tasks', …]` is not.
    const literal = outside(queryUses).filter(
      (u) => u.expression.startsWith('[') && !u.expression.startsWith('[...'),
    );
    expect(literal).toEqual([]);
  });

  it('invalidates and writes only factory keys', () => {
    const unresolved = outside(targets).filter((u) => resolve(u.expression) === null);
    expect(unresolved).toEqual([]);
  });

  it('invalidates only keys that are a prefix of a key some query reads', () => {
    const read = queryUses
      .map((u) => resolve(u.expression))
      .filter((k): k is readonly unknown[] => k !== null);
    expect(read.length).toBeGreaterThan(20);
    const dead = targets.filter((u) => {
      const key = resolve(u.expression);
      return key !== null && !read.some((r) => isPrefix(key, r));
    });
    expect(dead).toEqual([]);
  });

  it('refreshes the Tasks page and the journal on a live notification', () => {
    const stream = files.find((f) => f.path.endsWith('/useNotificationStream.ts'));
    const streamTargets = targets.filter((u) => u.path === stream?.path).map((u) => resolve(u.expression));
    const tasksList = resolve('taskKeys.list(filter)');
    const journal = resolve('processKeys.list(params, sort)');
    expect(tasksList).not.toBeNull();
    expect(streamTargets.some((k) => k && tasksList && isPrefix(k, tasksList))).toBe(true);
    expect(streamTargets.some((k) => k && journal && isPrefix(k, journal))).toBe(true);
  });

  it('caches /api/employees under one key', () => {
    const employeeQueries = new Set(
      queryUses
        .filter((u) => u.expression.startsWith('employeeKeys.') && !u.expression.includes('.pick('))
        .map((u) => u.expression),
    );
    expect([...employeeQueries]).toEqual(['employeeKeys.list()']);
  });
});
