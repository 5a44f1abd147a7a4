import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandClient, CommandError } from '@helpdesk/common';
import { subjects, type MeReply, type Principal, type ReplayDeadLettersReply } from '@helpdesk/contracts';
import { MailQueue } from '../mail/mail-queue.js';
import { DeliveryLog } from './delivery-log.js';

/** Dead letters are rows with status 'dead'; replaying one queues it again with a fresh set of attempts. */
@Injectable()
export class DeadLetters {
  private readonly logger = new Logger(DeadLetters.name);

  constructor(
    @Inject(DeliveryLog) private readonly log: DeliveryLog,
    @Inject(MailQueue) private readonly queue: MailQueue,
    @Inject(CommandClient) private readonly commands: CommandClient,
  ) {}

  /** An organization's admin replays only that organization's mails. */
  async replay(principal: Principal, deliveryIds?: string[]): Promise<ReplayDeadLettersReply> {
    if (principal.role !== 'admin') throw new CommandError('FORBIDDEN', 'Only admins may replay dead mail deliveries');
    // The token's role may be up to 15 minutes old: the account must still be an active admin now (auth.me refuses a deactivated one).
    if ((await this.commands.request<MeReply>(subjects.auth.me, { principal })).user.role !== 'admin') {
      throw new CommandError('FORBIDDEN', 'Only admins may replay dead mail deliveries');
    }
    const revived = await this.log.reviveDead(deliveryIds, principal.orgId);
    for (const delivery of revived) await this.queue.requeue(delivery);
    if (revived.length > 0) this.logger.warn({ message: `Replaying ${revived.length} dead mail(s)`, orgId: principal.orgId, userId: principal.userId });
    return { deliveryIds: revived.map((delivery) => delivery.id) };
  }
}
