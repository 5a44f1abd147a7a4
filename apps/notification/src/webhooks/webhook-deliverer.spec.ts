import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@helpdesk/testing';
import { subjects, type Principal, type WebhookView } from '@helpdesk/contracts';
import { guardLoopbackOnly, type ConnectGuard } from '../testing/loopback-connect-guard.js';
import { NotificationHarness } from '../testing/notification-harness.js';
import { Receiver } from '../testing/webhook-receiver.js';

/**
 * The deliverer is woken by the deliveries written on its replica, not by its poll: the poll here
 * is the longest allowed (a minute, longer than any wait below), so every delivery these tests see
 * was sent because a wake-up reached the deliverer, including one that came while it was busy claiming.
 */
const SETTINGS = {
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_POLL_MS: '60000',
};

describe('webhook deliverer wake-ups', () => {
  let harness: NotificationHarness;
  let guard: ConnectGuard;
  let admin: Principal;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    guard = guardLoopbackOnly();
    harness = await NotificationHarness.start('webhook-deliverer', SETTINGS);
    ({ admin } = await harness.ticket.signup('Wake Up Desk'));
  }, 90_000);

  afterAll(async () => {
    for (const receiver of receivers) await receiver.close();
    await harness?.stop();
    guard?.restore();
    expect(guard?.takeViolations() ?? []).toEqual([]);
  });

  async function webhookTo(options: { orderedPerTicket?: boolean } = {}): Promise<{ webhook: WebhookView; receiver: Receiver }> {
    const receiver = await Receiver.start();
    receivers.push(receiver);
    const webhook = await harness.notificationCommand<WebhookView>(subjects.webhooks.create, {
      principal: admin,
      url: receiver.url,
      events: ['ticket.updated'],
      secret: `whsec-${randomBytes(12).toString('hex')}`,
      ...options,
    });
    return { webhook, receiver };
  }
  const ticketUpdated = (ticketId: string, sequence = 0) => harness.publishEvent({ type: 'ticket.updated', orgId: admin.orgId, aggregateId: ticketId, actor: { system: 'test' }, data: { sequence } });
  const deliveryStates = (webhookId: string) =>
    harness.ticket.dataSource.query(`SELECT status, attempts, count(*)::int AS count FROM notification.webhook_deliveries WHERE webhook_id = $1 GROUP BY status, attempts`, [webhookId]) as Promise<
      Array<{ status: string; attempts: number; count: number }>
    >;
  /** The outcomes once written: the receiver has a request a moment before its success is recorded (successes are written in batches). */
  const settledStates = async (webhookId: string) => {
    await waitFor('every delivery\'s outcome to be recorded', async () => (await deliveryStates(webhookId)).every((state) => state.status !== 'pending'));
    return deliveryStates(webhookId);
  };

  it('sends every delivery of each burst of events, including those written while it was claiming, without waiting for its poll', async () => {
    const { webhook, receiver } = await webhookTo();
    const bursts = 5;
    const perBurst = 40;

    // Written up to 64 at a time by the webhook consumer: many land while the deliverer claims the first ones,
    // and each burst's last ones are announced by nothing but their own wake-up.
    const published = [];
    for (let burst = 1; burst <= bursts; burst++) {
      published.push(...(await Promise.all(Array.from({ length: perBurst }, () => ticketUpdated(randomUUID())))));
      await waitFor(`the ${burst * perBurst} deliveries of ${burst} burst(s)`, async () => receiver.requests.length >= burst * perBurst);
    }

    expect(new Set(receiver.events().map((event) => event.id))).toEqual(new Set(published.map((event) => event.id)));
    expect(await settledStates(webhook.id)).toEqual([{ status: 'succeeded', attempts: 1, count: bursts * perBurst }]);
  });

  it('sends the deliveries of each ticket in event order, each as soon as the previous one ended, when orderedPerTicket is set', async () => {
    const { webhook, receiver } = await webhookTo({ orderedPerTicket: true });
    const tickets = [randomUUID(), randomUUID(), randomUUID()];
    const sequences = [1, 2, 3, 4, 5, 6];

    // The tickets' events interleaved: one ticket's next delivery is announced only by the end of its previous one.
    for (const sequence of sequences) await Promise.all(tickets.map((ticketId) => ticketUpdated(ticketId, sequence)));

    await waitFor(`${tickets.length * sequences.length} ordered deliveries`, async () => receiver.requests.length >= tickets.length * sequences.length);
    for (const ticketId of tickets) {
      expect(receiver.events().filter((event) => event.aggregateId === ticketId).map((event) => (event.data as { sequence: number }).sequence)).toEqual(sequences);
    }
    expect(await settledStates(webhook.id)).toEqual([{ status: 'succeeded', attempts: 1, count: tickets.length * sequences.length }]);
  });
});
