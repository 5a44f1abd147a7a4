import { subjects } from '@helpdesk/contracts';
import { TestNatsServer, waitFor } from '@helpdesk/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { raiseAdminAlerts, redactSecrets } from './admin-alert.transport.js';

describe('admin alerts from critical log lines', () => {
  let nats: TestNatsServer;
  let publisher: NatsConnection;
  let listener: NatsConnection;
  const received: Array<{ pattern: string; data: Record<string, unknown> }> = [];

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    publisher = await connect({ servers: nats.url });
    listener = await connect({ servers: nats.url });
    listener.subscribe(subjects.notifications.adminAlert, { callback: (_error, message) => void received.push(message.json()) });
    await listener.flush();
  });

  afterAll(async () => {
    await listener?.close();
    await publisher?.close();
    await nats?.destroy();
  });

  it('publishes only error lines marked critical, with a few ids and no other metadata, secrets redacted', async () => {
    const logger = createLogger({ service: 'ticket', config: { NODE_ENV: 'test', LOG_LEVEL: 'info' } });
    logger.clear();
    raiseAdminAlerts(logger, publisher, { service: 'ticket', instanceId: 'abc123' });

    logger.warn('CRITICAL-looking warning', { critical: true });
    logger.error('an ordinary error');
    logger.error('CRITICAL: cannot reach redis://:pw123@cache:6379 with Authorization: Bearer eyJhbGciOi.x.y', { critical: true, context: 'MailQueue', eventId: 'e-1', apiKey: 'sk-live-1' });
    logger.error('last line, marks the end', { critical: true });
    await waitFor('two alerts', async () => received.length >= 2);

    expect(received).toHaveLength(2);
    const [alert] = received;
    expect(alert!.pattern).toBe(subjects.notifications.adminAlert);
    expect(alert!.data).toEqual({
      service: 'ticket',
      instanceId: 'abc123',
      level: 'error',
      message: 'CRITICAL: cannot reach redis://[redacted]@cache:6379 with Authorization: [redacted] [redacted]',
      context: 'MailQueue',
      eventId: 'e-1',
      occurredAt: expect.any(String),
    });
  });

  it('drops an alert silently once the connection is closed, without throwing or logging', async () => {
    const closed = await connect({ servers: nats.url });
    await closed.close();
    const logger = createLogger({ service: 'gateway', config: { NODE_ENV: 'test', LOG_LEVEL: 'info' } });
    logger.clear();
    raiseAdminAlerts(logger, closed, { service: 'gateway', instanceId: 'x' });

    expect(() => logger.error('CRITICAL: lost', { critical: true })).not.toThrow();
  });

  it('redacts credentials in URLs, bearer tokens and key=value secrets', () => {
    expect(redactSecrets('postgres://app:hunter2@db/x token=abc123&next=1 "password": "p4ss" api_key: k-1')).toBe(
      'postgres://[redacted]@db/x token=[redacted]&next=1 "password": "[redacted]" api_key: [redacted]',
    );
  });
});
