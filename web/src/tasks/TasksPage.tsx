import type { Employee } from '../api/types.ts';

export function TasksPage(_props: { me: Employee }) {
  return <h1>Tasks</h1>;
}
