/**
 * The designer's edits as data. Every change to a definition is a `noun.verb` command applied by a
 * pure function; applying it also yields a `Change` — what it replaced — so the command stack can
 * revert it exactly (diagram-js `CommandStack` handlers: execute saves, revert restores).
 */
import type { Definition, Stage, Transition } from '../api/types.ts';

/** Where a stage stands on the flowchart. */
export type Point = Readonly<NonNullable<Stage['position']>>;

/** The definition being edited: the one state the designer renders. */
export type DesignerState = Readonly<Pick<Definition, 'name' | 'stages' | 'transitions'>>;

/** Fields of a stage to set; a field given as `undefined` is removed. */
export type StagePatch = { readonly [K in keyof Stage]?: Stage[K] | undefined };
export type TransitionPatch = { readonly [K in keyof Transition]?: Transition[K] };

export type Command =
  | { readonly type: 'definition.rename'; readonly name: string }
  | { readonly type: 'stage.add'; readonly stage: Stage; readonly index?: number }
  | { readonly type: 'stage.update'; readonly key: string; readonly patch: StagePatch }
  /** Removes the stages, every transition touching them, and the listed transitions. */
  | {
      readonly type: 'stage.remove';
      readonly keys: readonly string[];
      readonly transitions?: readonly number[];
    }
  | { readonly type: 'stage.move'; readonly key: string; readonly position: Point }
  | { readonly type: 'transition.connect'; readonly transition: Transition }
  | { readonly type: 'transition.update'; readonly index: number; readonly patch: TransitionPatch }
  | { readonly type: 'transition.remove'; readonly indexes: readonly number[] }
  | { readonly type: 'layout.apply'; readonly positions: Readonly<Record<string, Point>> }
  /** Puts back a whole earlier state (unsaved changes kept from a previous visit). */
  | { readonly type: 'definition.restore'; readonly state: DesignerState };

export type CommandType = Command['type'];

interface Indexed<T> {
  readonly index: number;
  readonly value: T;
}

/** What a command replaced: enough to put the state back as it was. */
export type Change =
  | { readonly type: 'definition.rename'; readonly before: string }
  | { readonly type: 'stage.add'; readonly index: number }
  | {
      readonly type: 'stage.update';
      readonly index: number;
      readonly before: Stage;
      /** Transitions whose `from` / `to` followed a key change. */
      readonly fromIndexes: readonly number[];
      readonly toIndexes: readonly number[];
    }
  | {
      readonly type: 'stage.remove';
      readonly stages: readonly Indexed<Stage>[];
      readonly transitions: readonly Indexed<Transition>[];
    }
  | { readonly type: 'stage.move'; readonly index: number; readonly before: Point | undefined }
  | { readonly type: 'transition.connect'; readonly index: number }
  | { readonly type: 'transition.update'; readonly index: number; readonly before: Transition }
  | { readonly type: 'transition.remove'; readonly transitions: readonly Indexed<Transition>[] }
  | { readonly type: 'layout.apply'; readonly before: readonly Indexed<Point | undefined>[] }
  | { readonly type: 'definition.restore'; readonly before: DesignerState };

export interface Applied {
  readonly state: DesignerState;
  readonly change: Change;
}

function withField<T extends object>(obj: T, patch: Readonly<Record<string, unknown>>): T {
  const next = { ...obj } as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) delete next[field];
    else next[field] = value;
  }
  return next as T;
}

function replaceAt<T>(list: readonly T[], index: number, value: T): T[] {
  const next = list.slice();
  next[index] = value;
  return next;
}

function withPosition(stage: Stage, position: Point | undefined): Stage {
  return withField(stage, { position });
}

function samePoint(a: Point | undefined, b: Point | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.x === b.x && a.y === b.y);
}

/**
 * Applies a command. Returns `null` when the command does not apply to this state (an unknown
 * stage, a duplicate key, an index out of range) or would change nothing: the designer then
 * records nothing. Never throws.
 */
export function executeCommand(state: DesignerState, command: Command): Applied | null {
  switch (command.type) {
    case 'definition.rename': {
      if (command.name === state.name) return null;
      return { state: { ...state, name: command.name }, change: { type: command.type, before: state.name } };
    }
    case 'stage.add': {
      if (state.stages.some((s) => s.key === command.stage.key)) return null;
      const index = Math.max(0, Math.min(command.index ?? state.stages.length, state.stages.length));
      const stages = state.stages.slice();
      stages.splice(index, 0, command.stage);
      return { state: { ...state, stages }, change: { type: command.type, index } };
    }
    case 'stage.update': {
      const index = state.stages.findIndex((s) => s.key === command.key);
      const before = state.stages[index];
      if (!before) return null;
      const newKey = command.patch.key;
      const rekey = newKey !== undefined && newKey !== before.key;
      if (newKey !== undefined && newKey.trim() === '') return null;
      if (rekey && state.stages.some((s) => s.key === newKey)) return null;
      const after = withField(before, { ...command.patch, key: newKey ?? before.key });
      if (JSON.stringify(after) === JSON.stringify(before)) return null;
      const fromIndexes: number[] = [];
      const toIndexes: number[] = [];
      let transitions = state.transitions;
      if (rekey) {
        transitions = state.transitions.map((t, i) => {
          if (t.from !== before.key && t.to !== before.key) return t;
          if (t.from === before.key) fromIndexes.push(i);
          if (t.to === before.key) toIndexes.push(i);
          return {
            ...t,
            from: t.from === before.key ? newKey : t.from,
            to: t.to === before.key ? newKey : t.to,
          };
        });
      }
      return {
        state: { ...state, stages: replaceAt(state.stages, index, after), transitions },
        change: { type: command.type, index, before, fromIndexes, toIndexes },
      };
    }
    case 'stage.remove': {
      const keys = new Set(command.keys);
      const extra = new Set(command.transitions ?? []);
      const stages: Indexed<Stage>[] = [];
      state.stages.forEach((s, index) => {
        if (keys.has(s.key)) stages.push({ index, value: s });
      });
      if (stages.length === 0) return null;
      const transitions: Indexed<Transition>[] = [];
      state.transitions.forEach((t, index) => {
        if (keys.has(t.from) || keys.has(t.to) || extra.has(index)) transitions.push({ index, value: t });
      });
      const goneT = new Set(transitions.map((t) => t.index));
      return {
        state: {
          ...state,
          stages: state.stages.filter((s) => !keys.has(s.key)),
          transitions: state.transitions.filter((_, i) => !goneT.has(i)),
        },
        change: { type: command.type, stages, transitions },
      };
    }
    case 'stage.move': {
      const index = state.stages.findIndex((s) => s.key === command.key);
      const stage = state.stages[index];
      if (!stage || samePoint(stage.position, command.position)) return null;
      return {
        state: { ...state, stages: replaceAt(state.stages, index, withPosition(stage, command.position)) },
        change: { type: command.type, index, before: stage.position },
      };
    }
    case 'transition.connect': {
      const { from, to } = command.transition;
      if (!state.stages.some((s) => s.key === from) || !state.stages.some((s) => s.key === to)) return null;
      const index = state.transitions.length;
      return {
        state: { ...state, transitions: [...state.transitions, command.transition] },
        change: { type: command.type, index },
      };
    }
    case 'transition.update': {
      const before = state.transitions[command.index];
      if (!before) return null;
      const after = { ...before, ...command.patch };
      if (after.from === before.from && after.to === before.to && after.result === before.result) return null;
      return {
        state: { ...state, transitions: replaceAt(state.transitions, command.index, after) },
        change: { type: command.type, index: command.index, before },
      };
    }
    case 'transition.remove': {
      const gone = new Set(command.indexes);
      const transitions: Indexed<Transition>[] = [];
      state.transitions.forEach((t, index) => {
        if (gone.has(index)) transitions.push({ index, value: t });
      });
      if (transitions.length === 0) return null;
      return {
        state: { ...state, transitions: state.transitions.filter((_, i) => !gone.has(i)) },
        change: { type: command.type, transitions },
      };
    }
    case 'layout.apply': {
      const before: Indexed<Point | undefined>[] = [];
      const stages = state.stages.map((s, index) => {
        const position = command.positions[s.key];
        if (!position || samePoint(s.position, position)) return s;
        before.push({ index, value: s.position });
        return withPosition(s, position);
      });
      if (before.length === 0) return null;
      return { state: { ...state, stages }, change: { type: command.type, before } };
    }
    case 'definition.restore': {
      if (command.state === state) return null;
      return { state: command.state, change: { type: command.type, before: state } };
    }
  }
}

function insertAll<T>(list: readonly T[], items: readonly Indexed<T>[]): T[] {
  const next = list.slice();
  // Ascending original indexes: each lands where it was once the earlier ones are back.
  for (const item of [...items].sort((a, b) => a.index - b.index)) next.splice(item.index, 0, item.value);
  return next;
}

/** Puts back what `executeCommand` changed, given the state right after it. */
export function revertChange(state: DesignerState, change: Change): DesignerState {
  switch (change.type) {
    case 'definition.rename':
      return { ...state, name: change.before };
    case 'stage.add':
      return { ...state, stages: state.stages.filter((_, i) => i !== change.index) };
    case 'stage.update': {
      const key = change.before.key;
      const fromSet = new Set(change.fromIndexes);
      const toSet = new Set(change.toIndexes);
      const transitions =
        fromSet.size + toSet.size === 0
          ? state.transitions
          : state.transitions.map((t, i) =>
              fromSet.has(i) || toSet.has(i)
                ? { ...t, from: fromSet.has(i) ? key : t.from, to: toSet.has(i) ? key : t.to }
                : t,
            );
      return { ...state, stages: replaceAt(state.stages, change.index, change.before), transitions };
    }
    case 'stage.remove':
      return {
        ...state,
        stages: insertAll(state.stages, change.stages),
        transitions: insertAll(state.transitions, change.transitions),
      };
    case 'stage.move': {
      const stage = state.stages[change.index];
      if (!stage) return state;
      return { ...state, stages: replaceAt(state.stages, change.index, withPosition(stage, change.before)) };
    }
    case 'transition.connect':
      return { ...state, transitions: state.transitions.filter((_, i) => i !== change.index) };
    case 'transition.update':
      return { ...state, transitions: replaceAt(state.transitions, change.index, change.before) };
    case 'transition.remove':
      return { ...state, transitions: insertAll(state.transitions, change.transitions) };
    case 'layout.apply': {
      const stages = state.stages.slice();
      for (const { index, value } of change.before) {
        const stage = stages[index];
        if (stage) stages[index] = withPosition(stage, value);
      }
      return { ...state, stages };
    }
    case 'definition.restore':
      return change.before;
  }
}

function sameFields(a: object, b: object): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/**
 * Folds `next` into `prev` when both edit the same field of the same thing (typing into a name, a
 * task title): one undo step per burst of typing, not per keystroke. Returns the command that,
 * applied to the state before `prev`, gives the state after `next`; `null` when they do not fold.
 */
export function mergeCommands(prev: Command, next: Command): Command | null {
  if (prev.type === 'definition.rename' && next.type === 'definition.rename') return next;
  if (prev.type === 'stage.update' && next.type === 'stage.update') {
    const prevResultKey = prev.patch.key ?? prev.key;
    if (next.key !== prevResultKey || !sameFields(prev.patch, next.patch)) return null;
    return { type: 'stage.update', key: prev.key, patch: { ...prev.patch, ...next.patch } };
  }
  if (prev.type === 'transition.update' && next.type === 'transition.update') {
    if (prev.index !== next.index || !sameFields(prev.patch, next.patch)) return null;
    return { type: 'transition.update', index: prev.index, patch: { ...prev.patch, ...next.patch } };
  }
  return null;
}
