import { ERROR_CODES } from '@helpdesk/contracts';
import { describe, expect, it } from 'vitest';
import { errorCodeForHttpStatus, httpStatusForErrorCode } from './http-status.js';

describe('error code and HTTP status mapping', () => {
  it.each([
    ['VALIDATION', 400],
    ['UNAUTHORIZED', 401],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['CONFLICT', 409],
    ['PAYLOAD_TOO_LARGE', 413],
    ['UNPROCESSABLE', 422],
    ['RATE_LIMITED', 429],
    ['INTERNAL', 500],
    ['UNAVAILABLE', 503],
    ['TIMEOUT', 504],
  ] as const)('maps %s to %i and back', (code, status) => {
    expect(httpStatusForErrorCode(code)).toBe(status);
    expect(errorCodeForHttpStatus(status)).toBe(code);
  });

  it('gives every code a distinct status, except a spent quota, which is a 429 like a rate limit', () => {
    const statuses = ERROR_CODES.filter((code) => code !== 'QUOTA_EXCEEDED').map(httpStatusForErrorCode);
    expect(new Set(statuses).size).toBe(ERROR_CODES.length - 1);
    expect(httpStatusForErrorCode('QUOTA_EXCEEDED')).toBe(429);
    expect(errorCodeForHttpStatus(429)).toBe('RATE_LIMITED');
  });

  it('treats an unlisted client error as VALIDATION and anything else as INTERNAL', () => {
    expect(errorCodeForHttpStatus(418)).toBe('VALIDATION');
    expect(errorCodeForHttpStatus(502)).toBe('INTERNAL');
  });
});
