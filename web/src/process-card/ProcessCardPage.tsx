import type { Employee } from '../api/types.ts';

export function ProcessCardPage(_props: { me: Employee }) {
  return <h1>Process</h1>;
}
