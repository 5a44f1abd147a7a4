/** The first try and 3 retries, as the replaced platform's Celery mail tasks. */
export const MAIL_ATTEMPTS = 4;

/**
 * Delay before retry number `retry` (1 for the first retry): exponential, with "equal jitter" (half
 * fixed, half random) so mails that failed together do not all retry at the same instant, and no
 * retry comes back almost at once.
 */
export function retryDelay(retry: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = baseMs * 2 ** Math.max(0, retry - 1);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** A 5xx SMTP reply (unknown mailbox, refused sender, policy) will not change by retrying. */
export function isPermanentSmtpFailure(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
