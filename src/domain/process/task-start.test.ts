import { describe, expect, it } from 'vitest';
import { openTask, startTask, taskIdOfStartKey, taskStartTimerKey } from './step.ts';

const NOW = Date.parse('2026-03-02T09:00:00Z');
const task = { id: 't1', title: 'Call the client', stageKey: 'call', assigneeId: 'anna', startsAt: NOW };

describe('task start timer key', () => {
  it('given a task id, then the key names it after the task-start prefix', () => {
    expect(taskStartTimerKey('t1')).toBe('task-start:t1');
  });

  it('given a task-start key, then it gives back the task id', () => {
    expect(taskIdOfStartKey(taskStartTimerKey('01J:x'))).toBe('01J:x');
  });

  it('given a wait or resume key, then it is not a task start', () => {
    expect(taskIdOfStartKey('wait:p1:rest:4')).toBeNull();
    expect(taskIdOfStartKey('resume:p1:1000')).toBeNull();
  });
});

describe('startTask', () => {
  it('given a start later than now, then the task is pending behind its start timer and nobody is told', () => {
    expect(startTask({ ...task, startsAt: NOW + 1 }, 'boris', NOW)).toEqual({
      status: 'pending',
      timer: { kind: 'task.start', key: 'task-start:t1', dueAt: NOW + 1 },
    });
  });

  it('given a start now, then the task is open and its assignee is told, with no protocol entry', () => {
    expect(startTask(task, 'boris', NOW)).toEqual({
      status: 'open',
      effects: [
        {
          type: 'notify',
          employeeId: 'anna',
          kind: 'task.opened',
          details: { taskId: 't1', title: 'Call the client', stage: 'call' },
        },
      ],
    });
  });

  it('given a start in the past, then the task is open', () => {
    expect(startTask({ ...task, startsAt: NOW - 1 }, 'boris', NOW).status).toBe('open');
  });

  it('given the assignee creates it, or no assignee, then nobody is told', () => {
    expect(startTask(task, 'anna', NOW)).toEqual({ status: 'open', effects: [] });
    expect(startTask({ ...task, assigneeId: null }, 'boris', NOW)).toEqual({ status: 'open', effects: [] });
  });
});

describe('openTask', () => {
  it('given a delayed start, then the protocol records task.opened with no actor and the assignee is told', () => {
    expect(openTask(task, null, true)).toEqual([
      {
        type: 'protocol',
        action: 'task.opened',
        actorId: null,
        details: { taskId: 't1', title: 'Call the client' },
      },
      {
        type: 'notify',
        employeeId: 'anna',
        kind: 'task.opened',
        details: { taskId: 't1', title: 'Call the client', stage: 'call' },
      },
    ]);
  });

  it('given a delayed start of an unassigned task, then only the protocol entry', () => {
    expect(openTask({ ...task, assigneeId: null }, null, true).map((e) => e.type)).toEqual(['protocol']);
  });
});
