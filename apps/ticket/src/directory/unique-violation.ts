import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';

/** True when PostgreSQL refused a write as a duplicate on the named unique index (a race the prior check lost). */
export function isUniqueViolation(error: unknown, index: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === UNIQUE_VIOLATION && driverError.constraint === index;
}
