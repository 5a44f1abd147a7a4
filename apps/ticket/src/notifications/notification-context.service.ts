import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandError } from '@helpdesk/common';
import type {
  NotificationContextCommand,
  NotificationContextReply,
  NotificationOrganizationContextCommand,
  NotificationOrganizationContextReply,
  NotificationRecipient,
  NotificationUserContextCommand,
  NotificationUserContextReply,
  TicketStatus,
} from '@helpdesk/contracts';
import { DataSource } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { Organization } from '../organizations/organization.entity.js';
import { User } from '../users/user.entity.js';

const USERS = `${TICKET_SCHEMA}.users`;
/** A NotificationRecipient built by PostgreSQL, for the users of `person`. */
const RECIPIENT_JSON = `json_build_object('id', person.id, 'email', person.email, 'name', person.name, 'role', person.role, 'active', person.active,
  'notificationPreferences', COALESCE(person.notification_preferences, '{}'), 'bouncing', person.bouncing_since IS NOT NULL)`;

interface TicketContextRow {
  id: string;
  number: number;
  subject: string;
  status: TicketStatus;
  requester_id: string;
  assignee_id: string | null;
  team_id: string | null;
  organization_name: string;
  organization_email_verified: boolean;
  organization_satisfaction_surveys: boolean;
  people: NotificationRecipient[] | null;
  team_members: NotificationRecipient[] | null;
  admins: NotificationRecipient[] | null;
  participants: NotificationRecipient[] | null;
  followers: NotificationRecipient[] | null;
}

function toRecipient(user: User): NotificationRecipient {
  return { id: user.id, email: user.email, name: user.name, role: user.role, active: user.active, notificationPreferences: user.notificationPreferences ?? {}, bouncing: user.bouncingSince !== null };
}

/**
 * What the notification service needs to write a mail, read when the mail is planned (so a renamed
 * organization or a changed preference is honoured). Always scoped to the organization the event
 * named: a ticket or user of another organization is "not found".
 */
@Injectable()
export class NotificationContextService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One statement for the ticket, its organization and every person its mails may go to: this runs
   * for every event the notification service plans, so it is the mail path's main cost here.
   */
  async ticketContext({ orgId, ticketId, authorId, staffContacts, participants, followers }: NotificationContextCommand): Promise<NotificationContextReply> {
    const [row] = (await this.dataSource.query(
      `SELECT ticket.id, ticket.number, ticket.subject, ticket.status, ticket.requester_id, ticket.assignee_id, ticket.team_id, organization.name AS organization_name,
         organization.email_verified_at IS NOT NULL AS organization_email_verified,
         COALESCE(organization.settings->>'satisfactionSurveys', 'true') <> 'false' AS organization_satisfaction_surveys,
         (SELECT json_agg(${RECIPIENT_JSON}) FROM ${USERS} person
           WHERE person.organization_id = $1 AND person.id IN (ticket.requester_id, ticket.assignee_id, $3::uuid)) AS people,
         CASE WHEN $4 THEN
           (SELECT COALESCE(json_agg(${RECIPIENT_JSON} ORDER BY person.email), '[]') FROM ${USERS} person
             WHERE person.id IN (SELECT user_id FROM ${TICKET_SCHEMA}.team_members WHERE team_id = ticket.team_id)
               AND person.organization_id = $1 AND person.active AND person.role IN ('admin', 'agent'))
         END AS team_members,
         CASE WHEN $4 THEN
           (SELECT COALESCE(json_agg(${RECIPIENT_JSON} ORDER BY person.email), '[]') FROM ${USERS} person
             WHERE person.organization_id = $1 AND person.active AND person.role = 'admin')
         END AS admins,
         CASE WHEN $5 THEN
           (SELECT COALESCE(json_agg(${RECIPIENT_JSON} ORDER BY person.email), '[]') FROM ${USERS} person
             WHERE person.id IN (SELECT user_id FROM ${TICKET_SCHEMA}.ticket_participants WHERE ticket_id = ticket.id)
               AND person.organization_id = $1 AND person.active)
         END AS participants,
         CASE WHEN $6 THEN
           (SELECT COALESCE(json_agg(${RECIPIENT_JSON} ORDER BY person.email), '[]') FROM ${USERS} person
             WHERE person.id IN (SELECT user_id FROM ${TICKET_SCHEMA}.ticket_followers WHERE ticket_id = ticket.id)
               AND person.organization_id = $1 AND person.active AND person.role IN ('admin', 'agent'))
         END AS followers
       FROM ${TICKET_SCHEMA}.tickets ticket JOIN ${TICKET_SCHEMA}.organizations organization ON organization.id = ticket.organization_id
       WHERE ticket.id = $2 AND ticket.organization_id = $1`,
      [orgId, ticketId, authorId ?? null, staffContacts ?? false, participants ?? false, followers ?? false],
    )) as TicketContextRow[];
    if (!row) throw new CommandError('NOT_FOUND', 'Ticket not found');
    const person = (id: string | null) => (id ? row.people?.find((candidate) => candidate.id === id) : undefined);
    const requester = person(row.requester_id);
    if (!requester) throw new CommandError('NOT_FOUND', 'Requester not found');
    const assignee = person(row.assignee_id);
    const author = person(authorId ?? null);
    return {
      organization: { id: orgId, name: row.organization_name, emailVerified: row.organization_email_verified, satisfactionSurveys: row.organization_satisfaction_surveys },
      ticket: { id: row.id, number: row.number, subject: row.subject, status: row.status, requesterId: row.requester_id, assigneeId: row.assignee_id, teamId: row.team_id },
      requester,
      ...(assignee ? { assignee } : {}),
      ...(author ? { author } : {}),
      ...(staffContacts ? { teamMembers: row.team_members ?? [], admins: row.admins ?? [] } : {}),
      ...(participants ? { participants: row.participants ?? [] } : {}),
      ...(followers ? { followers: row.followers ?? [] } : {}),
    };
  }

  async organizationContext({ orgId }: NotificationOrganizationContextCommand): Promise<NotificationOrganizationContextReply> {
    const manager = this.dataSource.manager;
    const organization = await manager.findOneBy(Organization, { id: orgId });
    if (!organization) throw new CommandError('NOT_FOUND', 'Organization not found');
    const admins = await manager.find(User, { where: { organizationId: orgId, role: 'admin', active: true }, order: { email: 'ASC' } });
    return { organization: { id: organization.id, name: organization.name, emailVerified: organization.emailVerifiedAt !== null }, admins: admins.map(toRecipient) };
  }

  async userContext({ orgId, userId }: NotificationUserContextCommand): Promise<NotificationUserContextReply> {
    const manager = this.dataSource.manager;
    const user = await manager.findOneBy(User, { id: userId, organizationId: orgId });
    if (!user) throw new CommandError('NOT_FOUND', 'User not found');
    const organization = await manager.findOneByOrFail(Organization, { id: orgId });
    return { organization: { id: organization.id, name: organization.name, emailVerified: organization.emailVerifiedAt !== null }, user: toRecipient(user) };
  }
}
