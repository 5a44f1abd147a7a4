import { CommandError } from '../errors/command-error.js';

/**
 * Opaque keyset cursor: the sort value and id of the last item of a page. Keyset pagination stays
 * fast and stable on deep pages, unlike OFFSET.
 */
export interface KeysetCursor {
  value: string | number | null;
  id: string;
}

/**
 * What a list sorts by, so a decoded cursor is checked before it reaches SQL: a forged value would
 * otherwise be a PostgreSQL data error. Timestamps travel as PostgreSQL's own text (`created_at::text`),
 * microseconds included, because a JavaScript Date would round them to milliseconds and the next page
 * would skip rows of the same millisecond; 'infinity' is how a null due time sorts last. `none`: the id
 * alone orders the list (an identity column), and the value is null.
 */
export type CursorValueKind = 'timestamp' | 'integer' | 'text' | 'none';
export type CursorIdKind = 'uuid' | 'integer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(:\d{2})?)$/;
const INTEGER_ID = /^[1-9]\d{0,17}$/;

function validValue(value: unknown, kind: CursorValueKind): boolean {
  switch (kind) {
    case 'timestamp':
      return typeof value === 'string' && (value === 'infinity' || validTimestamp(value));
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) < 2 ** 31;
    case 'text':
      return typeof value === 'string' && value.length <= 1000 && !value.includes('\u0000');
    case 'none':
      return value === null;
  }
}

function validTimestamp(value: string): boolean {
  const parts = TIMESTAMP.exec(value);
  if (!parts) return false;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 60;
}

function validId(id: unknown, kind: CursorIdKind): id is string {
  return typeof id === 'string' && (kind === 'uuid' ? UUID : INTEGER_ID).test(id);
}

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id])).toString('base64url');
}

export function decodeCursor(encoded: string, valueKind: CursorValueKind, idKind: CursorIdKind = 'uuid'): KeysetCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !validValue(parsed[0], valueKind) || !validId(parsed[1], idKind)) {
    throw new CommandError('VALIDATION', 'cursor is not a cursor returned by this list', ['cursor is not a cursor returned by this list']);
  }
  return { value: parsed[0] as KeysetCursor['value'], id: parsed[1] };
}
