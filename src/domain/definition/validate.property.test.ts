import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ValidationResult } from './types.ts';
import { type SpawnTarget, type ValidationContext, validateDefinition } from './validate.ts';

/** Every error is well-formed and `valid` agrees with the error list. */
function expectWellFormed(result: ValidationResult): void {
  expect(typeof result.valid).toBe('boolean');
  expect(Array.isArray(result.errors)).toBe(true);
  expect(result.valid).toBe(result.errors.length === 0);
  for (const error of result.errors) {
    expect(typeof error.code).toBe('string');
    expect(error.code).toMatch(/^[a-z_]+$/);
    expect(typeof error.message).toBe('string');
    expect(error.message.length).toBeGreaterThan(0);
    if (error.stage !== undefined) expect(typeof error.stage).toBe('string');
    if (error.transition !== undefined) expect(Number.isInteger(error.transition)).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------
// (a) Never throws, whatever it is given.
// ---------------------------------------------------------------------------------------------

const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', ''];
const STAGE_FIELDS = ['key', 'name', 'kind', 'responsibles', 'task', 'event', 'wait', 'spawn', 'position'];
const TRANSITION_FIELDS = ['from', 'to', 'result'];

/** Plausible values for a field: right-looking ones, near misses and junk. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('start', 'normal', 'end', 'responsible', 'P1D', 'PT30S', 'P', 'a', 'b', 'c', ...ODD_KEYS),
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER),
  fc.string(),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom({}, [], { x: 1, y: 2 }, { employeeId: 'e1' }, { type: 'call' }, { title: 't' }),
);

/** A record with a few of the given field names (and odd ones) set to junk. */
function looseRecord(fields: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.constantFrom(...fields, ...ODD_KEYS), junk, { maxKeys: 8 });
}

const looseDefinition: fc.Arbitrary<unknown> = fc.record(
  {
    stages: fc.oneof(fc.array(fc.oneof(looseRecord(STAGE_FIELDS), junk), { maxLength: 8 }), junk),
    transitions: fc.oneof(fc.array(fc.oneof(looseRecord(TRANSITION_FIELDS), junk), { maxLength: 8 }), junk),
    ['__proto__']: junk,
    constructor: junk,
  },
  { requiredKeys: [] },
);

/** A context whose lookups answer from a small random table, including for odd ids. */
const looseContext: fc.Arbitrary<ValidationContext> = fc
  .record({
    selfId: fc.option(fc.constantFrom('a', 'b', 'self', '__proto__'), { nil: undefined }),
    table: fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'self', '__proto__', 'constructor'),
      fc.record({
        status: fc.constantFrom('draft' as const, 'published' as const),
        startSpawns: fc.array(fc.constantFrom('a', 'b', 'c', 'self', '__proto__'), { maxLength: 3 }),
      }),
    ),
    employees: fc.option(fc.array(fc.constantFrom<string>('e1', 'e2', 'a', '__proto__')), { nil: undefined }),
  })
  .map(({ selfId, table, employees }) => ({
    selfId,
    definition: (id: string): SpawnTarget | undefined => (Object.hasOwn(table, id) ? table[id] : undefined),
    employeeExists: employees ? (id: string) => employees.includes(id) : undefined,
  }));

describe('validateDefinition never throws', () => {
  it('given any JSON value, then it returns a well-formed result', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        expectWellFormed(validateDefinition(input));
      }),
      { numRuns: 500 },
    );
  });

  it('given any JSON text parsed (own __proto__ keys included), then it returns a well-formed result', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), looseDefinition), (value) => {
        const text = JSON.stringify(value);
        const input = text === undefined ? undefined : JSON.parse(text);
        expectWellFormed(validateDefinition(input));
      }),
      { numRuns: 300 },
    );
  });

  it('given loosely shaped {stages, transitions} with junk values and odd keys, then it returns a result', () => {
    fc.assert(
      fc.property(looseDefinition, looseContext, (input, ctx) => {
        expectWellFormed(validateDefinition(input, ctx));
      }),
      { numRuns: 500 },
    );
  });

  it('given any input, then validating twice gives the same answer and leaves the input as it was', () => {
    fc.assert(
      fc.property(looseDefinition, (input) => {
        const before = JSON.stringify(input);
        const first = validateDefinition(input);
        const second = validateDefinition(input);
        expect(second).toEqual(first);
        expect(JSON.stringify(input)).toBe(before);
      }),
      { numRuns: 200 },
    );
  });

  it('given any JSON value, then the prototype of Object is left untouched', () => {
    fc.assert(
      fc.property(fc.oneof(looseDefinition, fc.jsonValue()), (input) => {
        validateDefinition(input);
        expect(Object.keys(Object.prototype)).toEqual([]);
        expect(({} as Record<string, unknown>).stages).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// (b) Whatever validation accepts is structurally sound, checked by an independent walk.
// ---------------------------------------------------------------------------------------------

type Kind = 'start' | 'normal' | 'end';
const GOOD_WAIT = 'P1D';
const BAD_WAIT = 'PT30S';

interface RandomStage {
  readonly key: string;
  readonly name: string;
  readonly kind: Kind;
  readonly wait?: string;
}
interface RandomTransition {
  readonly from: string;
  readonly to: string;
  readonly result: string;
}
interface RandomDefinition {
  readonly stages: RandomStage[];
  readonly transitions: RandomTransition[];
}

const RESULTS = ['Yes', 'No', 'yes', ' No ', 'Later', '', '  ', 'Done'];

function keyOf(index: number): string {
  return `s${index}`;
}

/** Fully random: any kinds, any transitions among the keys (and an unknown one), any results. */
const randomDefinition: fc.Arbitrary<RandomDefinition> = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc
    .record({
      kinds: fc.array(fc.constantFrom<Kind>('start', 'normal', 'normal', 'end'), {
        minLength: n,
        maxLength: n,
      }),
      waits: fc.array(fc.option(fc.constantFrom(GOOD_WAIT, BAD_WAIT), { freq: 3, nil: undefined }), {
        minLength: n,
        maxLength: n,
      }),
      transitions: fc.array(
        fc.record({
          from: fc.integer({ min: 0, max: n }),
          to: fc.integer({ min: 0, max: n }),
          result: fc.constantFrom(...RESULTS),
        }),
        { maxLength: 3 * n },
      ),
    })
    .map(({ kinds, waits, transitions }) => ({
      stages: kinds.map((kind, i) => ({
        key: keyOf(i),
        name: `Stage ${i}`,
        kind,
        ...(waits[i] === undefined ? {} : { wait: waits[i] }),
      })),
      transitions: transitions.map((t) => ({ from: keyOf(t.from), to: keyOf(t.to), result: t.result })),
    })),
);

/**
 * Biased towards validity: a start, a chain through the rest with a few ends, extra edges with
 * unique results, then at most one random perturbation (flip a kind, drop or add a transition,
 * duplicate a result, add a wait), so that valid and nearly valid definitions both come up often.
 */
const nearlyValidDefinition: fc.Arbitrary<RandomDefinition> = fc.integer({ min: 2, max: 12 }).chain((n) =>
  fc
    .record({
      isEnd: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      extra: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n }),
      waits: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      perturbation: fc.option(
        fc.tuple(
          fc.constantFrom('flip', 'drop', 'add', 'duplicate', 'wait', 'second-start'),
          fc.nat(100),
          fc.nat(100),
        ),
        { freq: 2 },
      ),
    })
    .map(({ isEnd, extra, waits, perturbation }) => {
      const kinds: Kind[] = isEnd.map((end, i) =>
        i === 0 ? 'start' : i === n - 1 || end ? 'end' : 'normal',
      );
      const transitions: RandomTransition[] = [];
      const nextResult = new Map<number, number>();
      const connect = (from: number, to: number) => {
        const k = nextResult.get(from) ?? 0;
        nextResult.set(from, k + 1);
        transitions.push({ from: keyOf(from), to: keyOf(to), result: `r${k}` });
      };
      const workers = kinds.flatMap((kind, i) => (kind === 'end' ? [] : [i]));
      workers.forEach((w, idx) => {
        connect(w, workers[idx + 1] ?? n - 1);
      });
      kinds.forEach((kind, i) => {
        if (kind === 'end' && i !== n - 1) connect(workers[i % workers.length] ?? 0, i);
      });
      for (const [from, to] of extra) if (kinds[from] !== 'end') connect(from, to);
      const stages: RandomStage[] = kinds.map((kind, i) => {
        const single = (nextResult.get(i) ?? 0) === 1;
        return {
          key: keyOf(i),
          name: `Stage ${i}`,
          kind,
          ...(waits[i] && single ? { wait: GOOD_WAIT } : {}),
        };
      });
      if (perturbation) {
        const [what, a, b] = perturbation;
        const si = a % stages.length;
        const ti = transitions.length === 0 ? 0 : b % transitions.length;
        const stage = stages[si];
        const transition = transitions[ti];
        if (what === 'flip' && stage) {
          const kind: Kind = stage.kind === 'end' ? 'normal' : 'end';
          stages[si] = { ...stage, kind };
        } else if (what === 'second-start' && stage) stages[si] = { ...stage, kind: 'start' };
        else if (what === 'drop' && transition) transitions.splice(ti, 1);
        else if (what === 'add') transitions.push({ from: keyOf(si), to: keyOf(b % n), result: 'extra' });
        else if (what === 'duplicate' && transition) transitions.push({ ...transition, to: keyOf(b % n) });
        else if (what === 'wait' && stage) stages[si] = { ...stage, wait: GOOD_WAIT };
      }
      return { stages, transitions };
    }),
);

/** An independent reading of the structural rules. */
function structuralProblems(def: RandomDefinition): string[] {
  const problems: string[] = [];
  const keys = new Set(def.stages.map((s) => s.key));
  if (keys.size !== def.stages.length) problems.push('duplicate keys');
  const starts = def.stages.filter((s) => s.kind === 'start');
  if (starts.length !== 1) problems.push(`${starts.length} start stages`);
  const out = new Map<string, string[]>();
  const back = new Map<string, string[]>();
  for (const key of keys) {
    out.set(key, []);
    back.set(key, []);
  }
  const seenResults = new Set<string>();
  for (const t of def.transitions) {
    if (!keys.has(t.from) || !keys.has(t.to)) {
      problems.push(`transition ${t.from} → ${t.to} points outside`);
      continue;
    }
    if (t.result.trim() === '') problems.push(`empty result from ${t.from}`);
    const norm = `${t.from}\u0000${t.result.trim().toLowerCase()}`;
    if (t.result.trim() !== '' && seenResults.has(norm)) problems.push(`duplicate result from ${t.from}`);
    seenResults.add(norm);
    out.get(t.from)?.push(t.to);
    back.get(t.to)?.push(t.from);
  }
  for (const stage of def.stages) {
    const n = out.get(stage.key)?.length ?? 0;
    if (stage.kind === 'end' && n > 0) problems.push(`end ${stage.key} has a way out`);
    if (stage.kind !== 'end' && n === 0) problems.push(`${stage.key} has no way out`);
    if (stage.wait !== undefined && stage.kind === 'end') problems.push(`end ${stage.key} waits`);
    if (stage.wait !== undefined && stage.kind !== 'end' && n > 1) problems.push(`wait ${stage.key} forks`);
    if (stage.wait !== undefined && stage.wait !== GOOD_WAIT) problems.push(`wait ${stage.key} out of range`);
  }
  const bfs = (roots: string[], edges: Map<string, string[]>): Set<string> => {
    const seen = new Set(roots);
    const queue = [...roots];
    while (queue.length > 0) {
      const next = queue.shift() as string;
      for (const to of edges.get(next) ?? []) {
        if (!seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    return seen;
  };
  const start = starts[0];
  if (start) {
    const reached = bfs([start.key], out);
    for (const key of keys) if (!reached.has(key)) problems.push(`${key} unreachable`);
  }
  const ends = def.stages.filter((s) => s.kind === 'end').map((s) => s.key);
  if (ends.length === 0) problems.push('no end');
  const canEnd = bfs(ends, back);
  for (const key of keys) if (!canEnd.has(key)) problems.push(`no end from ${key}`);
  return problems;
}

const anyDefinition = fc.oneof(randomDefinition, nearlyValidDefinition);

describe('validateDefinition accepts only sound definitions', () => {
  it('given a random definition it calls valid, then an independent BFS finds it sound', () => {
    fc.assert(
      fc.property(anyDefinition, (def) => {
        const result = validateDefinition(def);
        expectWellFormed(result);
        if (result.valid) {
          const starts = def.stages.filter((s) => s.kind === 'start');
          expect(starts).toHaveLength(1);
          for (const stage of def.stages.filter((s) => s.kind === 'end')) {
            expect(def.transitions.filter((t) => t.from === stage.key)).toEqual([]);
          }
          expect(structuralProblems(def)).toEqual([]);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('given a random definition the independent reading finds sound, then validation agrees', () => {
    fc.assert(
      fc.property(anyDefinition, (def) => {
        expect(validateDefinition(def).valid).toBe(structuralProblems(def).length === 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('given an invalid random definition, then every error names an existing stage or transition', () => {
    fc.assert(
      fc.property(anyDefinition, (def) => {
        const keys = new Set(def.stages.map((s) => s.key));
        for (const error of validateDefinition(def).errors) {
          if (error.stage !== undefined) expect(keys.has(error.stage)).toBe(true);
          if (error.transition !== undefined) {
            expect(error.transition).toBeGreaterThanOrEqual(0);
            expect(error.transition).toBeLessThan(def.transitions.length);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('given the generators, then both valid and invalid definitions come up often (the property is not vacuous)', () => {
    const sample = fc.sample(anyDefinition, { numRuns: 1000, seed: 42 });
    const valid = sample.filter((def) => validateDefinition(def).valid).length;
    expect(valid).toBeGreaterThan(150);
    expect(valid).toBeLessThan(850);
  });

  it('given a valid definition, when its transitions are shuffled, then it stays valid', () => {
    fc.assert(
      fc.property(
        nearlyValidDefinition.filter((def) => validateDefinition(def).valid),
        fc.func(fc.integer()),
        (def, rank) => {
          const transitions = [...def.transitions].sort((a, b) => rank(a) - rank(b));
          const stages = [...def.stages].reverse();
          expect(validateDefinition({ stages, transitions }).valid).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
