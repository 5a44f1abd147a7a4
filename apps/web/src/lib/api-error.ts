/** The gateway's error body: `{ statusCode, error, message, requestId, details? }`; validation errors carry a list of messages. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  requestId?: string;
  details?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
    readonly details: unknown,
    readonly requestId: string | undefined,
    /** From `Retry-After` on a 429. */
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(messages.join('; ') || `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /**
   * Validation messages by form field. class-validator's messages start with the property name
   * ("email must be an email"), nested ones with its path; the rest stay in `rest`.
   */
  fieldErrors(fields: readonly string[]): { byField: Record<string, string>; rest: string[] } {
    const byField: Record<string, string> = {};
    const rest: string[] = [];
    if (this.status !== 400 && this.status !== 422) return { byField, rest: this.messages };
    for (const message of this.messages) {
      const field = fields.find((name) => message === name || message.startsWith(`${name} `) || message.startsWith(`${name}.`));
      if (field && !byField[field]) byField[field] = message;
      else rest.push(message);
    }
    return { byField, rest };
  }
}

/** The request never got an answer (offline, DNS, connection refused). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network error', { cause });
    this.name = 'NetworkError';
  }
}

export function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Builds the ApiError for a non-2xx answer, whatever its body (a proxy may answer HTML). */
export function apiErrorFrom(status: number, body: unknown, headers: { get(name: string): string | null }): ApiError {
  const envelope = typeof body === 'object' && body !== null ? (body as Partial<ErrorBody>) : {};
  const raw = envelope.message;
  const messages = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
  return new ApiError(status, messages, envelope.details, envelope.requestId ?? headers.get('x-request-id') ?? undefined, parseRetryAfter(headers.get('retry-after')));
}
