/** Turns the API's 400/409/422 answers into messages next to the fields they are about. */
import { ApiError } from '../api/client.ts';

export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, form: null };

/**
 * `friendly(field, code, apiMessage)` may give a message in the reader's language; otherwise the
 * API's own message is shown. Problems that name no known field go to the form as a whole.
 */
export function formErrors(
  error: unknown,
  knownFields: readonly string[],
  friendly: (field: string, code: string, apiMessage: string) => string | undefined,
  fallback: string,
): FormErrors {
  if (!(error instanceof ApiError)) return { fields: {}, form: fallback };
  const fields: Record<string, string> = {};
  const leftover: string[] = [];
  const put = (field: string | undefined, message: string, code: string) => {
    if (field && knownFields.includes(field)) {
      fields[field] ??= friendly(field, code, message) ?? message;
    } else leftover.push(message);
  };
  const details = error.details ?? {};
  const issues = Array.isArray(details.issues)
    ? (details.issues as { path?: unknown; message?: unknown }[])
    : [];
  if (issues.length > 0) {
    for (const issue of issues) {
      const path = typeof issue.path === 'string' ? issue.path : '';
      const field = path.replace(/^body\/?/, '').split('/')[0];
      put(field, typeof issue.message === 'string' ? issue.message : error.message, error.code);
    }
  } else if (typeof details.field === 'string') {
    put(details.field, error.message, error.code);
  } else {
    leftover.push(error.message || fallback);
  }
  return { fields, form: leftover.length > 0 ? leftover.join(' ') : null };
}
