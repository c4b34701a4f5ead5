import { describe, expect, it } from 'vitest';
import { mayCompleteTask, mayMoveStage } from './stage-ownership.ts';

const anna = { id: 'anna', role: 'manager' } as const;
const boris = { id: 'boris', role: 'manager' } as const;
const admin = { id: 'root', role: 'admin' } as const;

describe('stage ownership', () => {
  it('the current stage is its responsible’s and the admins’', () => {
    expect(mayMoveStage(anna, 'anna')).toBe(true);
    expect(mayMoveStage(boris, 'anna')).toBe(false);
    expect(mayMoveStage(admin, 'anna')).toBe(true);
  });
  it('a stage with no responsible is everyone’s who may edit', () => {
    expect(mayMoveStage(boris, null)).toBe(true);
  });
  it('a task is its assignee’s, the stage responsible’s and the admins’', () => {
    expect(mayCompleteTask(anna, 'anna', 'boris')).toBe(true);
    expect(mayCompleteTask(boris, 'anna', 'boris')).toBe(true);
    expect(mayCompleteTask(admin, 'anna', 'boris')).toBe(true);
    expect(mayCompleteTask({ id: 'vera', role: 'manager' }, 'anna', 'boris')).toBe(false);
    expect(mayCompleteTask(boris, 'anna', null)).toBe(false);
  });
});
