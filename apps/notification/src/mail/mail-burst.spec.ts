import { waitFor } from '@helpdesk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationHarness } from '../testing/notification-harness.js';

const BURST = 1_000;

describe('a burst of events', () => {
  let harness: NotificationHarness;

  beforeAll(async () => {
    // The burst is more than one organization's hourly quota of mails to customers (tested on its own).
    harness = await NotificationHarness.start('notification-burst', { MAIL_CONCURRENCY: '10', ORG_MAIL_PER_HOUR: '100000' });
  });

  afterAll(() => harness?.stop());

  it(`delivers every mail of ${BURST} events published at once, each exactly once`, { timeout: 120_000 }, async () => {
    const { customer, customerEmail, admin } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const ticket = await harness.openTicket(customer, 'Burst');
    await harness.settled();
    const before = harness.sink.mailsTo(customerEmail).length;

    // As if the outbox relay caught up on a backlog: distinct ticket.created events for the same ticket, each owed its own confirmation.
    await Promise.all(
      Array.from({ length: BURST }, () => harness.publishEvent({ type: 'ticket.created', orgId: admin.orgId, aggregateId: ticket.id, actor: { userId: customer.userId, role: 'customer' }, data: { ticket: { id: ticket.id } } })),
    );
    await waitFor(`${BURST} mails at the sink`, async () => harness.sink.mailsTo(customerEmail).length >= before + BURST, 100_000, 250);
    await harness.settled();

    const mails = harness.sink.mailsTo(customerEmail).slice(before);
    expect(mails).toHaveLength(BURST);
    expect(new Set(mails.map((mail) => mail.headers.get('message-id'))).size).toBe(BURST);
    const [{ sent }] = (await harness.ticket.dataSource.query(`SELECT count(*)::int AS sent FROM notification.deliveries WHERE recipient = $1 AND status = 'sent'`, [customerEmail])) as Array<{ sent: number }>;
    expect(sent).toBe(BURST + 1);
  });
});
