import { api } from '../api/client.ts';
import { recordPaths } from '../api/records.ts';
import type { Counterparty, Page } from '../api/types.ts';
import type { ComboboxOption } from './Combobox.tsx';

/** Clients whose name, phone or e-mail contains the text, as combobox choices with a quieter hint. */
export async function searchClients(
  text: string,
  limit: number,
  hint: (client: Counterparty) => string | null | undefined,
): Promise<ComboboxOption[]> {
  const page = await api.get<Page<Counterparty>>(recordPaths.list('counterparties', { q: text, limit }));
  return page.items.map((c) => ({ id: c.id, label: c.name, hint: hint(c) ?? undefined }));
}
