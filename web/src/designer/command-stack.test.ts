import { describe, expect, it } from 'vitest';
import {
  type CommandStack,
  canRedo,
  canUndo,
  commandStackReducer,
  createStack,
  isDirty,
  MERGE_WINDOW_MS,
} from './command-stack.ts';
import type { Command, DesignerState } from './commands.ts';

const initial: DesignerState = {
  name: 'Delivery',
  stages: [
    { key: 'pick', name: 'Pick the order', kind: 'start' },
    { key: 'done', name: 'Delivered', kind: 'end' },
  ],
  transitions: [{ from: 'pick', to: 'done', result: 'Picked' }],
};

let clock = 0;
function run(stack: CommandStack, ...commands: Command[]): CommandStack {
  return commands.reduce((s, command) => {
    clock += MERGE_WINDOW_MS * 2;
    return commandStackReducer(s, { type: 'execute', command, at: clock });
  }, stack);
}
const undo = (s: CommandStack) => commandStackReducer(s, { type: 'undo' });
const redo = (s: CommandStack) => commandStackReducer(s, { type: 'redo' });

const EVERY_COMMAND: Command[] = [
  { type: 'definition.rename', name: 'Delivery of goods' },
  { type: 'stage.add', stage: { key: 'ship', name: 'Shipment', kind: 'normal' } },
  { type: 'stage.update', key: 'ship', patch: { event: { type: 'letter', comment: 'Documents sent' } } },
  { type: 'stage.move', key: 'ship', position: { x: 200, y: 40 } },
  { type: 'transition.connect', transition: { from: 'ship', to: 'done', result: 'Shipped' } },
  { type: 'transition.update', index: 0, patch: { to: 'ship' } },
  {
    type: 'layout.apply',
    positions: { pick: { x: 0, y: 0 }, ship: { x: 250, y: 0 }, done: { x: 500, y: 0 } },
  },
  { type: 'stage.update', key: 'ship', patch: { key: 'shipment' } },
  { type: 'transition.remove', indexes: [1] },
  { type: 'stage.remove', keys: ['shipment'] },
  { type: 'definition.restore', state: { name: 'Kept', stages: [], transitions: [] } },
];

describe('command stack', () => {
  it('undoes every kind of command back to the start, and redoes them to the same end', () => {
    const history: DesignerState[] = [initial];
    let stack = createStack(initial);
    for (const command of EVERY_COMMAND) {
      stack = run(stack, command);
      history.push(stack.state);
    }
    expect(stack.done).toHaveLength(EVERY_COMMAND.length);
    const end = stack.state;
    for (let i = history.length - 2; i >= 0; i--) {
      stack = undo(stack);
      expect(stack.state).toEqual(history[i]);
    }
    expect(canUndo(stack)).toBe(false);
    expect(stack.state).toEqual(initial);
    for (let i = 1; i < history.length; i++) {
      stack = redo(stack);
      expect(stack.state).toEqual(history[i]);
    }
    expect(canRedo(stack)).toBe(false);
    expect(stack.state).toEqual(end);
  });

  it('ignores commands that do not apply, and undo/redo with nothing to do', () => {
    const stack = createStack(initial);
    expect(run(stack, { type: 'stage.remove', keys: ['nope'] })).toBe(stack);
    expect(undo(stack)).toBe(stack);
    expect(redo(stack)).toBe(stack);
  });

  it('a new command after undo drops the redo branch', () => {
    let stack = run(createStack(initial), { type: 'definition.rename', name: 'A' });
    stack = undo(stack);
    expect(canRedo(stack)).toBe(true);
    stack = run(stack, { type: 'definition.rename', name: 'B' });
    expect(canRedo(stack)).toBe(false);
    expect(stack.state.name).toBe('B');
  });

  it('folds a burst of typing into one undo step, but not after a pause', () => {
    let stack = createStack(initial);
    const at = 1_000_000;
    for (const [i, name] of ['S', 'Sh', 'Shi', 'Ship'].entries()) {
      stack = commandStackReducer(stack, {
        type: 'execute',
        command: { type: 'stage.update', key: 'pick', patch: { name } },
        at: at + i * 100,
      });
    }
    expect(stack.done).toHaveLength(1);
    expect(stack.state.stages[0]?.name).toBe('Ship');
    stack = commandStackReducer(stack, {
      type: 'execute',
      command: { type: 'stage.update', key: 'pick', patch: { name: 'Ship!' } },
      at: at + 300 + MERGE_WINDOW_MS + 1,
    });
    expect(stack.done).toHaveLength(2);
    stack = undo(undo(stack));
    expect(stack.state).toEqual(initial);
    stack = redo(stack);
    expect(stack.state.stages[0]?.name).toBe('Ship');
  });

  it('tracks whether the state differs from the saved one', () => {
    let stack = createStack(initial);
    expect(isDirty(stack)).toBe(false);
    stack = run(stack, { type: 'definition.rename', name: 'A' });
    expect(isDirty(stack)).toBe(true);
    stack = commandStackReducer(stack, { type: 'saved', state: stack.state });
    expect(isDirty(stack)).toBe(false);
    stack = undo(stack);
    expect(isDirty(stack)).toBe(true);
    stack = redo(stack);
    expect(isDirty(stack)).toBe(false);
    // Typing right after a save starts a new step rather than folding into the saved one.
    stack = commandStackReducer(stack, {
      type: 'execute',
      command: { type: 'definition.rename', name: 'AB' },
      at: clock + 1,
    });
    expect(stack.done).toHaveLength(2);
    expect(isDirty(stack)).toBe(true);
    // The saved state is lost once a new edit replaces the branch it was on.
    stack = undo(undo(stack));
    stack = run(stack, { type: 'definition.rename', name: 'C' });
    expect(isDirty(stack)).toBe(true);
    stack = undo(stack);
    expect(isDirty(stack)).toBe(true);
  });

  it('a save of a state the user has since changed leaves the designer dirty', () => {
    let stack = run(createStack(initial), { type: 'definition.rename', name: 'A' });
    const sent = stack.state;
    stack = run(stack, { type: 'definition.rename', name: 'AB' });
    stack = commandStackReducer(stack, { type: 'saved', state: sent });
    expect(isDirty(stack)).toBe(true);
  });

  it('reset starts a clean history', () => {
    const stack = commandStackReducer(run(createStack(initial), { type: 'definition.rename', name: 'A' }), {
      type: 'reset',
      state: initial,
    });
    expect(stack).toEqual(createStack(initial));
  });
});
