import { CommandError } from '@helpdesk/common';

/**
 * Opaque keyset cursor: the sort value and id of the last item of a page. Keyset pagination stays
 * fast and stable on deep pages, unlike OFFSET.
 */
export interface PageCursor {
  value: string | number | null;
  id: string;
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id])).toString('base64url');
}

export function decodeCursor(encoded: string): PageCursor {
  try {
    const [value, id] = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as [unknown, unknown];
    const valueOk = value === null || typeof value === 'string' || typeof value === 'number';
    if (!valueOk || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('shape');
    return { value: value as PageCursor['value'], id };
  } catch {
    throw new CommandError('VALIDATION', 'cursor is not a cursor returned by this list');
  }
}
