import { describe, expect, it } from 'vitest';
import { dateTimeIn, dayIn, parseDay } from './format.ts';

describe('dates in the app’s language', () => {
  it('writes a moment as 01.12.2026 11:02 in Russian and 1 Dec 2026, 11:02 in English', () => {
    expect(dateTimeIn('ru', '2026-12-01T11:02:00Z', true, 'UTC')).toBe('01.12.2026 11:02');
    expect(dateTimeIn('ru', '2026-12-01T11:02:00Z', false, 'UTC')).toBe('01.12.2026');
    expect(dateTimeIn('en', '2026-12-01T11:02:00Z', true, 'UTC')).toBe('1 Dec 2026, 11:02');
  });

  it('shows and reads a typed day, day first, rejecting days that do not exist', () => {
    expect(dayIn('ru', '2026-12-01')).toBe('01.12.2026');
    expect(dayIn('en', '2026-12-01')).toBe('01/12/2026');
    expect(dayIn('ru', '')).toBe('');
    expect(parseDay('01.12.2026')).toBe('2026-12-01');
    expect(parseDay('1/2/2026')).toBe('2026-02-01');
    expect(parseDay('31.02.2026')).toBeNull();
    expect(parseDay('2026-12-01')).toBeNull();
    expect(parseDay('')).toBeNull();
  });
});
