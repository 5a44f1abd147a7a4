/**
 * Whether an error is PostgreSQL refusing a value (SQLSTATE class 22, data exception: invalid text
 * representation 22P02, datetime 22007/22008, numeric range 22003, a NUL byte 22021...). Such a value
 * came from the client, so the answer is 400, not a 500 and an admin alert. TypeORM wraps the driver's
 * error, so its driverError and cause are looked at too.
 */
export function isInvalidInputError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, driverError, cause } = error as { code?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return true;
  return isInvalidInputError(driverError, depth + 1) || isInvalidInputError(cause, depth + 1);
}

export const INVALID_INPUT_MESSAGE = 'A value in the request is malformed or out of range';
