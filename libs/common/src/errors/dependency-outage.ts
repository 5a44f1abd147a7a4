const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// PostgreSQL SQLSTATEs of a server that is going away or not yet back: admin/crash shutdown, cannot connect now, too many connections.
const POSTGRES_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
const CLIENT_MESSAGES = [
  /^Connection terminated/i, // pg: the server closed the connection
  /timeout exceeded when trying to connect/i, // pg-pool
  /not queryable/i, // pg: a client whose connection failed
  /^Connection is closed/i, // ioredis
  /max retries per request/i, // ioredis, while reconnecting
  /Stream isn't writeable/i, // ioredis without an offline queue
];

/**
 * Whether an error means a backing service (PostgreSQL, Redis) is unreachable or restarting, so the
 * right answer is "unavailable, retry" (503) rather than an internal error. Written by hand because
 * each driver signals it differently: Node's socket codes, PostgreSQL's SQLSTATE classes 08 and 57P,
 * and the drivers' own messages. TypeORM wraps driver errors, so the cause is looked at too.
 */
export function isDependencyOutage(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, message, name, driverError, cause, errors } = error as { code?: unknown; message?: unknown; name?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.has(code) || code.startsWith('08'))) return true;
  if (name === 'MaxRetriesPerRequestError') return true; // ioredis, while reconnecting
  // TypeORM, when the transaction's connection was dropped by the server and the runner let it go.
  if (name === 'QueryRunnerAlreadyReleasedError' || name === 'QueryRunnerProviderAlreadyReleasedError') return true;
  if (typeof message === 'string' && CLIENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // AggregateError: a connection tried on several addresses.
  if (Array.isArray(errors) && errors.length > 0 && errors.every((inner) => isDependencyOutage(inner, depth + 1))) return true;
  return isDependencyOutage(driverError, depth + 1) || isDependencyOutage(cause, depth + 1);
}
