import { MetricsService } from '@helpdesk/common';
import { waitFor } from '@helpdesk/testing';
import type { Counter } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotificationHarness } from '../testing/notification-harness.js';

const OPS = 'ops@example.com';
const ONCALL = 'oncall@example.com';

describe('critical errors mailed to ADMIN_EMAILS', () => {
  let harness: NotificationHarness;

  beforeAll(async () => {
    harness = await NotificationHarness.start('notification-alerts', { ADMIN_EMAILS: `${OPS}, ${ONCALL}`, ADMIN_ALERTS_PER_HOUR: '3', ADMIN_ALERT_DEDUP_MINUTES: '15' });
  });

  afterEach(() => harness.sink.recover());

  afterAll(() => harness?.stop());

  /** How many alerts the notification service has received, by outcome. */
  async function outcomes(): Promise<Record<string, number>> {
    const counter = harness.service.app.get(MetricsService).registry.getSingleMetric('helpdesk_admin_alerts_total') as Counter;
    const entries = (await counter.get()).values.map((value) => [String(value.labels.outcome), value.value] as const);
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  }

  async function received(expected: Record<string, number>): Promise<void> {
    const wanted = JSON.stringify(Object.fromEntries(Object.entries(expected).sort(([a], [b]) => a.localeCompare(b))));
    await waitFor(`admin alert outcomes ${wanted}`, async () => JSON.stringify(await outcomes()) === wanted);
    await harness.settled();
  }

  it("mails another service's critical error once to every address, without the secrets it quoted, and ignores plain errors", async () => {
    const ticketLogger = harness.ticket.service.logger;
    ticketLogger.error('CRITICAL: outbox relay stuck for 31 s on postgres://helpdesk:s3cret-pw@db:5432/helpdesk, password=hunter2', { critical: true, context: 'OutboxRelay' });
    ticketLogger.error('Plain error, not critical: token=abc', { context: 'OutboxRelay' });
    ticketLogger.error('CRITICAL: outbox relay stuck for 32 s on postgres://helpdesk:s3cret-pw@db:5432/helpdesk, password=hunter2', { critical: true, context: 'OutboxRelay' });
    await received({ queued: 1, duplicate: 1 });

    for (const address of [OPS, ONCALL]) {
      const [mail, ...others] = harness.sink.mailsTo(address);
      expect(others).toEqual([]);
      expect(mail!.subject).toBe('[helpdesk] Critical error in ticket: CRITICAL: outbox relay stuck for 31 s on postgres://[redacted]@db:5432/helpdesk, password=[redacted]');
      expect(mail!.text).toContain('ticket (instance ');
      expect(mail!.text).toContain('OutboxRelay');
      expect(`${mail!.text}${mail!.html}`).not.toMatch(/s3cret|hunter2/);
    }
  });

  it('does not raise an alert about an alert mail that could not be sent', async () => {
    harness.sink.failWith('rcpt', 550);
    harness.service.logger.error('CRITICAL: mail queue lost its Redis connection', { critical: true, context: 'MailQueue' });
    await received({ queued: 2, duplicate: 1 });

    const dead = (await Promise.all([OPS, ONCALL].map((address) => harness.deliveriesTo(address)))).flat().filter((row) => row.status === 'dead');
    expect(dead).toHaveLength(2);
    // The line is written just after the row turns dead.
    const deadLetterLines = await waitFor('both dead-letter log lines', async () => {
      const lines = harness.logs().filter((line) => dead.some((row) => row.id === line.deliveryId));
      return lines.length === 2 && lines;
    });
    expect(deadLetterLines.every((line) => line.critical === false)).toBe(true);
    expect(await outcomes()).toEqual({ queued: 2, duplicate: 1 });
  });

  it('mails no more than ADMIN_ALERTS_PER_HOUR alerts in an hour', async () => {
    for (const problem of ['disk full', 'certificate expired', 'replica lag']) harness.service.logger.error(`CRITICAL: ${problem}`, { critical: true });
    await received({ queued: 3, duplicate: 1, 'over-hourly-cap': 2 });

    const subjects = harness.sink.mailsTo(OPS).map((mail) => mail.subject);
    expect(subjects.filter((subject) => subject.includes('disk full'))).toHaveLength(1);
    expect(subjects.filter((subject) => /certificate expired|replica lag/.test(subject))).toEqual([]);
  });
});
