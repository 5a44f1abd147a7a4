import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { freePort, waitFor } from '@helpdesk/testing';
import { isDependencyOutage } from './dependency-outage.js';

const postgres = (port = 5432) => new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('isDependencyOutage, on errors raised by the real drivers', () => {
  it('recognizes PostgreSQL refusing connections', async () => {
    const port = await freePort();
    expect(isDependencyOutage(await errorOf(() => postgres(port).connect()))).toBe(true);
  });

  it('recognizes a PostgreSQL session cut by a server shutdown (SQLSTATE 57P01), also wrapped as a cause', async () => {
    const client = postgres();
    await client.connect();
    client.on('error', () => undefined);
    const error = await errorOf(() => client.query('SELECT pg_terminate_backend(pg_backend_pid())'));
    await client.end().catch(() => undefined);
    expect(isDependencyOutage(error)).toBe(true);
    expect(isDependencyOutage(new Error('query failed', { cause: error }))).toBe(true);
  });

  it('recognizes a TypeORM transaction whose connection the server cut', async () => {
    const dataSource = new DataSource({ type: 'postgres', host: '127.0.0.1', port: 5432, username: 'postgres', database: 'postgres' });
    await dataSource.initialize();
    const killer = postgres();
    await killer.connect();
    try {
      const error = await errorOf(() =>
        dataSource.transaction(async (manager) => {
          const [{ pid }] = (await manager.query('SELECT pg_backend_pid() AS pid')) as Array<{ pid: number }>;
          await killer.query('SELECT pg_terminate_backend($1)', [pid]);
          await waitFor('the backend to end', async () => (await killer.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0, 5_000, 20);
          await manager.query('SELECT 1');
          await manager.query('SELECT 1');
        }),
      );
      expect(isDependencyOutage(error), String(error)).toBe(true);
    } finally {
      await killer.end();
      await dataSource.destroy();
    }
  });

  it('recognizes Redis unreachable after its retries', async () => {
    const redis = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    const error = await errorOf(() => redis.get('anything'));
    redis.disconnect();
    expect(isDependencyOutage(error)).toBe(true);
  });

  it('leaves bugs and bad queries alone: they stay internal errors', async () => {
    const client = postgres();
    await client.connect();
    const syntax = await errorOf(() => client.query('SELEC 1'));
    await client.end();
    expect(isDependencyOutage(syntax)).toBe(false);
    expect(isDependencyOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDependencyOutage('a string')).toBe(false);
    expect(isDependencyOutage(null)).toBe(false);
  });
});
