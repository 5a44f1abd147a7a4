const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * When an event id was generated: a UUIDv7 starts with its Unix time in milliseconds (48 bits).
 * Hand-written because the uuid package validates v7 ids but does not read their time.
 * Undefined for anything that is not a UUIDv7.
 */
export function eventIdTime(id: unknown): number | undefined {
  if (typeof id !== 'string' || !UUID_V7.test(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
