/** The URL's search parameters with one of them set, or removed when the value is empty. */
export function withParam(prev: URLSearchParams, name: string, value: string): URLSearchParams {
  const next = new URLSearchParams(prev);
  if (value) next.set(name, value);
  else next.delete(name);
  return next;
}
