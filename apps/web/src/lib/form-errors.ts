import type { UseFormReturnType } from '@mantine/form';
import { ApiError } from './api-error';
import { describeError } from './errors';

/**
 * Puts the API's validation messages next to their fields and returns the sentence for the rest
 * (or null when every message found its field).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any form shape
export function applyApiErrors<Values extends object>(form: UseFormReturnType<Values, any, any>, error: unknown): string | null {
  if (!(error instanceof ApiError)) return describeError(error);
  const { byField, rest } = error.fieldErrors(Object.keys(form.getValues()));
  form.setErrors(byField);
  if (rest.length === 0 && Object.keys(byField).length > 0) return null;
  return rest.length > 0 && error.status === 400 ? rest.join('; ') : describeError(error);
}
