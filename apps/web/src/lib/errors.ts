import { t } from '../i18n';
import { ApiError, NetworkError } from './api-error';

/** The sentence to show a person for a failed request. */
export function describeError(error: unknown): string {
  if (error instanceof NetworkError) return t.errors.network;
  if (error instanceof ApiError) {
    if (error.status === 429 && !error.details) return error.retryAfterSeconds !== undefined ? t.errors.rateLimited(error.retryAfterSeconds) : t.errors.rateLimitedNoTime;
    if (error.status === 429 && error.retryAfterSeconds !== undefined) return `${error.message} ${t.errors.rateLimited(error.retryAfterSeconds)}`;
    if (error.status === 404) return error.message || t.errors.notFound;
    if (error.status === 403) return error.message || t.errors.forbidden;
    return error.message;
  }
  return t.common.error;
}
