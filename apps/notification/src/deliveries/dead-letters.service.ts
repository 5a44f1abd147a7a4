import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ReplayDeadLettersReply } from '@helpdesk/contracts';
import { MailQueue } from '../mail/mail-queue.js';
import { DeliveryLog } from './delivery-log.js';

/** Dead letters are rows with status 'dead'; replaying one queues it again with a fresh set of attempts. */
@Injectable()
export class DeadLetters {
  private readonly logger = new Logger(DeadLetters.name);

  constructor(
    @Inject(DeliveryLog) private readonly log: DeliveryLog,
    @Inject(MailQueue) private readonly queue: MailQueue,
  ) {}

  async replay(deliveryIds?: string[]): Promise<ReplayDeadLettersReply> {
    const revived = await this.log.reviveDead(deliveryIds);
    for (const delivery of revived) await this.queue.requeue(delivery);
    if (revived.length > 0) this.logger.warn(`Replaying ${revived.length} dead mail(s)`);
    return { deliveryIds: revived.map((delivery) => delivery.id) };
  }
}
