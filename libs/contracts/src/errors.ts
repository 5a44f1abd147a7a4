/** Stable error codes that cross the wire; the gateway maps each to one HTTP status. */
export const ERROR_CODES = [
  'VALIDATION',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  /** Well-formed but refused by a business rule on the data (merging a ticket into itself, a parent/child cycle). */
  'UNPROCESSABLE',
  'PRECONDITION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  /** An organization's quota (attachment bytes, outgoing mail, AI tokens) is spent; details name the quota. */
  'QUOTA_EXCEEDED',
  'UNAVAILABLE',
  'TIMEOUT',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The error envelope every command handler replies with instead of a result. */
export interface ErrorEnvelope {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.message === 'string' &&
    typeof candidate.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(candidate.code)
  );
}

/** The body of every HTTP error the gateway answers (AllExceptionsFilter); `ErrorResponse` in the OpenAPI document. */
export interface HttpErrorBody {
  /** The HTTP status, repeated. */
  statusCode: number;
  /** The status's reason phrase, such as `Not Found`. */
  error: string;
  /** What went wrong; a list naming each problem when the input failed validation. */
  message: string | string[];
  /** Also in the X-Request-Id header and in every log line of every service the request touched. */
  requestId?: string;
  /** Structured help from the service that refused (the current version on a conflict, the organizations to choose from). */
  details?: unknown;
}
