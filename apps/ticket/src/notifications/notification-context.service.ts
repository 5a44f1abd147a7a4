import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandError } from '@helpdesk/common';
import type { NotificationContextCommand, NotificationContextReply, NotificationRecipient } from '@helpdesk/contracts';
import { DataSource, In } from 'typeorm';
import { Organization } from '../organizations/organization.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { User } from '../users/user.entity.js';

function toRecipient(user: User): NotificationRecipient {
  return { id: user.id, email: user.email, name: user.name, role: user.role, active: user.active, notificationPreferences: user.notificationPreferences ?? {} };
}

/**
 * What the notification service needs to write a ticket's mails, read when the mail is planned (so
 * a renamed organization or a changed preference is honoured). Always scoped to the organization
 * the event named: a ticket of another organization is "not found".
 */
@Injectable()
export class NotificationContextService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async ticketContext({ orgId, ticketId, authorId }: NotificationContextCommand): Promise<NotificationContextReply> {
    const manager = this.dataSource.manager;
    const ticket = await manager.findOneBy(Ticket, { id: ticketId, organizationId: orgId });
    if (!ticket) throw new CommandError('NOT_FOUND', 'Ticket not found');
    const organization = await manager.findOneByOrFail(Organization, { id: orgId });
    const userIds = [ticket.requesterId, ...(ticket.assigneeId ? [ticket.assigneeId] : []), ...(authorId ? [authorId] : [])];
    const users = await manager.findBy(User, { id: In(userIds), organizationId: orgId });
    const requester = users.find((user) => user.id === ticket.requesterId);
    if (!requester) throw new CommandError('NOT_FOUND', 'Requester not found');
    const assignee = ticket.assigneeId ? users.find((user) => user.id === ticket.assigneeId) : undefined;
    const author = authorId ? users.find((user) => user.id === authorId) : undefined;
    return {
      organization: { id: organization.id, name: organization.name },
      ticket: { id: ticket.id, number: ticket.number, subject: ticket.subject, status: ticket.status, requesterId: ticket.requesterId, assigneeId: ticket.assigneeId },
      requester: toRecipient(requester),
      ...(assignee ? { assignee: toRecipient(assignee) } : {}),
      ...(author ? { author: toRecipient(author) } : {}),
    };
  }
}
