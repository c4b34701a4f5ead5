/**
 * Laid-out positions for stages that had none when the definition was opened. The designer shows a
 * definition at once and lays it out in the background; the answer fills in the places without an
 * undo step and without making the draft unsaved, as if the stages had been placed when it opened.
 */
import type { Stage } from '../api/types.ts';
import { type CommandStack, commandStackReducer, type StackAction } from './command-stack.ts';
import type { DesignerState, Point } from './commands.ts';

/** `state` with a position for every stage that has none and has one in `positions`. */
export function withPlaces(state: DesignerState, positions: Readonly<Record<string, Point>>): DesignerState {
  let changed = false;
  const stages = state.stages.map((stage) => {
    const place = positions[stage.key];
    if (stage.position || !place) return stage;
    changed = true;
    return { ...stage, position: place };
  });
  return changed ? { ...state, stages } : state;
}

/** The stack with its current state placed; history and the saved mark are left as they are. */
export function placeStages(stack: CommandStack, positions: Readonly<Record<string, Point>>): CommandStack {
  const state = withPlaces(stack.state, positions);
  return state === stack.state ? stack : { ...stack, state };
}

/** The designer's stack, remembering the state the places were filled into until the next edit. */
export interface EditorStack extends CommandStack {
  readonly placedFrom?: DesignerState | undefined;
}

export type EditorAction =
  | StackAction
  | { readonly type: 'placed'; readonly positions: Readonly<Record<string, Point>> };

/**
 * The designer's reducer: the command stack's, and the places arriving. A save sent before the
 * places arrived still saves the draft as the user left it: it is not taken for an edit since.
 */
export function editorReducer(stack: EditorStack, action: EditorAction): EditorStack {
  if (action.type === 'placed') {
    const placed = placeStages(stack, action.positions);
    return placed === stack ? stack : { ...placed, placedFrom: stack.placedFrom ?? stack.state };
  }
  if (action.type === 'saved') {
    const state = action.state === stack.placedFrom ? stack.state : action.state;
    return { ...commandStackReducer(stack, { type: 'saved', state }), placedFrom: stack.placedFrom };
  }
  return commandStackReducer(stack, action);
}

/**
 * The same stage but for its place: a stage given a place (or moved) shows the same in the list
 * and on its node, so what draws it can keep what it drew.
 */
export function sameButPlace(a: Stage, b: Stage): boolean {
  return sameBut(a, b, 'position');
}

/** The same stage but for one field (each other field the same value, or the same object). */
export function sameBut(a: Stage, b: Stage, field: keyof Stage): boolean {
  if (a === b) return true;
  const keys = (s: Stage) => Object.keys(s).filter((k) => k !== field) as (keyof Stage)[];
  const own = keys(b);
  return keys(a).length === own.length && own.every((k) => a[k] === b[k]);
}
