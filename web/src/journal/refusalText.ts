import type { TFunction } from 'i18next';

/**
 * Why a bulk action or a migration left a process alone, in the reader's language: the known
 * codes translated, anything else as the server said it.
 */
export function refusalText(
  t: TFunction,
  item: { code?: string | undefined; message?: string | undefined },
): string {
  const code = item.code ?? '';
  return (
    t(`journal:bulk.refusals.${code}`, { defaultValue: '' }) ||
    t(`card:errors.${code}`, { defaultValue: '' }) ||
    item.message ||
    code
  );
}
