import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteRedisKeys, freePort } from '@helpdesk/testing';
import { closeWorker } from './close-worker.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379/0';

describe('closeWorker', () => {
  const connections: Redis[] = [];
  const prefix = `close-worker-${randomBytes(4).toString('hex')}`;
  const connect = (url: string) => {
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    connections.push(connection);
    return connection;
  };

  afterEach(async () => {
    for (const connection of connections.splice(0)) connection.disconnect();
    await deleteRedisKeys(prefix);
  });

  it('returns while Redis is unreachable, where a graceful close would wait for it forever', async () => {
    const unreachable = `redis://127.0.0.1:${await freePort()}/0`;
    const worker = new Worker('jobs', async () => undefined, { connection: connect(unreachable), prefix });
    worker.on('error', () => undefined);

    await closeWorker(worker, connections);

    expect(worker.closing).toBeDefined();
    expect(await worker.isRunning()).toBe(false);
  });

  it('lets a running job finish when Redis answers', async () => {
    const queue = new Queue('jobs', { connection: connect(REDIS_URL), prefix });
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finished = false;
    const worker = new Worker(
      'jobs',
      async () => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished = true;
      },
      { connection: connect(REDIS_URL), prefix },
    );
    await worker.waitUntilReady();
    await queue.add('one', {});
    await running;

    await closeWorker(worker, connections);

    expect(finished).toBe(true);
    await queue.close();
  });
});
