/** Runs `tick` now and then every `intervalMs`; the interval does not keep the process alive. */
export function every(intervalMs: number, tick: () => void): NodeJS.Timeout {
  tick();
  const handle = setInterval(tick, intervalMs);
  handle.unref();
  return handle;
}
