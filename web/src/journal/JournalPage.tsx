import type { Employee } from '../api/types.ts';

export function JournalPage(_props: { me: Employee }) {
  return <h1>Processes</h1>;
}
