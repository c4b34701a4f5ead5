import { describe, expect, it } from 'vitest';
import type { Stage } from '../api/types.ts';
import { commandStackReducer, createStack, isDirty } from './command-stack.ts';
import type { DesignerState } from './commands.ts';
import { editorReducer, placeStages, sameButPlace, withPlaces } from './placement.ts';

const stage = (key: string, position?: { x: number; y: number }): Stage =>
  ({ key, name: key, kind: 'normal', ...(position ? { position } : {}) }) as Stage;

const draft: DesignerState = {
  name: 'Calls',
  stages: [stage('a'), stage('b', { x: 5, y: 5 }), stage('c')],
  transitions: [{ from: 'a', to: 'b', result: 'Next' }],
};

describe('placing a definition laid out after it opened', () => {
  it('fills in only the stages without a place', () => {
    const placed = withPlaces(draft, { a: { x: 1, y: 2 }, b: { x: 9, y: 9 }, gone: { x: 0, y: 0 } });
    expect(placed.stages.map((s) => s.position)).toEqual([{ x: 1, y: 2 }, { x: 5, y: 5 }, undefined]);
    expect(placed.stages[1]).toBe(draft.stages[1]);
    expect(placed.transitions).toBe(draft.transitions);
  });

  it('leaves a state with nothing to place as it is', () => {
    expect(withPlaces(draft, { b: { x: 9, y: 9 } })).toBe(draft);
  });

  it('adds no undo step and keeps the draft saved, or unsaved, as it was', () => {
    const fresh = placeStages(createStack(draft), { a: { x: 1, y: 2 } });
    expect(fresh.state.stages[0]?.position).toEqual({ x: 1, y: 2 });
    expect(fresh.done).toHaveLength(0);
    expect(isDirty(fresh)).toBe(false);

    const edited = commandStackReducer(createStack(draft), {
      type: 'execute',
      command: { type: 'definition.rename', name: 'Calls back' },
      at: 0,
    });
    const placed = placeStages(edited, { c: { x: 3, y: 4 } });
    expect(placed.done).toBe(edited.done);
    expect(isDirty(placed)).toBe(true);
    expect(placed.state.name).toBe('Calls back');
    expect(placed.state.stages[2]?.position).toEqual({ x: 3, y: 4 });
    // Undo still takes back the edit, not the places.
    const undone = commandStackReducer(placed, { type: 'undo' });
    expect(undone.state.name).toBe('Calls');
    expect(undone.state.stages[2]?.position).toEqual({ x: 3, y: 4 });
  });
});

describe('a stage that only got a place', () => {
  it('is the same stage to what draws it; any other change is not', () => {
    const a = stage('a');
    expect(sameButPlace(a, { ...a, position: { x: 1, y: 1 } })).toBe(true);
    expect(sameButPlace({ ...a, position: { x: 1, y: 1 } }, { ...a, position: { x: 2, y: 2 } })).toBe(true);
    expect(sameButPlace(a, { ...a, name: 'b' })).toBe(false);
    expect(sameButPlace(a, { ...a, wait: 'P1D' } as Stage)).toBe(false);
    expect(sameButPlace({ ...a, wait: 'P1D' } as Stage, a)).toBe(false);
  });
});

describe('saving while the places arrive', () => {
  const rename = { type: 'definition.rename', name: 'Calls back' } as const;

  it('a save sent before the places arrived leaves the draft saved', () => {
    const opened = createStack(draft);
    const sent = opened.state;
    const placed = editorReducer(opened, { type: 'placed', positions: { a: { x: 1, y: 2 } } });
    const saved = editorReducer(placed, { type: 'saved', state: sent });
    expect(isDirty(saved)).toBe(false);
    expect(saved.state.stages[0]?.position).toEqual({ x: 1, y: 2 });
  });

  it('an edit made after that save was sent stays unsaved', () => {
    const opened = editorReducer(createStack(draft), { type: 'execute', command: rename, at: 0 });
    const sent = opened.state;
    const placed = editorReducer(opened, { type: 'placed', positions: { a: { x: 1, y: 2 } } });
    const edited = editorReducer(placed, {
      type: 'execute',
      command: { type: 'definition.rename', name: 'Calls back soon' },
      at: 10_000,
    });
    expect(isDirty(editorReducer(edited, { type: 'saved', state: sent }))).toBe(true);
    // Saving what is shown now clears it.
    expect(isDirty(editorReducer(edited, { type: 'saved', state: edited.state }))).toBe(false);
  });
});
