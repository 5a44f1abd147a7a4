import { loadConfig, postgresOptions, runMigrations } from '@helpdesk/common';
import { createTestDatabase } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationMigrations } from '../database/migrations/index.js';
import { NOTIFICATION_SCHEMA } from '../database/schema.js';
import { NotificationConfig } from '../notification.config.js';
import { DeliveryLog, type NewDelivery } from './delivery-log.js';

const planned = (eventId: string, to: string): NewDelivery => ({
  eventId,
  eventType: 'ticket.created',
  orgId: randomUUID(),
  ticketId: randomUUID(),
  template: 'ticket-created',
  message: { to, subject: 'We received your request', text: 'Thanks', html: '<p>Thanks</p>', messageId: `<${eventId}.${to}@helpdesk.test>` },
});

describe('the delivery log under concurrent events and jobs', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let log: DeliveryLog;

  beforeAll(async () => {
    database = await createTestDatabase('delivery_log');
    const config = loadConfig(NotificationConfig, { DB_NAME: database.name });
    await runMigrations({ config, schema: NOTIFICATION_SCHEMA, migrations: notificationMigrations, direction: 'up' });
    dataSource = await new DataSource(postgresOptions(config, NOTIFICATION_SCHEMA, 'delivery-log-spec')).initialize();
    log = new DeliveryLog(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('records new mails and answers a mail recorded before with its first row, when both arrive together', async () => {
    const eventId = randomUUID();
    const first = await log.record(planned(eventId, 'first@example.com'));

    const [again, second, third] = await Promise.all([
      log.record(planned(eventId, 'first@example.com')),
      log.record(planned(eventId, 'second@example.com')),
      log.record(planned(randomUUID(), 'third@example.com')),
    ]);

    expect(again).toMatchObject({ id: first.id, recipient: 'first@example.com', status: 'queued' });
    expect(second).toMatchObject({ recipient: 'second@example.com', status: 'queued', attempts: 0 });
    expect(third.message.to).toBe('third@example.com');
    const [{ rows }] = (await dataSource.query(`SELECT count(*)::int AS rows FROM notification.deliveries WHERE event_id = $1`, [eventId])) as Array<{ rows: number }>;
    expect(rows).toBe(2);
  });

  it('refuses a malformed mail alone, recording the ones that arrived with it', async () => {
    const outcomes = await Promise.allSettled([
      log.record(planned(randomUUID(), 'fine@example.com')),
      log.record(planned('not-a-uuid', 'broken@example.com')),
      log.record(planned(randomUUID(), 'also-fine@example.com')),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const recipients = (await dataSource.query(`SELECT recipient FROM notification.deliveries WHERE recipient IN ('fine@example.com', 'broken@example.com', 'also-fine@example.com') ORDER BY recipient`)) as Array<{ recipient: string }>;
    expect(recipients.map((row) => row.recipient)).toEqual(['also-fine@example.com', 'fine@example.com']);
  });

  it('claims each concurrent job its own delivery, and never one already sent', async () => {
    const [sent, pending] = await Promise.all([log.record(planned(randomUUID(), 'sent@example.com')), log.record(planned(randomUUID(), 'pending@example.com'))]);

    const claims = await Promise.all([log.claim(sent.id), log.claim(pending.id)]);
    await log.markSent(sent.id);
    const [claimedAfterSending, claimedAgain] = await Promise.all([log.claim(sent.id), log.claim(pending.id)]);

    expect(claims.map((claim) => [claim?.id, claim?.attempts])).toEqual([
      [sent.id, 1],
      [pending.id, 1],
    ]);
    expect(claimedAfterSending).toBeUndefined();
    expect(claimedAgain).toMatchObject({ id: pending.id, attempts: 2, status: 'queued' });
  });
});
