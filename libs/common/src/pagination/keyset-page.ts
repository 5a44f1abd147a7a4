import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { type CursorValueKind, decodeCursor, encodeCursor } from './page-cursor.js';

export interface KeysetOrder {
  /** The query's alias of the listed entity. */
  alias: string;
  /** The entity property sorted by, and its column (the cursor carries the column's own text). */
  property: string;
  column: string;
  valueKind: Exclude<CursorValueKind, 'none'>;
  direction: 'ASC' | 'DESC';
}

/**
 * One page of `query` in (property, id) order after `cursor`, with the cursor of the next page (null
 * on the last one). For queries of one row per entity: the sort value is read from the raw rows.
 */
export async function keysetPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  order: KeysetOrder,
  cursor: string | undefined,
  limit: number,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const { alias, property, column, valueKind, direction } = order;
  // Timestamps as PostgreSQL's text keep their microseconds (page-cursor.ts).
  query
    .addSelect(valueKind === 'timestamp' ? `${alias}.${column}::text` : `${alias}.${column}`, 'keyset_value')
    .orderBy(`${alias}.${property}`, direction)
    .addOrderBy(`${alias}.id`, direction)
    .limit(limit + 1);
  if (cursor) {
    const after = decodeCursor(cursor, valueKind);
    query.andWhere(`(${alias}.${property}, ${alias}.id) ${direction === 'ASC' ? '>' : '<'} (:keysetValue, :keysetId)`, { keysetValue: after.value, keysetId: after.id });
  }
  const { entities, raw } = await query.getRawAndEntities<{ keyset_value: string | number }>();
  const items = entities.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: entities.length > limit && last ? encodeCursor({ value: raw[items.length - 1]!.keyset_value, id: last.id }) : null };
}
