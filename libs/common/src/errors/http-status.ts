import { HttpStatus } from '@nestjs/common';
import type { ErrorCode } from '@helpdesk/contracts';

const STATUS_BY_CODE: Record<ErrorCode, HttpStatus> = {
  VALIDATION: HttpStatus.BAD_REQUEST,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  UNPROCESSABLE: HttpStatus.UNPROCESSABLE_ENTITY,
  PRECONDITION_FAILED: HttpStatus.PRECONDITION_FAILED,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  // As Google's RESOURCE_EXHAUSTED: a spent quota is a 429 too; 429 read back is RATE_LIMITED (listed first).
  QUOTA_EXCEEDED: HttpStatus.TOO_MANY_REQUESTS,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  TIMEOUT: HttpStatus.GATEWAY_TIMEOUT,
  INTERNAL: HttpStatus.INTERNAL_SERVER_ERROR,
};

export function httpStatusForErrorCode(code: ErrorCode): HttpStatus {
  return STATUS_BY_CODE[code];
}

/** The reverse direction, for HTTP exceptions raised inside a command handler (validation pipes, guards). */
export function errorCodeForHttpStatus(status: number): ErrorCode {
  const match = (Object.entries(STATUS_BY_CODE) as [ErrorCode, HttpStatus][]).find(([, candidate]) => candidate === status);
  if (match) return match[0];
  return status >= 400 && status < 500 ? 'VALIDATION' : 'INTERNAL';
}
