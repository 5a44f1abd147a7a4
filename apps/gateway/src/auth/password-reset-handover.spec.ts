import { startService, type RunningService } from '@helpdesk/common';
import { waitFor } from '@helpdesk/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketApp } from '../../../ticket/src/ticket.app.js';
import { GatewayHarness, type SignedUpAdmin } from '../testing/gateway-harness.js';
import { PASSWORD_RESET_QUEUE } from './password-reset-handover.js';

describe('a password-reset request answered 202 while the ticket service is down', () => {
  let gateway: GatewayHarness;
  let admin: SignedUpAdmin;
  let revived: RunningService | undefined;
  let redis: Redis;
  let queue: Queue;

  beforeAll(async () => {
    gateway = await GatewayHarness.start('reset-handover', { NATS_REQUEST_TIMEOUT_MS: '2000' });
    admin = await gateway.signup('Handover Desk');
    redis = new Redis(gateway.config.REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(PASSWORD_RESET_QUEUE, { connection: redis, prefix: gateway.config.QUEUE_PREFIX });
  });

  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await revived?.shutdown('test end');
    await gateway?.stop();
  });

  const resetEvents = async () =>
    (await gateway.ticket.storedEvents()).filter(({ envelope }) => envelope.type === 'auth.password_reset_requested' && envelope.aggregateId === admin.user.id);

  it('reaches the ticket service once it is back: the request waits in the queue and is retried, not lost', async () => {
    await gateway.ticket.service.shutdown('outage');

    const response = await gateway.call('/auth/password-reset', { body: { email: admin.user.email } });
    expect(response.status).toBe(202);
    // The first attempt found nobody to answer; the job waits for its retry.
    const waiting = await waitFor('a failed first attempt', async () => {
      const [job] = await queue.getJobs(['delayed', 'wait', 'active']);
      return job && job.attemptsMade >= 1 ? job : undefined;
    }, 15_000);
    expect(waiting.data).toEqual({ email: admin.user.email });

    revived = await startService(ticketApp, gateway.ticket.config, { logStream: new PassThrough() });

    const [event, ...others] = await waitFor('the reset event', async () => {
      const events = await resetEvents();
      return events.length > 0 ? events : undefined;
    }, 30_000);
    expect(others).toEqual([]);
    expect(event!.envelope.data).toMatchObject({ userId: admin.user.id, email: admin.user.email });
    // Delivered: the email no longer sits in Redis.
    await waitFor('the delivered job removed', async () => (await queue.getJobs(['wait', 'active', 'delayed', 'completed', 'failed'])).length === 0, 10_000);
  });
});
