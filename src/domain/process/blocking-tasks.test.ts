import { describe, expect, it } from 'vitest';
import { type BlockingCandidate, type CurrentStage, openBlockingTasks } from './blocking-tasks.ts';

const ENTERED = Date.UTC(2026, 0, 5, 9);
const stage: CurrentStage = { status: 'active', stageKey: 'offer', enteredAt: ENTERED };

function task(overrides: Partial<BlockingCandidate> & { id: string }): BlockingCandidate & { id: string } {
  return { blocking: true, status: 'open', stageKey: 'offer', createdAt: ENTERED, ...overrides };
}

describe('the blocking-task rule', () => {
  it('an open or not yet started blocking task of the current visit holds the stage', () => {
    const open = task({ id: 'open' });
    const pending = task({ id: 'pending', status: 'pending', createdAt: ENTERED + 1 });
    expect(openBlockingTasks(stage, [open, pending])).toEqual([open, pending]);
  });

  it('done, non-blocking and other stages’ tasks do not', () => {
    const tasks = [
      task({ id: 'done', status: 'done' }),
      task({ id: 'plain', blocking: false }),
      task({ id: 'elsewhere', stageKey: 'delivery' }),
      task({ id: 'free', stageKey: null }),
    ];
    expect(openBlockingTasks(stage, tasks)).toEqual([]);
  });

  it('a task of an earlier visit of the same stage no longer counts', () => {
    const earlier = task({ id: 'earlier', createdAt: ENTERED - 1 });
    const now = task({ id: 'now', createdAt: ENTERED });
    expect(openBlockingTasks(stage, [earlier, now])).toEqual([now]);
  });

  it('reads ISO 8601 times as the API sends them', () => {
    const iso: CurrentStage = { ...stage, enteredAt: new Date(ENTERED).toISOString() };
    const earlier = task({ id: 'earlier', createdAt: new Date(ENTERED - 1000).toISOString() });
    const now = task({ id: 'now', createdAt: new Date(ENTERED + 1000).toISOString() });
    expect(openBlockingTasks(iso, [earlier, now])).toEqual([now]);
  });

  it('holds nothing once the process is completed or cancelled, and holds while it is paused', () => {
    const open = task({ id: 'open' });
    expect(openBlockingTasks({ ...stage, status: 'completed' }, [open])).toEqual([]);
    expect(openBlockingTasks({ ...stage, status: 'cancelled' }, [open])).toEqual([]);
    expect(openBlockingTasks({ ...stage, status: 'paused' }, [open])).toEqual([open]);
  });
});
