import { describe, expect, it } from 'vitest';
import type { Stage, Transition } from '../api/types.ts';
import { type Command, type DesignerState, executeCommand, mergeCommands, revertChange } from './commands.ts';

const stages: Stage[] = [
  { key: 'call', name: 'Call the client', kind: 'start', position: { x: 0, y: 0 } },
  { key: 'rest', name: 'Rest', kind: 'normal', wait: 'P30D' },
  { key: 'lost', name: 'Client lost', kind: 'end', position: { x: 400, y: 0 } },
];
const transitions: Transition[] = [
  { from: 'call', to: 'lost', result: 'Refused' },
  { from: 'call', to: 'rest', result: 'Not reached' },
  { from: 'rest', to: 'call', result: 'Continue' },
];
const given: DesignerState = { name: 'Monitoring', stages, transitions };

/** Executes, checks the result, reverts, checks the state is back exactly, and re-executes. */
function roundTrip(command: Command, expectAfter: (s: DesignerState) => void): DesignerState {
  const applied = executeCommand(given, command);
  if (!applied) throw new Error('command did not apply');
  expectAfter(applied.state);
  const reverted = revertChange(applied.state, applied.change);
  expect(reverted).toEqual(given);
  const again = executeCommand(reverted, command);
  expect(again?.state).toEqual(applied.state);
  return applied.state;
}

describe('designer commands: execute and revert', () => {
  it('definition.rename renames and reverts', () => {
    roundTrip({ type: 'definition.rename', name: 'Win back' }, (s) => expect(s.name).toBe('Win back'));
  });

  it('stage.add appends, or inserts at an index', () => {
    const stage: Stage = { key: 'offer', name: 'Prepare an offer', kind: 'normal' };
    roundTrip({ type: 'stage.add', stage }, (s) =>
      expect(s.stages.map((x) => x.key)).toEqual(['call', 'rest', 'lost', 'offer']),
    );
    roundTrip({ type: 'stage.add', stage, index: 1 }, (s) =>
      expect(s.stages.map((x) => x.key)).toEqual(['call', 'offer', 'rest', 'lost']),
    );
  });

  it('stage.add refuses a key already taken', () => {
    expect(
      executeCommand(given, { type: 'stage.add', stage: { key: 'rest', name: 'X', kind: 'normal' } }),
    ).toBeNull();
  });

  it('stage.update sets and removes fields', () => {
    roundTrip(
      { type: 'stage.update', key: 'rest', patch: { name: 'Pause', wait: undefined, kind: 'normal' } },
      (s) => {
        expect(s.stages[1]).toEqual({ key: 'rest', name: 'Pause', kind: 'normal' });
        expect('wait' in (s.stages[1] ?? {})).toBe(false);
      },
    );
  });

  it('stage.update with a new key renames the key in every transition, and reverts them', () => {
    roundTrip({ type: 'stage.update', key: 'call', patch: { key: 'phone' } }, (s) => {
      expect(s.stages[0]?.key).toBe('phone');
      expect(s.transitions).toEqual([
        { from: 'phone', to: 'lost', result: 'Refused' },
        { from: 'phone', to: 'rest', result: 'Not reached' },
        { from: 'rest', to: 'phone', result: 'Continue' },
      ]);
    });
  });

  it('stage.update refuses a duplicate or empty key, an unknown stage, and no-op patches', () => {
    expect(executeCommand(given, { type: 'stage.update', key: 'call', patch: { key: 'rest' } })).toBeNull();
    expect(executeCommand(given, { type: 'stage.update', key: 'call', patch: { key: ' ' } })).toBeNull();
    expect(executeCommand(given, { type: 'stage.update', key: 'nope', patch: { name: 'X' } })).toBeNull();
    expect(executeCommand(given, { type: 'stage.update', key: 'rest', patch: { name: 'Rest' } })).toBeNull();
  });

  it('stage.remove removes the stages with their transitions and extra listed transitions', () => {
    roundTrip({ type: 'stage.remove', keys: ['rest'] }, (s) => {
      expect(s.stages.map((x) => x.key)).toEqual(['call', 'lost']);
      expect(s.transitions).toEqual([{ from: 'call', to: 'lost', result: 'Refused' }]);
    });
    roundTrip({ type: 'stage.remove', keys: ['call', 'lost'], transitions: [2] }, (s) => {
      expect(s.stages.map((x) => x.key)).toEqual(['rest']);
      expect(s.transitions).toEqual([]);
    });
    expect(executeCommand(given, { type: 'stage.remove', keys: ['nope'] })).toBeNull();
  });

  it('stage.move sets a position, and reverts to none when there was none', () => {
    roundTrip({ type: 'stage.move', key: 'rest', position: { x: 10, y: 20 } }, (s) =>
      expect(s.stages[1]?.position).toEqual({ x: 10, y: 20 }),
    );
    roundTrip({ type: 'stage.move', key: 'call', position: { x: 5, y: 5 } }, (s) =>
      expect(s.stages[0]?.position).toEqual({ x: 5, y: 5 }),
    );
    expect(executeCommand(given, { type: 'stage.move', key: 'call', position: { x: 0, y: 0 } })).toBeNull();
  });

  it('transition.connect appends a rule between existing stages only', () => {
    roundTrip(
      { type: 'transition.connect', transition: { from: 'call', to: 'call', result: 'Again' } },
      (s) => expect(s.transitions[3]).toEqual({ from: 'call', to: 'call', result: 'Again' }),
    );
    expect(
      executeCommand(given, {
        type: 'transition.connect',
        transition: { from: 'call', to: 'nope', result: 'X' },
      }),
    ).toBeNull();
  });

  it('transition.update renames a result or retargets a rule', () => {
    roundTrip({ type: 'transition.update', index: 1, patch: { result: 'No answer', to: 'lost' } }, (s) =>
      expect(s.transitions[1]).toEqual({ from: 'call', to: 'lost', result: 'No answer' }),
    );
    expect(executeCommand(given, { type: 'transition.update', index: 9, patch: { result: 'X' } })).toBeNull();
    expect(
      executeCommand(given, { type: 'transition.update', index: 0, patch: { result: 'Refused' } }),
    ).toBeNull();
  });

  it('transition.remove removes rules by index and puts them back in place', () => {
    roundTrip({ type: 'transition.remove', indexes: [0, 2] }, (s) =>
      expect(s.transitions).toEqual([{ from: 'call', to: 'rest', result: 'Not reached' }]),
    );
    expect(executeCommand(given, { type: 'transition.remove', indexes: [7] })).toBeNull();
  });

  it('layout.apply moves many stages at once and restores the old positions (or none)', () => {
    roundTrip(
      {
        type: 'layout.apply',
        positions: { call: { x: 1, y: 1 }, rest: { x: 2, y: 2 }, lost: { x: 400, y: 0 } },
      },
      (s) =>
        expect(s.stages.map((x) => x.position)).toEqual([
          { x: 1, y: 1 },
          { x: 2, y: 2 },
          { x: 400, y: 0 },
        ]),
    );
  });
});

describe('definition.restore', () => {
  it('replaces the whole state and reverts to the one before', () => {
    const kept: DesignerState = { name: 'Kept', stages: [], transitions: [] };
    roundTrip({ type: 'definition.restore', state: kept }, (s) => expect(s).toBe(kept));
  });
});

describe('mergeCommands', () => {
  it('folds typing into one field of one stage, following a key change', () => {
    expect(
      mergeCommands(
        { type: 'stage.update', key: 'a', patch: { name: 'N' } },
        { type: 'stage.update', key: 'a', patch: { name: 'Na' } },
      ),
    ).toEqual({ type: 'stage.update', key: 'a', patch: { name: 'Na' } });
    expect(
      mergeCommands(
        { type: 'stage.update', key: 'a', patch: { key: 'ab' } },
        { type: 'stage.update', key: 'ab', patch: { key: 'abc' } },
      ),
    ).toEqual({ type: 'stage.update', key: 'a', patch: { key: 'abc' } });
  });

  it('does not fold different fields, stages, rules or kinds of command', () => {
    expect(
      mergeCommands(
        { type: 'stage.update', key: 'a', patch: { name: 'N' } },
        { type: 'stage.update', key: 'a', patch: { kind: 'end' } },
      ),
    ).toBeNull();
    expect(
      mergeCommands(
        { type: 'stage.update', key: 'a', patch: { name: 'N' } },
        { type: 'stage.update', key: 'b', patch: { name: 'N' } },
      ),
    ).toBeNull();
    expect(
      mergeCommands(
        { type: 'transition.update', index: 0, patch: { result: 'a' } },
        { type: 'transition.update', index: 1, patch: { result: 'b' } },
      ),
    ).toBeNull();
    expect(
      mergeCommands(
        { type: 'stage.move', key: 'a', position: { x: 0, y: 0 } },
        { type: 'stage.move', key: 'a', position: { x: 1, y: 0 } },
      ),
    ).toBeNull();
  });
});
