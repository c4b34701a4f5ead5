/**
 * Route fuzzing from the server's own OpenAPI document: every operation gets malformed and
 * oversized input (wrong JSON types, missing and unknown fields, 1 MB strings, 10,000-deep JSON,
 * 100,000-item arrays, NUL, invalid UTF-8, 1e309 and friends, garbage query parameters and path
 * ids, wrong content types, no or bad credentials), with real ids and with garbage ids. Every
 * answer must be a 4xx in the API's error shape, none may hang, and nothing may be written: every
 * table but `sessions` (login and logout may touch it) reads the same afterwards: row counts, and
 * full contents for all but the `presence` heartbeat. Inputs come from a fixed list plus
 * fast-check samples under a fixed seed, so a run repeats exactly. Figures go to
 * test-results/fuzz-figures.json. The SSE stream is left out: it takes no input and stays open.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { STORES } from '../support/stores.ts';

const SEED = 20_240_607;
const TIMEOUT_MS = 10_000;
const MB = 1024 * 1024;
const FIGURES = path.resolve('test-results/fuzz-figures.json');

/** Login and logout may create and delete sessions: that table is left out of the comparison. */
const SKIPPED_TABLES = new Set(['sessions']);
/** Presence is a heartbeat (its rows' times move): compared by row count only. */
const COUNT_ONLY_TABLES = new Set(['presence']);

type Schema = Record<string, any>;

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly params: readonly { name: string; in: string; schema: Schema }[];
  readonly body: Schema | undefined;
  readonly consumes: readonly string[];
}

interface Case {
  readonly op: string;
  readonly label: string;
  readonly method: string;
  readonly url: string;
  readonly body?: string | Uint8Array;
  readonly headers: Record<string, string>;
  /** `error`: must be a 4xx in the error shape. `quiet`: no server error (undeclared noise). */
  readonly expect: 'error' | 'quiet';
  readonly token?: 'admin' | 'spare' | 'none';
}

// ---------------------------------------------------------------------------------------------
// A small JSON Schema judge: says `true` only when a value surely breaks the schema, so every
// generated input is known to be invalid (undecidable cases count as valid and are not sent).

function typesOf(schema: Schema): string[] | undefined {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.enum)) return [...new Set(schema.enum.map((v: unknown) => jsonType(v)))];
  if ('const' in schema) return [jsonType(schema.const)];
  return undefined;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Whether `value` certainly does not match `schema` (NUL in text counts: the server refuses it). */
export function violates(schema: Schema | undefined, value: unknown): boolean {
  if (!schema) return false;
  if (Array.isArray(schema.anyOf)) return schema.anyOf.every((s: Schema) => violates(s, value));
  if (Array.isArray(schema.oneOf)) return schema.oneOf.every((s: Schema) => violates(s, value));
  if (Array.isArray(schema.allOf) && schema.allOf.some((s: Schema) => violates(s, value))) return true;
  const types = typesOf(schema);
  const t = jsonType(value);
  if (types) {
    const ok = types.includes(t) || (t === 'integer' && types.includes('number'));
    const intLike = t === 'number' && types.includes('integer') && Number.isInteger(value);
    if (!ok && !intLike) return true;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return true;
  if ('const' in schema && schema.const !== value) return true;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return true;
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) return true;
    if (schema.minLength !== undefined && [...value].length < schema.minLength) return true;
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) return true;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return true;
    if (types?.includes('integer') && !types.includes('number') && !Number.isInteger(value)) return true;
    if (schema.minimum !== undefined && value < schema.minimum) return true;
    if (schema.maximum !== undefined && value > schema.maximum) return true;
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return true;
    if (schema.minItems !== undefined && value.length < schema.minItems) return true;
    if (schema.items && value.some((v) => violates(schema.items, v))) return true;
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    const props: Record<string, Schema> = schema.properties ?? {};
    if ((schema.required ?? []).some((k: string) => !(k in obj))) return true;
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) {
        if (violates(props[k], v)) return true;
      } else if (schema.additionalProperties === false) return true;
    }
  }
  return false;
}

/** A small value the schema accepts (ids and such are placeholders, not real records). */
function sample(schema: Schema | undefined): unknown {
  if (!schema) return 'x';
  if (Array.isArray(schema.anyOf)) {
    return sample(schema.anyOf.find((s: Schema) => s.type !== 'null') ?? schema.anyOf[0]);
  }
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const type = typesOf(schema)?.find((x) => x !== 'null') ?? typesOf(schema)?.[0];
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const k of schema.required ?? []) out[k] = sample(schema.properties?.[k]);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 0, 1);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      if (schema.format === 'date-time') return '2031-01-01T00:00:00Z';
      if (schema.format === 'date') return '2031-01-01';
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 2));
  }
}

// ---------------------------------------------------------------------------------------------
// Raw JSON: numbers JSON.stringify cannot write (1e309) go in through a marker.

const RAW = '\u0001raw:';
const raw = (text: string) => `${RAW}${text}`;
function toJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001raw:((?:[^"\\]|\\.)*)"/g, (_m, t: string) =>
    JSON.parse(`"${t}"`),
  );
}
/** What the server sees once it parses a raw marker (for the judge). */
function parsedRaw(text: string): unknown {
  return JSON.parse(text);
}

const WRONG_TYPES: readonly unknown[] = ['x', 7, 2.5, true, null, [], {}, ['x'], { a: 1 }];
const WEIRD_NUMBERS = ['1e309', '-1e309', '-0', '1.5', '9007199254740993', '-1', '"NaN"', '"1e309"', '"-0"'];
const ONE_MB = 'a'.repeat(MB);
const DEEP = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
const HUGE_ARRAY = `[${Array.from({ length: 100_000 }, () => '0').join(',')}]`;

/** Leaves and sub-objects of a body schema worth breaking: top-level properties and one level in. */
function propertyPaths(schema: Schema): { path: (string | number)[]; schema: Schema }[] {
  const out: { path: (string | number)[]; schema: Schema }[] = [];
  const object = objectSchema(schema);
  if (!object) return out;
  for (const [k, s] of Object.entries<Schema>(object.properties ?? {})) {
    out.push({ path: [k], schema: s });
    const items = s.items ? objectSchema(s.items) : undefined;
    if (items) {
      for (const [k2, s2] of Object.entries<Schema>(items.properties ?? {}))
        out.push({ path: [k, 0, k2], schema: s2 });
    }
    const inner = objectSchema(s);
    if (inner && inner !== object) {
      for (const [k2, s2] of Object.entries<Schema>(inner.properties ?? {}))
        out.push({ path: [k, k2], schema: s2 });
    }
  }
  return out;
}

function objectSchema(schema: Schema): Schema | undefined {
  if (schema.type === 'object' || schema.properties) return schema;
  if (Array.isArray(schema.anyOf)) return schema.anyOf.find((s: Schema) => s.type === 'object');
  return undefined;
}

/** The base body with `value` set at `at` (containers on the way filled with samples). */
function setAt(base: unknown, schema: Schema, at: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as any;
  let node = copy;
  let s: Schema | undefined = objectSchema(schema);
  for (let i = 0; i < at.length - 1; i++) {
    const key = at[i] as string | number;
    const next = typeof key === 'number' ? s?.items : s?.properties?.[key];
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') {
      node[key] = typeof at[i + 1] === 'number' ? [] : sample(objectSchema(next ?? {}) ?? {});
    }
    if (typeof at[i + 1] === 'number' && node[key].length === 0) node[key].push(sample(next?.items));
    node = node[key];
    s = typeof at[i + 1] === 'number' ? next : objectSchema(next ?? {});
  }
  node[at[at.length - 1] as string | number] = value;
  return copy;
}

// ---------------------------------------------------------------------------------------------

function operationsOf(doc: any): Operation[] {
  const ops: Operation[] = [];
  for (const [p, methods] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      const content = op.requestBody?.content ?? {};
      ops.push({
        method: method.toUpperCase(),
        path: p,
        params: op.parameters ?? [],
        body: content['application/json']?.schema,
        consumes: Object.keys(content),
      });
    }
  }
  return ops;
}

const PUBLIC = new Set(['GET /api/health', 'POST /api/auth/login', 'GET /api/auth/session']);
/** Long-lived by design (an open SSE stream) and takes no input: nothing invalid to send it. */
const STREAMS = new Set(['GET /api/notifications/stream']);

const GARBAGE_IDS = [
  'does-not-exist',
  '0',
  '-1',
  'x'.repeat(101),
  '%00',
  '%FF',
  '%E0%A4%A',
  '..%2F..%2Fetc%2Fpasswd',
  "'%20OR%201=1--",
  '%F0%9F%92%A5',
  'null',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
];

function queryValues(schema: Schema): { value: string; label: string }[] {
  const out: { value: string; label: string }[] = [];
  const candidates = [
    'abc',
    '1.5',
    '1e309',
    '-1',
    '-0',
    '0',
    'NaN',
    '99999999999999999999',
    'true',
    '',
    '2031-13-45T99:99:99Z',
  ];
  for (const c of candidates)
    if (violates(schema, c) || violates(schema, Number(c))) out.push({ value: c, label: c });
  const types = typesOf(schema) ?? [];
  const isNumeric = types.includes('integer') || types.includes('number');
  // Query text is checked as text; numbers come in as text and are coerced.
  const judge = (v: string) =>
    isNumeric ? violates(schema, v === '' ? Number.NaN : Number(v)) : violates(schema, v);
  const filtered = out.filter((o) => judge(o.value));
  if (schema.maxLength !== undefined && schema.maxLength + 1 <= 8000)
    filtered.push({ value: 'q'.repeat(schema.maxLength + 1), label: `len ${schema.maxLength + 1}` });
  filtered.push({ value: '%00', label: 'NUL' });
  return filtered;
}

/** Builds every case for one operation. */
function casesFor(op: Operation, realIds: Record<string, string>, nextSeed: () => number): Case[] {
  const key = `${op.method} ${op.path}`;
  const cases: Case[] = [];
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const realPath = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => realIds[name] ?? 'unknown-id');
  const hasRealIds = pathParams.every((p) => realIds[p.name] !== undefined);
  const base = op.body ? sample(op.body) : undefined;
  const json = { 'content-type': 'application/json' };
  const token: Case['token'] = op.path === '/api/auth/logout' ? 'spare' : 'admin';
  const add = (c: Omit<Case, 'op' | 'headers' | 'expect' | 'token'> & Partial<Case>) =>
    cases.push({ op: key, headers: {}, expect: 'error', token, ...c });
  const baseText = base === undefined ? undefined : toJson(base);

  // Garbage path ids: one parameter at a time, the others real.
  for (const [i, p] of pathParams.entries()) {
    // All garbage for the first parameter; a seeded sample of it for the others.
    const garbage =
      i === 0 ? GARBAGE_IDS : fc.sample(fc.constantFrom(...GARBAGE_IDS), { seed: nextSeed(), numRuns: 5 });
    for (const g of new Set(garbage)) {
      const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        name === p.name ? g : (realIds[name] ?? 'unknown-id'),
      );
      add({
        label: `path ${p.name}=${g.slice(0, 20)}`,
        method: op.method,
        url,
        ...(baseText ? { body: baseText, headers: json } : {}),
      });
    }
  }

  // Credentials: none, garbage bearer, garbage cookie.
  if (!PUBLIC.has(key)) {
    add({ label: 'no credentials', method: op.method, url: realPath, token: 'none' });
    add({
      label: 'garbage bearer',
      method: op.method,
      url: realPath,
      token: 'none',
      headers: { authorization: 'Bearer AAAA.garbage.ZZZZ' },
    });
    add({
      label: 'garbage cookie',
      method: op.method,
      url: realPath,
      token: 'none',
      headers: { cookie: `sf_session=${'%FF'.repeat(30)}` },
    });
    add({
      label: 'bearer 8 KB',
      method: op.method,
      url: realPath,
      token: 'none',
      headers: { authorization: `Bearer ${'b'.repeat(8000)}` },
    });
  }

  // Query parameters: each declared one broken on its own, and repeated.
  for (const q of queryParams) {
    for (const v of queryValues(q.schema)) {
      add({
        label: `query ${q.name}=${v.label}`,
        method: op.method,
        url: `${realPath}?${q.name}=${v.value}`,
      });
    }
    add({
      label: `query ${q.name} repeated`,
      method: op.method,
      url: `${realPath}?${q.name}=1&${q.name}=2`,
    });
  }
  if (queryParams.length > 0) {
    add({
      label: 'query 1 MB',
      method: op.method,
      url: `${realPath}?${queryParams[0]?.name}=${'z'.repeat(MB)}`,
    });
    if (queryParams.some((q) => q.name === 'cursor')) {
      for (const c of ['garbage', 'eyJ4IjoxfQ', '%FF%FE', '999999999999999999999999', "'||'"])
        add({ label: `query cursor=${c}`, method: op.method, url: `${realPath}?cursor=${c}` });
    }
  }
  if (queryParams.length === 0 && pathParams.length === 0 && op.method === 'GET') {
    // Nothing declared to break: undeclared noise must still cause no server error.
    add({
      label: 'undeclared query',
      method: op.method,
      url: `${realPath}?x=1&x=2&%00=%FF`,
      expect: 'quiet',
    });
  }

  if (!hasRealIds) return cases;

  if (op.body) {
    const body = op.body;
    // Each property broken on its own: wrong types, weird numbers, 1 MB, NUL, random JSON.
    for (const { path: at, schema } of propertyPaths(body)) {
      const where = at.join('.');
      const tries: { label: string; value: unknown }[] = [
        ...WRONG_TYPES.map((v) => ({ label: `type ${JSON.stringify(v)}`, value: v })),
        ...WEIRD_NUMBERS.map((n) => ({ label: `number ${n}`, value: raw(n) })),
        { label: '1 MB string', value: ONE_MB },
        { label: 'NUL', value: 'a\u0000b' },
        { label: 'deep 10k', value: raw(DEEP) },
      ];
      // 100,000 items where a list is taken (elsewhere it is one more wrong type).
      if (!violates(schema, [])) tries.push({ label: 'array 100k', value: raw(HUGE_ARRAY) });
      for (const v of fc.sample(fc.jsonValue({ maxDepth: 2 }), { seed: nextSeed(), numRuns: 2 }))
        tries.push({ label: `random ${JSON.stringify(v).slice(0, 30)}`, value: v });
      // Nested properties get a seeded third of the tries: the run stays short.
      const offset = nextSeed();
      const sampled = at.length === 1 ? tries : tries.filter((_t, j) => (j + offset) % 3 === 0);
      for (const t of sampled) {
        const judged =
          typeof t.value === 'string' && t.value.startsWith(RAW)
            ? t.value.length > 200_000
              ? true
              : parsedRaw(t.value.slice(RAW.length))
            : t.value;
        if (judged !== true && !violates(schema, judged)) continue;
        const whole = setAt(base, body, at, t.value);
        add({
          label: `${where}: ${t.label}`,
          method: op.method,
          url: realPath,
          body: toJson(whole),
          headers: json,
        });
      }
    }
    // The body as a whole.
    for (const k of objectSchema(body)?.required ?? []) {
      const copy = { ...(base as object) } as Record<string, unknown>;
      delete copy[k];
      add({ label: `missing ${k}`, method: op.method, url: realPath, body: toJson(copy), headers: json });
    }
    const wholeBodies: { label: string; text: string; value?: unknown }[] = [
      { label: 'unknown field', text: toJson({ ...(base as object), unexpectedField: 1 }) },
      {
        label: '__proto__',
        text: `{"__proto__":{"admin":true},${(baseText ?? '{}').slice(1)}`.replace(/,}$/, '}'),
      },
      { label: 'constructor.prototype', text: `{"constructor":{"prototype":{"admin":true}}}` },
      { label: 'array', text: '[]', value: [] },
      { label: 'null', text: 'null', value: null },
      { label: 'number', text: '42', value: 42 },
      { label: 'string', text: '"s"', value: 's' },
      { label: '1 MB string body', text: JSON.stringify(ONE_MB), value: ONE_MB },
      { label: 'deep 10k arrays', text: DEEP },
      { label: 'deep 10k objects', text: DEEP_OBJECT },
      { label: 'array 100k', text: HUGE_ARRAY },
      { label: 'broken JSON', text: `${(baseText ?? '{}').slice(0, -1)},` },
      { label: 'empty', text: '' },
      { label: 'NaN literal', text: '{"x": NaN}' },
      { label: '3 MB', text: JSON.stringify({ pad: 'p'.repeat(3 * MB) }) },
    ];
    for (const w of wholeBodies) {
      if ('value' in w && !violates(body, w.value)) continue;
      add({ label: `body ${w.label}`, method: op.method, url: realPath, body: w.text, headers: json });
    }
    // Invalid UTF-8 inside an otherwise well-formed body.
    if (baseText) {
      const stringKey = Object.entries(base as Record<string, unknown>).find(
        ([, v]) => typeof v === 'string',
      )?.[0];
      const text = stringKey ? baseText.replace(`"${stringKey}":"`, `"${stringKey}":"\u0001`) : `${baseText}`;
      const bytes = Buffer.from(text, 'utf8');
      const at = bytes.indexOf(1);
      const broken =
        at >= 0
          ? Buffer.concat([
              bytes.subarray(0, at),
              Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
              bytes.subarray(at + 1),
            ])
          : Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff]), Buffer.from('"}')]);
      add({
        label: 'invalid UTF-8',
        method: op.method,
        url: realPath,
        body: new Uint8Array(broken),
        headers: json,
      });
    }
  }

  if (op.method !== 'GET') {
    // Content types this route does not take, with an otherwise plausible body.
    const payload = baseText ?? '{}';
    const types = [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'application/json-patch+json',
    ];
    if (!op.consumes.includes('multipart/form-data')) types.push('multipart/form-data; boundary=xyz');
    for (const type of types) {
      add({
        label: `content-type ${type}`,
        method: op.method,
        url: realPath,
        body: payload,
        headers: { 'content-type': type },
      });
    }
    add({
      label: 'no content-type',
      method: op.method,
      url: realPath,
      body: new TextEncoder().encode(payload),
    });
    if (!op.body) {
      // A route that takes no body refuses one with fields in it.
      add({
        label: 'unexpected body',
        method: op.method,
        url: realPath,
        body: '{"unexpectedField":1}',
        headers: json,
      });
    }
  }

  if (op.consumes.includes('multipart/form-data') || op.path.endsWith('/attachments')) {
    const boundary = 'fuzzboundary';
    const part = (name: string, content: string) =>
      `--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="a.txt"\r\ncontent-type: text/plain\r\n\r\n${content}\r\n`;
    const mp = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    add({
      label: 'multipart wrong field',
      method: op.method,
      url: realPath,
      body: `${part('other', 'x')}--${boundary}--\r\n`,
      headers: mp,
    });
    add({
      label: 'multipart no parts',
      method: op.method,
      url: realPath,
      body: `--${boundary}--\r\n`,
      headers: mp,
    });
    add({
      label: 'multipart truncated',
      method: op.method,
      url: realPath,
      body: `--${boundary}\r\ncontent-disp`,
      headers: mp,
    });
    add({
      label: 'multipart garbage',
      method: op.method,
      url: realPath,
      body: 'not multipart at all',
      headers: mp,
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly body: any;
  readonly ms: number;
  readonly aborted: boolean;
}

async function send(base: string, c: Case, tokens: Record<'admin' | 'spare', string>): Promise<Answer> {
  const headers: Record<string, string> = { ...c.headers };
  const who = c.token ?? 'admin';
  if (who !== 'none') headers.authorization = `Bearer ${tokens[who]}`;
  const started = performance.now();
  try {
    const res = await fetch(base + c.url, {
      method: c.method,
      headers,
      ...(c.body !== undefined ? { body: c.body } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body, ms: performance.now() - started, aborted: false };
  } catch (error) {
    const aborted = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
    return { status: 0, body: String(error), ms: performance.now() - started, aborted };
  }
}

function problemWith(c: Case, a: Answer): string | undefined {
  if (a.aborted) return `no answer within ${TIMEOUT_MS} ms`;
  if (a.status === 0) return `request failed: ${a.body}`;
  if (a.status >= 500) return `${a.status}`;
  if (c.expect === 'error' && (a.status < 400 || a.status >= 500)) return `${a.status} (expected a 4xx)`;
  if (a.status >= 400) {
    const e = a.body?.error;
    if (typeof e?.code !== 'string' || e.code === '' || typeof e.message !== 'string')
      return `${a.status} without {error:{code,message}}`;
  }
  return undefined;
}

/** Tables of counters kept as a base row plus deltas: the columns naming a count. */
const COUNTER_KEYS: Record<string, string[]> = {
  process_counts: ['scope', 'definition_id', 'status'],
  analytics_visit_counts: ['definition_id', 'version', 'stage_key', 'day', 'left_by', 'result', 'to_stage'],
  analytics_durations: ['definition_id', 'version', 'stage_key', 'grain', 'period', 'measure', 'bucket'],
  analytics_process_counts: ['definition_id', 'version', 'day', 'status'],
};

/** Every table but sessions: its row count and (but for presence) its full contents. */
async function tableState(t: TestServer): Promise<Record<string, unknown>> {
  const db = t.server.ctx.store.db;
  const tables = (await db.introspection.getTables()).map((x) => x.name).sort();
  const out: Record<string, unknown> = {};
  for (const name of tables) {
    if (SKIPPED_TABLES.has(name)) continue;
    const count = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(name)}`.execute(db);
    out[`${name}#count`] = Number(count.rows[0]?.n);
    if (COUNT_ONLY_TABLES.has(name)) continue;
    const keys = COUNTER_KEYS[name];
    if (keys) {
      // Counter deltas are folded in the background (a read may fold them): what they say is
      // the sum per key, zero sums left out.
      const cols = sql.join(keys.map((k) => sql.ref(k)));
      const sums = await sql<Record<string, unknown>>`select ${cols}, sum(n) as n
        from ${sql.table(name)} group by ${cols}`.execute(db);
      const said = sums.rows.filter((r) => Number(r.n) !== 0);
      out[`${name}#count`] = said.length;
      out[name] = said.map((r) => JSON.stringify({ ...r, n: Number(r.n) })).sort();
      continue;
    }
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
    out[name] = rows.rows
      .map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
      .sort();
  }
  return out;
}

function writeFigures(store: string, figures: Record<string, unknown>): void {
  mkdirSync(path.dirname(FIGURES), { recursive: true });
  const all = existsSync(FIGURES)
    ? (JSON.parse(readFileSync(FIGURES, 'utf8')) as Record<string, unknown>)
    : {};
  all[store] = figures;
  writeFileSync(FIGURES, `${JSON.stringify(all, null, 2)}\n`);
}

for (const store of STORES) {
  describe(`${store}: fuzzing every route of the OpenAPI document`, () => {
    let t: TestServer;
    let spare: Client;
    const ids: Record<string, Record<string, string>> = {};

    beforeAll(async () => {
      t = await startTestServer(store);
      spare = await t.login('admin', 'admin-password-1');
      const emp = await t.employee('fuzz-emp', 'manager', 'Fuzz Employee');
      const created = async (p: string, body: object) => {
        const res = await t.admin.post(p, body);
        expectStatus(res, 201);
        return res.body.id as string;
      };
      const counterparty = await created('/api/counterparties', { name: 'Fuzz LLC', group: 'g' });
      const project = await created('/api/projects', { name: 'Fuzz project', counterpartyId: counterparty });
      const docs: Record<string, string> = {};
      for (const kind of ['orders', 'invoices', 'contracts', 'waybills'])
        docs[kind] = await created(`/api/${kind}`, {
          number: `${kind}-1`,
          counterpartyId: counterparty,
          amount: 5,
        });
      const definition = await publishDefinition(t.admin, 'Fuzz flow', {
        stages: [
          {
            key: 'a',
            name: 'A',
            kind: 'start',
            responsibles: [emp.id],
            task: { title: 'Do it', assignee: 'responsible', blocking: true },
            event: { type: 'call', comment: 'Call' },
          },
          { key: 'b', name: 'B', kind: 'end' },
        ],
        transitions: [{ from: 'a', to: 'b', result: 'Done' }],
      });
      const launched = await t.admin.post('/api/processes', {
        definitionId: definition,
        counterpartyId: counterparty,
        note: 'fuzz',
        links: [{ type: 'order', id: docs.orders }],
      });
      expectStatus(launched, 201);
      const processId = launched.body.id as string;
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('hello fuzz')], { type: 'text/plain' }), 'a.txt');
      const up = await fetch(`${t.url}/api/processes/${processId}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.admin.token}` },
        body: form,
      });
      expect(up.status).toBe(201);
      const attachmentId = ((await up.json()) as { id: string }).id;
      const task = (await t.admin.get(`/api/tasks?processId=${processId}`)).body.items[0]?.id as string;
      expect(task).toBeTruthy();
      const notification = (await emp.get('/api/notifications')).body.items[0]?.id as string;
      expect(notification).toBeTruthy();

      const byResource: Record<string, Record<string, string>> = {
        employees: { id: emp.id },
        counterparties: { id: counterparty },
        projects: { id: project },
        ...Object.fromEntries(Object.entries(docs).map(([k, v]) => [k, { id: v }])),
        definitions: { id: definition, version: '1' },
        processes: { id: processId, attachmentId, type: 'order', linkedId: docs.orders as string },
        tasks: { id: task },
        notifications: { id: notification },
      };
      Object.assign(ids, byResource);
    }, 60_000);
    afterAll(async () => t?.close());

    it('answers every malformed request with a 4xx in the error shape and writes nothing', {
      timeout: 180_000,
    }, async () => {
      const doc = (await t.admin.get('/api/openapi.json')).body;
      const ops = operationsOf(doc).filter((o) => !STREAMS.has(`${o.method} ${o.path}`));
      expect(ops.length).toBeGreaterThan(40);
      let seed = SEED;
      const nextSeed = () => seed++;
      const cases = ops.flatMap((op) => {
        const resource = op.path.split('/')[2] ?? '';
        return casesFor(op, ids[resource] ?? {}, nextSeed);
      });

      const before = await tableState(t);
      const tokens = { admin: t.admin.token, spare: spare.token };
      const failures: string[] = [];
      let slowest = { ms: 0, label: '' };
      const statuses: Record<string, number> = {};
      for (const c of cases) {
        const a = await send(t.url, c, tokens);
        statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        if (a.ms > slowest.ms) slowest = { ms: a.ms, label: `${c.op} — ${c.label}` };
        const problem = problemWith(c, a);
        if (!problem) continue;
        failures.push(`${c.op} — ${c.label}: ${problem} ${JSON.stringify(a.body).slice(0, 160)}`);
      }
      const after = await tableState(t);
      // The comparison covers real data: the fixtures' rows are there.
      expect(before['protocol#count']).toBeGreaterThan(0);
      expect(before['attachments#count']).toBe(1);

      writeFigures(store, {
        seed: SEED,
        operations: ops.length,
        requests: cases.length,
        slowestMs: Math.round(slowest.ms),
        slowest: slowest.label,
        statuses,
        failures: failures.length,
      });
      expect(failures, failures.slice(0, 60).join('\n')).toEqual([]);
      expect(after).toEqual(before);
    });
  });
}
