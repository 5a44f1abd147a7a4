import { subjects, type ReplayDeadLettersReply } from '@helpdesk/contracts';
import { waitFor } from '@helpdesk/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotificationHarness } from '../testing/notification-harness.js';

describe('mail delivery through SMTP', () => {
  let harness: NotificationHarness;

  beforeAll(async () => {
    harness = await NotificationHarness.start('notification-smtp');
  });

  afterEach(() => harness.sink.recover());

  afterAll(() => harness?.stop());

  const criticalLinesAbout = (deliveryId: string) => harness.logs().filter((line) => line.critical === true && line.deliveryId === deliveryId);
  /** The metric and the critical line follow just after the row turns dead. */
  const criticalLineAbout = (deliveryId: string) => waitFor(`the critical line about ${deliveryId}`, async () => criticalLinesAbout(deliveryId).length > 0);

  it('delivers a mail once, after retries, when the SMTP server was down and comes back', async () => {
    const { customer, customerEmail } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    harness.sink.failWith('connection', 421, 2);

    await harness.openTicket(customer);
    await harness.settled();

    expect(harness.sink.mailsTo(customerEmail)).toHaveLength(1);
    expect(await harness.deliveriesTo(customerEmail)).toMatchObject([{ status: 'sent', attempts: 3, last_error: null }]);
  });

  it('does not retry a permanent failure: the mail becomes a dead letter, and a replay after the fix delivers it', async () => {
    const { admin, customer, customerEmail } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const deadBefore = await harness.deadLetterCount();
    harness.sink.failWith('rcpt', 550);

    await harness.openTicket(customer);
    await harness.settled();

    const [dead] = await harness.deliveriesTo(customerEmail);
    expect(dead).toMatchObject({ status: 'dead', attempts: 1 });
    expect(dead!.last_error).toContain('550');
    expect(harness.sink.mailsTo(customerEmail)).toEqual([]);
    await criticalLineAbout(dead!.id);
    expect(await harness.deadLetterCount()).toBe(deadBefore + 1);
    expect(criticalLinesAbout(dead!.id)).toHaveLength(1);

    harness.sink.recover();
    const replay = await harness.notificationCommand<ReplayDeadLettersReply>(subjects.notifications.replayDeadLetters, { principal: admin, deliveryIds: [dead!.id] });
    await harness.settled();

    expect(replay.deliveryIds).toEqual([dead!.id]);
    expect(harness.sink.mailsTo(customerEmail)).toHaveLength(1);
    expect(await harness.deliveriesTo(customerEmail)).toMatchObject([{ id: dead!.id, status: 'sent', attempts: 2 }]);
  });

  it('gives up after the first try and 3 retries, then replays every dead letter of the admin organization when asked without ids', async () => {
    const { admin, customer, customerEmail } = await harness.organizationWithCustomer({ staffPreferences: { newTicket: false } });
    const deadBefore = await harness.deadLetterCount();
    harness.sink.failWith('connection', 421);

    await harness.openTicket(customer);
    await harness.settled();

    const [dead] = await harness.deliveriesTo(customerEmail);
    expect(dead).toMatchObject({ status: 'dead', attempts: 4 });
    expect(dead!.last_error).toContain('421');
    await criticalLineAbout(dead!.id);
    expect(await harness.deadLetterCount()).toBe(deadBefore + 1);
    expect(criticalLinesAbout(dead!.id)).toHaveLength(1);

    harness.sink.recover();
    const replay = await harness.notificationCommand<ReplayDeadLettersReply>(subjects.notifications.replayDeadLetters, { principal: admin });
    await harness.settled();

    expect(replay.deliveryIds).toContain(dead!.id);
    expect(harness.sink.mailsTo(customerEmail)).toHaveLength(1);
    expect(await harness.deliveriesTo(customerEmail)).toMatchObject([{ status: 'sent' }]);
  });

  it('reports ready with its database, NATS and Redis, and exports its mail metrics', async () => {
    const base = `http://127.0.0.1:${harness.config.NOTIFICATION_PORT}`;
    const ready = await fetch(`${base}/health/ready`);
    const metrics = await (await fetch(`http://127.0.0.1:${harness.service.metricsPort}/metrics`)).text();

    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, nats: { status: 'up' }, redis: { status: 'up' } } });
    expect(metrics).toMatch(/^helpdesk_mail_dead_letters_total\{[^}]*\} \d+/m);
    expect(metrics).toMatch(/^helpdesk_mail_queue_depth\{[^}]*\} 0/m);
  });

  it('refuses a replay command with malformed ids', async () => {
    const { admin } = await harness.organizationWithCustomer();
    await expect(harness.notificationCommand(subjects.notifications.replayDeadLetters, { principal: admin, deliveryIds: ['not-a-uuid'] })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('refuses a replay command without a principal, which would act on every organization', async () => {
    await expect(harness.notificationCommand(subjects.notifications.replayDeadLetters, {})).rejects.toMatchObject({ code: 'VALIDATION', details: [expect.stringMatching(/^principal/)] });
  });
});
