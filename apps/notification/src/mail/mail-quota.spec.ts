import { MetricsService } from '@helpdesk/common';
import { subjects } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { Counter } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationHarness } from '../testing/notification-harness.js';
import { OutgoingMailQuota } from './outgoing-mail-quota.js';

const HOUR_MS = 60 * 60 * 1000;
/** 10:20 UTC on some day: the quota's hour ends 40 minutes later. */
const TWENTY_PAST_TEN = Date.parse('2026-11-30T10:20:00.000Z');

describe('the hourly quota of mails an organization sends to non-staff addresses (ORG_MAIL_PER_HOUR)', () => {
  let harness: NotificationHarness;
  let queue: Queue;
  let connection: Redis;

  beforeAll(async () => {
    harness = await NotificationHarness.start('notification-quota', { ORG_MAIL_PER_HOUR: '2' });
    connection = new Redis(harness.config.REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue('mail', { connection, prefix: harness.config.QUEUE_PREFIX });
  });

  afterAll(async () => {
    await queue?.close();
    connection?.disconnect();
    await harness?.stop();
  });

  const quota = () => harness.service.app.get(OutgoingMailQuota);
  const deferred = async () => {
    const counter = harness.service.app.get(MetricsService).registry.getSingleMetric('helpdesk_mail_deferred_total') as Counter | undefined;
    return (await counter?.get())?.values.filter((value) => value.labels.reason === 'org_quota').reduce((sum, value) => sum + value.value, 0) ?? 0;
  };
  const outsider = () => `reader-${randomBytes(3).toString('hex')}@elsewhere.example`;

  it('sends the first mails of the hour, defers the rest to the next hour instead of losing them, mails staff regardless, and tells the operators once', async () => {
    quota().now = () => TWENTY_PAST_TEN;
    const { admin, agent, agentEmail } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const before = await deferred();
    const readers = [outsider(), outsider(), outsider(), outsider()];

    const tickets = [];
    for (const requesterEmail of readers) tickets.push(await harness.ticket.send<{ id: string }>(subjects.tickets.create, { principal: admin, subject: 'Your order', description: 'Shipped', requesterEmail }));
    await waitFor('two mails deferred', async () => (await deferred()) - before === 2);
    await harness.updateTicket(admin, tickets[0]!.id, { assigneeId: agent.userId });
    await waitFor('the assignment mail to staff', async () => harness.sink.mailsTo(agentEmail).length === 1);

    const served = readers.filter((reader) => harness.sink.mailsTo(reader).length > 0);
    const waiting = readers.filter((reader) => !served.includes(reader));
    expect(served).toHaveLength(2);
    for (const reader of waiting) expect(await harness.deliveriesTo(reader)).toMatchObject([{ template: 'ticket-created', status: 'queued' }]);
    const delayed = await queue.getDelayed();
    expect(delayed).toHaveLength(2);
    for (const job of delayed) expect(job.timestamp + job.delay).toBeGreaterThanOrEqual(Date.now() + 39 * 60 * 1000);
    const notices = harness.logs().filter((line) => line.reason === 'org_mail_quota' && line.orgId === admin.orgId);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toContain('2 mails per hour');

    // The next hour comes: the quota clock moves on and the delayed jobs fall due.
    quota().now = () => TWENTY_PAST_TEN + HOUR_MS;
    for (const job of delayed) await job.promote();
    await harness.settled();

    expect(readers.every((reader) => harness.sink.mailsTo(reader).length === 1)).toBe(true);
    expect(await deferred()).toBe(before + 2);
  });
});
