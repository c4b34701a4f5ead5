/** Small assertions and set-up steps shared by the API tests. */
import { expect } from 'vitest';
import type { Client, Response } from './server.ts';

/** Asserts an error answer in the API's one error shape: its HTTP status and its code. */
export function expectError(res: Response, status: number, code: string): void {
  const shown = JSON.stringify(res.body);
  expect(res.status, shown).toBe(status);
  expect(res.body?.error?.code, shown).toBe(code);
  expect(typeof res.body.error.message, shown).toBe('string');
}

/** Asserts a success answer, showing the body when it is not one. */
export function expectStatus(res: Response, status: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
}

/** Creates a definition and publishes it; returns its id. */
export async function publishDefinition(admin: Client, name: string, body: object): Promise<string> {
  const created = await admin.post('/api/definitions', { name, ...body });
  expectStatus(created, 201);
  expectStatus(await admin.post(`/api/definitions/${created.body.id}/publish`), 200);
  return created.body.id as string;
}

/** Two stages, `a` (start) and `b` (end), joined by the single result "Done". */
export function twoStageBody(start: Record<string, unknown> = {}) {
  return {
    stages: [
      { key: 'a', name: 'A', kind: 'start', ...start },
      { key: 'b', name: 'B', kind: 'end' },
    ],
    transitions: [{ from: 'a', to: 'b', result: 'Done' }],
  };
}
