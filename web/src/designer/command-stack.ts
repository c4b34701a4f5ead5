/**
 * Undo and redo for the designer: a pure reducer over the edited definition and the commands that
 * made it. Each entry keeps its command (to redo) and the change it made (to undo).
 */
import {
  type Change,
  type Command,
  type DesignerState,
  executeCommand,
  mergeCommands,
  revertChange,
} from './commands.ts';

export interface StackEntry {
  readonly command: Command;
  readonly change: Change;
  /** When it was executed (ms), to fold a burst of typing into one step. */
  readonly at: number;
}

export interface CommandStack {
  readonly state: DesignerState;
  readonly done: readonly StackEntry[];
  readonly undone: readonly StackEntry[];
  /** `done.length` when the state was last saved; `null` once that state cannot be reached by undo/redo. */
  readonly savedAt: number | null;
}

export type StackAction =
  | { readonly type: 'execute'; readonly command: Command; readonly at: number }
  | { readonly type: 'undo' }
  | { readonly type: 'redo' }
  /** A fresh start (loaded from the server): no history, saved. */
  | { readonly type: 'reset'; readonly state: DesignerState }
  /**
   * This state was saved. If the user edited on while it was being saved, the current state is not
   * the saved one and stays dirty.
   */
  | { readonly type: 'saved'; readonly state: DesignerState };

/** Edits closer together than this (ms) on the same field fold into one undo step. */
export const MERGE_WINDOW_MS = 1000;

export function createStack(state: DesignerState): CommandStack {
  return { state, done: [], undone: [], savedAt: 0 };
}

export function canUndo(stack: CommandStack): boolean {
  return stack.done.length > 0;
}

export function canRedo(stack: CommandStack): boolean {
  return stack.undone.length > 0;
}

/** Whether the state differs from the last saved one. */
export function isDirty(stack: CommandStack): boolean {
  return stack.savedAt !== stack.done.length;
}

function execute(stack: CommandStack, command: Command, at: number): CommandStack {
  const top = stack.done[stack.done.length - 1];
  const topIsSaved = stack.savedAt === stack.done.length;
  if (top && stack.undone.length === 0 && !topIsSaved && at - top.at < MERGE_WINDOW_MS) {
    const merged = mergeCommands(top.command, command);
    if (merged) {
      const applied = executeCommand(stack.state, command);
      if (!applied) return stack;
      return {
        ...stack,
        state: applied.state,
        done: [...stack.done.slice(0, -1), { command: merged, change: top.change, at }],
      };
    }
  }
  const applied = executeCommand(stack.state, command);
  if (!applied) return stack;
  // A new edit after undo drops the redo branch; if the saved state was on it, it is gone.
  const savedAt = stack.savedAt !== null && stack.savedAt > stack.done.length ? null : stack.savedAt;
  return {
    state: applied.state,
    done: [...stack.done, { command, change: applied.change, at }],
    undone: [],
    savedAt,
  };
}

function undo(stack: CommandStack): CommandStack {
  const entry = stack.done[stack.done.length - 1];
  if (!entry) return stack;
  return {
    ...stack,
    state: revertChange(stack.state, entry.change),
    done: stack.done.slice(0, -1),
    undone: [...stack.undone, entry],
  };
}

function redo(stack: CommandStack): CommandStack {
  const entry = stack.undone[stack.undone.length - 1];
  if (!entry) return stack;
  const applied = executeCommand(stack.state, entry.command);
  // The command applied once to this very state; it applies again. Guard anyway: drop the branch.
  if (!applied) return { ...stack, undone: [] };
  return {
    ...stack,
    state: applied.state,
    done: [...stack.done, { ...entry, change: applied.change, at: 0 }],
    undone: stack.undone.slice(0, -1),
  };
}

/** The designer's reducer: commands, undo, redo. Pure. */
export function commandStackReducer(stack: CommandStack, action: StackAction): CommandStack {
  switch (action.type) {
    case 'execute':
      return execute(stack, action.command, action.at);
    case 'undo':
      return undo(stack);
    case 'redo':
      return redo(stack);
    case 'reset':
      return createStack(action.state);
    case 'saved':
      return { ...stack, savedAt: stack.state === action.state ? stack.done.length : null };
  }
}
