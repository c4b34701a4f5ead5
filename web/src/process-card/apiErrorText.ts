import type { TFunction } from 'i18next';
import { ApiError } from '../api/client.ts';

/** A person-readable message for a failed request: the translated code, else the server's text. */
export function apiErrorText(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    return t(`card:errors.${error.code}`, { defaultValue: error.message || t('common:error') });
  }
  return t('common:error');
}

/** True when the request lost a race with someone else's change. */
export function isVersionConflict(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'version_conflict';
}
