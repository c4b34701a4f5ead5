import { describe, expect, it } from 'vitest';
import { StageNames } from './stage-names.ts';

describe('the chart’s stage names', () => {
  it('gives a stage’s name, or its key for a stage it does not know', () => {
    const names = new StageNames();
    names.set(new Map([['a', 'Call']]));
    expect(names.name('a')).toBe('Call');
    expect(names.name('b')).toBe('b');
  });

  it('tells its readers once the names taken in a render are published, and only if they changed', () => {
    const names = new StageNames();
    let told = 0;
    const stop = names.subscribe(() => told++);
    const first = new Map([['a', 'Call']]);
    names.set(first);
    expect(names.name('a')).toBe('Call'); // read at once by what renders with the chart
    expect(told).toBe(0);
    names.publish();
    expect(told).toBe(1);
    names.set(first);
    names.publish();
    expect(told).toBe(1);
    names.set(new Map([['a', 'Call back']]));
    names.publish();
    expect(told).toBe(2);
    stop();
    names.set(new Map([['a', 'Meet']]));
    names.publish();
    expect(told).toBe(2);
  });
});
