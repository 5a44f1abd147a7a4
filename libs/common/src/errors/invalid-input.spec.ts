import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInvalidInputError } from './invalid-input.js';

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('isInvalidInputError, on errors raised by the real drivers', () => {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  const dataSource = new DataSource({ type: 'postgres', host: '127.0.0.1', port: 5432, username: 'postgres', database: 'postgres' });

  beforeAll(async () => {
    await client.connect();
    await dataSource.initialize();
  });

  afterAll(async () => {
    await client.end();
    await dataSource.destroy();
  });

  it.each([
    ['22P02', 'SELECT $1::uuid', ['not-a-uuid']],
    ['22007', 'SELECT $1::timestamptz', ['zzz']],
    ['22008', 'SELECT $1::timestamptz', ['2026-13-45T10:00:00Z']],
    ['22003', 'SELECT $1::integer', ['99999999999']],
    ['22021', 'SELECT $1::text', ['a\u0000b']],
  ])('recognizes SQLSTATE %s, from pg and wrapped by TypeORM', async (code, sql, parameters) => {
    const raw = await errorOf(() => client.query(sql, parameters));
    const wrapped = await errorOf(() => dataSource.query(sql, parameters));

    expect((raw as { code: string }).code).toBe(code);
    expect(isInvalidInputError(raw)).toBe(true);
    expect(isInvalidInputError(wrapped)).toBe(true);
  });

  it('leaves bugs alone: a syntax error, a missing table, a thrown TypeError stay internal errors', async () => {
    expect(isInvalidInputError(await errorOf(() => client.query('SELEC 1')))).toBe(false);
    expect(isInvalidInputError(await errorOf(() => dataSource.query('SELECT * FROM no_such_table')))).toBe(false);
    expect(isInvalidInputError(new TypeError('x is undefined'))).toBe(false);
    expect(isInvalidInputError({ code: 'ERR_22' })).toBe(false);
  });
});
