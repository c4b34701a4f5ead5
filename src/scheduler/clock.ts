/** Clocks: the system's, and a test clock that only moves forward when told to. */
import type { Clock } from '../domain/clock.ts';

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Real time plus an offset that `advance()` grows: time keeps flowing, and a test can skip a month.
 * The offset is kept by the caller (in the database) so a restart does not travel back in time.
 */
export class TestClock implements Clock {
  #offset: number;

  constructor(offsetMs = 0) {
    this.#offset = offsetMs;
  }

  now(): number {
    return Date.now() + this.#offset;
  }

  get offset(): number {
    return this.#offset;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('a clock only moves forward');
    this.#offset += ms;
  }
}

/** A clock that stands still unless set or advanced; for unit tests. */
export class ManualClock implements Clock {
  #now: number;

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  set(ms: number): void {
    this.#now = ms;
  }
}
