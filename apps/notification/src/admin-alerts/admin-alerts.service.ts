import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService, REDIS_CLIENT } from '@helpdesk/common';
import type { AdminAlert } from '@helpdesk/contracts';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { DeliveryLog } from '../deliveries/delivery-log.js';
import { adminAlertMail } from '../mail/mail-templates.js';
import { ADMIN_ALERT_TEMPLATE, MailQueue } from '../mail/mail-queue.js';
import { deliveryKey, mailDomain, messageIdFor } from '../mail/threading.js';
import { NotificationConfig } from '../notification.config.js';
import { alertFingerprint } from './alert-fingerprint.js';

const HOUR_MS = 60 * 60 * 1_000;

export type AlertOutcome = 'queued' | 'duplicate' | 'over-hourly-cap' | 'no-recipients';

/**
 * Mails critical errors of every service to ADMIN_EMAILS. Deduplicated (the same fingerprint at most
 * once per ADMIN_ALERT_DEDUP_MINUTES) and capped (ADMIN_ALERTS_PER_HOUR) in Redis, so every replica
 * agrees; the mails go through the delivery log and the mail queue like any other, with retries.
 */
@Injectable()
export class AdminAlerts {
  private readonly logger = new Logger(AdminAlerts.name);
  private readonly outcomes: Counter<'outcome'>;
  private readonly domain: string;

  constructor(
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(DeliveryLog) private readonly log: DeliveryLog,
    @Inject(MailQueue) private readonly queue: MailQueue,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.domain = mailDomain(config.DEFAULT_FROM_EMAIL);
    this.outcomes = new Counter({ name: 'helpdesk_admin_alerts_total', help: 'Critical errors received for ADMIN_EMAILS, by what became of them', labelNames: ['outcome'], registers: [metrics.registry] });
  }

  async raise(alert: AdminAlert): Promise<AlertOutcome> {
    const outcome = await this.decide(alert);
    this.outcomes.inc({ outcome });
    return outcome;
  }

  private async decide(alert: AdminAlert): Promise<AlertOutcome> {
    const recipients = this.config.ADMIN_EMAILS;
    if (recipients.length === 0) return 'no-recipients';
    const keys = `${this.config.QUEUE_PREFIX}:admin-alerts`;
    const fingerprint = alertFingerprint(alert);
    const first = await this.redis.set(`${keys}:seen:${fingerprint}`, '1', 'PX', this.config.ADMIN_ALERT_DEDUP_MINUTES * 60_000, 'NX');
    if (first !== 'OK') return 'duplicate';
    // The hour starts with its first alert (NX): a fixed clock hour would let twice the cap through around its boundary.
    const window = `${keys}:hour`;
    const [, [, sentThisHour]] = (await this.redis.multi().set(window, '0', 'PX', HOUR_MS, 'NX').incr(window).exec()) as [unknown, [Error | null, number]];
    if (sentThisHour > this.config.ADMIN_ALERTS_PER_HOUR) {
      // Warn, never error: this line must not itself become an alert.
      if (sentThisHour === this.config.ADMIN_ALERTS_PER_HOUR + 1) this.logger.warn(`More than ${this.config.ADMIN_ALERTS_PER_HOUR} admin alerts this hour: the rest are only in the logs`);
      return 'over-hourly-cap';
    }
    const alertId = randomUUID();
    const rendered = adminAlertMail({ ...alert, dedupMinutes: this.config.ADMIN_ALERT_DEDUP_MINUTES });
    for (const to of recipients) {
      const delivery = await this.log.record({
        eventId: alertId,
        eventType: 'admin.alert',
        orgId: null,
        ticketId: null,
        template: ADMIN_ALERT_TEMPLATE,
        message: { to, ...rendered, messageId: messageIdFor(deliveryKey(alertId, to, ADMIN_ALERT_TEMPLATE), this.domain) },
      });
      await this.queue.enqueue(delivery);
    }
    return 'queued';
  }
}
