import type { EntityManager } from 'typeorm';

/** Runs an UPDATE ... RETURNING and gives its rows (TypeORM's postgres driver answers UPDATE with [rows, count]). */
export async function updateReturning<T>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  const result = (await manager.query(sql, parameters)) as [T[], number] | T[];
  return Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}
