/**
 * Test fixture: a fast-check generator of definitions that are valid by construction, shared by the
 * state machine's property tests and the API's restart-replay scenario.
 */
import fc from 'fast-check';
import type { DefinitionBody, Stage, Transition } from './types.ts';

/** The employee ids the generated stages name as responsibles (map them to real ids over the API). */
export const FIXTURE_EMPLOYEES = ['e1', 'e2', 'e3', 'e4'] as const;

/** The spawn target a generated stage `s<i>` names: `child-<i>` (map it to a real definition id). */
export function fixtureChildId(index: number): string {
  return `child-${index}`;
}

export const FIXTURE_WAITS = ['PT1M', 'PT2H', 'P1D', 'P1M', 'P1Y'] as const;

/**
 * Valid definitions by construction: stage 0 starts; the non-end stages form a chain to the last
 * stage (an end); other ends hang off a non-end stage; extra edges (forward or backward) leave
 * non-end stages, each stage's results unique. A stage with a single way out may wait.
 */
export function validDefinitionArbitrary(
  options: { readonly minStages?: number; readonly maxStages?: number } = {},
): fc.Arbitrary<DefinitionBody> {
  return fc.integer({ min: options.minStages ?? 2, max: options.maxStages ?? 12 }).chain((n) =>
    fc
      .record({
        isEnd: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        endParents: fc.array(fc.nat(), { minLength: n, maxLength: n }),
        extra: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 2 * n }),
        waits: fc.array(fc.option(fc.constantFrom(...FIXTURE_WAITS), { nil: undefined }), {
          minLength: n,
          maxLength: n,
        }),
        responsibles: fc.array(fc.subarray([...FIXTURE_EMPLOYEES]), { minLength: n, maxLength: n }),
        tasks: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        spawns: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      })
      .map(({ isEnd, endParents, extra, waits, responsibles, tasks, spawns }) => {
        const kinds = isEnd.map((end, i) => (i === 0 ? 'start' : i === n - 1 || end ? 'end' : 'normal'));
        const transitions: Transition[] = [];
        const count = new Map<number, number>();
        const connect = (from: number, to: number) => {
          const k = count.get(from) ?? 0;
          count.set(from, k + 1);
          transitions.push({ from: `s${from}`, to: `s${to}`, result: `r${from}.${k}` });
        };
        const workers = kinds.flatMap((kind, i) => (kind === 'end' ? [] : [i]));
        workers.forEach((w, idx) => {
          connect(w, workers[idx + 1] ?? n - 1);
        });
        kinds.forEach((kind, i) => {
          if (kind === 'end' && i !== n - 1) connect(workers[(endParents[i] ?? 0) % workers.length] ?? 0, i);
        });
        for (const [from, to] of extra) if (kinds[from] !== 'end') connect(from, to);
        const stages: Stage[] = kinds.map((kind, i) => {
          const wait = waits[i];
          return {
            key: `s${i}`,
            name: `Stage ${i}`,
            kind: kind as Stage['kind'],
            responsibles: responsibles[i],
            ...(wait !== undefined && kind !== 'end' && count.get(i) === 1 ? { wait } : {}),
            ...(tasks[i]
              ? { task: { title: `Task ${i}`, assignee: 'responsible' as const, dueIn: 'P1D' } }
              : {}),
            ...(spawns[i] ? { spawn: [fixtureChildId(i)] } : {}),
          };
        });
        return { stages, transitions };
      }),
  );
}
