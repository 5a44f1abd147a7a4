import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandClient, CommandError, decodeCursor, encodeCursor } from '@helpdesk/common';
import {
  PAGE_SIZE,
  subjects,
  type DeadLetterDetail,
  type DeadLetterSummary,
  type ListDeadLettersCommand,
  type MeReply,
  type Page,
  type Principal,
  type ReplayDeadLettersReply,
} from '@helpdesk/contracts';
import { MailQueue } from '../mail/mail-queue.js';
import { redactMail, redactSecrets } from './dead-letter-redaction.js';
import { DeliveryLog, type DeadDeliveryRow } from './delivery-log.js';

const ADMINS_ONLY = 'Only admins may see or replay dead mail deliveries';

/** The list item; the subject and last error go through the same redaction as the detail. */
function toSummary(row: DeadDeliveryRow): DeadLetterSummary {
  return {
    id: row.id,
    template: row.template,
    recipient: row.recipient,
    subject: redactSecrets(row.message.subject).value,
    ticketId: row.ticket_id,
    attempts: row.attempts,
    lastError: row.last_error === null ? null : redactSecrets(row.last_error).value,
    failedAt: row.dead_at.toISOString(),
  };
}

function toDetail(row: DeadDeliveryRow): DeadLetterDetail {
  const mail = redactMail(row.message);
  const errors = row.errors.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString(), error: redactSecrets(entry.error) }));
  const lastError = row.last_error === null ? undefined : redactSecrets(row.last_error);
  return {
    ...toSummary(row),
    eventId: row.event_id,
    eventType: row.event_type,
    messageId: row.message.messageId,
    createdAt: row.created_at.toISOString(),
    errors: errors.map((entry) => ({ ...entry, error: entry.error.value })),
    mail: mail.value,
    redacted: mail.redacted || errors.some((entry) => entry.error.redacted) || lastError?.redacted === true,
  };
}

/**
 * Dead letters are rows with status 'dead': an organization's admins list and inspect theirs (secrets
 * redacted) and replay them, which queues each again with a fresh set of attempts.
 */
@Injectable()
export class DeadLetters {
  private readonly logger = new Logger(DeadLetters.name);

  constructor(
    @Inject(DeliveryLog) private readonly log: DeliveryLog,
    @Inject(MailQueue) private readonly queue: MailQueue,
    @Inject(CommandClient) private readonly commands: CommandClient,
  ) {}

  async list(command: ListDeadLettersCommand): Promise<Page<DeadLetterSummary>> {
    await this.requireAdmin(command.principal);
    const limit = command.limit ?? PAGE_SIZE.default;
    const cursor = command.cursor ? decodeCursor(command.cursor, 'timestamp') : undefined;
    const rows = await this.log.listDead(command.principal.orgId, limit + 1, cursor ? { deadAt: cursor.value as string, id: cursor.id } : undefined);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toSummary), nextCursor: rows.length > limit && last ? encodeCursor({ value: last.dead_at_key, id: last.id }) : null };
  }

  /** NOT_FOUND for another organization's delivery, exactly as for an unknown one, and once it is no longer dead. */
  async get(principal: Principal, deliveryId: string): Promise<DeadLetterDetail> {
    await this.requireAdmin(principal);
    const row = await this.log.findDead(principal.orgId, deliveryId);
    if (!row) throw new CommandError('NOT_FOUND', 'Dead delivery not found');
    return toDetail(row);
  }

  /** An organization's admin replays only that organization's mails. */
  async replay(principal: Principal, deliveryIds?: string[]): Promise<ReplayDeadLettersReply> {
    await this.requireAdmin(principal);
    const revived = await this.log.reviveDead(deliveryIds, principal.orgId);
    for (const delivery of revived) await this.queue.requeue(delivery);
    if (revived.length > 0) this.logger.warn({ message: `Replaying ${revived.length} dead mail(s)`, orgId: principal.orgId, userId: principal.userId });
    return { deliveryIds: revived.map((delivery) => delivery.id) };
  }

  private async requireAdmin(principal: Principal): Promise<void> {
    if (principal.role !== 'admin') throw new CommandError('FORBIDDEN', ADMINS_ONLY);
    // The token's role may be up to 15 minutes old: the account must still be an active admin now (auth.me refuses a deactivated one).
    if ((await this.commands.request<MeReply>(subjects.auth.me, { principal })).user.role !== 'admin') throw new CommandError('FORBIDDEN', ADMINS_ONLY);
  }
}
