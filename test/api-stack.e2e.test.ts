import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ApiStack } from '@helpdesk/testing';

const LABEL = 'stackcleanup';

/** This test process's live child processes, by their command lines (from /proc: Linux only). */
function childProcesses(): string[] {
  const children: string[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(parent) === process.pid && state !== 'Z') children.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim());
    } catch {
      // The process ended while being read.
    }
  }
  return children;
}

async function stackDatabases(): Promise<string[]> {
  const client = new pg.Client({ host: process.env.DB_HOST || '127.0.0.1', port: Number(process.env.DB_PORT || 5432), user: process.env.DB_USER || 'postgres', password: process.env.DB_PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    return (await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`helpdesk_test_${LABEL}_%`])).rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

describe('ApiStack.start when one of its services cannot start', () => {
  it('fails at once naming that service, and leaves no process or database behind', async () => {
    const before = childProcesses();

    // The ticket service and nats-server start; the gateway refuses its configuration and exits.
    const started = ApiStack.start(LABEL, { env: { RATE_LIMIT_LOGIN_PER_MINUTE: 'many' } });

    await expect(started).rejects.toThrow(/gateway exited .*RATE_LIMIT_LOGIN_PER_MINUTE/s);
    expect(childProcesses()).toEqual(before);
    expect(await stackDatabases()).toEqual([]);
  }, 60_000);
});
