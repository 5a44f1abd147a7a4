import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandError } from '@helpdesk/common';
import type {
  NotificationContextCommand,
  NotificationContextReply,
  NotificationRecipient,
  NotificationUserContextCommand,
  NotificationUserContextReply,
} from '@helpdesk/contracts';
import { DataSource, In, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { Organization } from '../organizations/organization.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { User } from '../users/user.entity.js';

function toRecipient(user: User): NotificationRecipient {
  return { id: user.id, email: user.email, name: user.name, role: user.role, active: user.active, notificationPreferences: user.notificationPreferences ?? {} };
}

/**
 * What the notification service needs to write a mail, read when the mail is planned (so a renamed
 * organization or a changed preference is honoured). Always scoped to the organization the event
 * named: a ticket or user of another organization is "not found".
 */
@Injectable()
export class NotificationContextService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async ticketContext({ orgId, ticketId, authorId, staffContacts }: NotificationContextCommand): Promise<NotificationContextReply> {
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
      ticket: {
        id: ticket.id,
        number: ticket.number,
        subject: ticket.subject,
        status: ticket.status,
        requesterId: ticket.requesterId,
        assigneeId: ticket.assigneeId,
        teamId: ticket.teamId,
      },
      requester: toRecipient(requester),
      ...(assignee ? { assignee: toRecipient(assignee) } : {}),
      ...(author ? { author: toRecipient(author) } : {}),
      ...(staffContacts ? await this.staffContacts(manager, orgId, ticket.teamId) : {}),
    };
  }

  async userContext({ orgId, userId }: NotificationUserContextCommand): Promise<NotificationUserContextReply> {
    const manager = this.dataSource.manager;
    const user = await manager.findOneBy(User, { id: userId, organizationId: orgId });
    if (!user) throw new CommandError('NOT_FOUND', 'User not found');
    const organization = await manager.findOneByOrFail(Organization, { id: orgId });
    return { organization: { id: organization.id, name: organization.name }, user: toRecipient(user) };
  }

  /** Active staff of the ticket's team, and the organization's active admins. */
  private async staffContacts(manager: EntityManager, orgId: string, teamId: string | null): Promise<Pick<NotificationContextReply, 'teamMembers' | 'admins'>> {
    const teamMembers = teamId
      ? await manager
          .createQueryBuilder(User, 'member')
          .where(`member.id IN (SELECT user_id FROM ${TICKET_SCHEMA}.team_members WHERE team_id = :teamId)`, { teamId })
          .andWhere('member.organization_id = :orgId AND member.active AND member.role IN (:...roles)', { orgId, roles: ['admin', 'agent'] })
          .orderBy('member.email')
          .getMany()
      : [];
    const admins = await manager.find(User, { where: { organizationId: orgId, active: true, role: 'admin' }, order: { email: 'ASC' } });
    return { teamMembers: teamMembers.map(toRecipient), admins: admins.map(toRecipient) };
  }
}
