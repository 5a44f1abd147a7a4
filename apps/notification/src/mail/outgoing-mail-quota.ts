import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService, REDIS_CLIENT } from '@helpdesk/common';
import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import { NotificationConfig } from '../notification.config.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * ORG_MAIL_PER_HOUR: how many mails each organization may send per clock hour to addresses outside
 * its staff, counted in Redis (increment, then compare: shared by every replica, and a burst of
 * parallel sends is limited like one in series). A mail over the quota is not lost: the caller defers
 * it to the start of the next hour.
 */
@Injectable()
export class OutgoingMailQuota {
  private readonly logger = new Logger(OutgoingMailQuota.name);
  private readonly deferred: Counter<'reason'>;
  /** The quota's clock; tests move it to the next hour instead of waiting for it. */
  now: () => number = () => Date.now();

  constructor(
    @Inject(NotificationConfig) private readonly config: NotificationConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.deferred = new Counter({ name: 'helpdesk_mail_deferred_total', help: 'Mails held back for later, by reason', labelNames: ['reason'], registers: [metrics.registry] });
  }

  /**
   * Counts one mail of this organization in the current hour. Answers undefined when it may be sent,
   * or how many milliseconds remain until the next hour, when the quota is spent.
   */
  async take(orgId: string): Promise<number | undefined> {
    const now = this.now();
    const hour = Math.floor(now / HOUR_MS);
    const key = `${this.config.QUEUE_PREFIX}:mail-quota:${orgId}:${hour}`;
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, 2 * HOUR_MS).exec()) as [[Error | null, number], unknown];
    if (count <= this.config.ORG_MAIL_PER_HOUR) return undefined;
    this.deferred.inc({ reason: 'org_quota' });
    // One notice per organization and hour, however many mails wait.
    if ((await this.redis.set(`${key}:notice`, '1', 'PX', 2 * HOUR_MS, 'NX')) === 'OK') {
      this.logger.warn({
        message: `Organization ${orgId} reached its quota of ${this.config.ORG_MAIL_PER_HOUR} mails per hour to non-staff addresses; further mails wait for the next hour`,
        reason: 'org_mail_quota',
        orgId,
      });
    }
    return (hour + 1) * HOUR_MS - now;
  }
}
