import { CommandError, normalizeEmail, preparedQuery, stripToPlainText } from '@helpdesk/common';
import type { Role } from '@helpdesk/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';

/**
 * The requester for a ticket staff open on someone's behalf: the organization's user with that
 * email, or a new customer without a password (they can set one through a reset link later).
 */
export async function findOrCreateRequester(manager: EntityManager, organizationId: string, email: string, name?: string): Promise<string> {
  const normalized = normalizeEmail(email);
  const displayName = stripToPlainText(name ?? '') || normalized.split('@')[0]!;
  const rows = (await manager.query(
    `INSERT INTO ${TICKET_SCHEMA}.users (organization_id, email, name, role)
     VALUES ($1, $2, $3, 'customer')
     ON CONFLICT (organization_id, lower(email)) DO UPDATE SET email = ${TICKET_SCHEMA}.users.email
     RETURNING id, active`,
    [organizationId, normalized, displayName],
  )) as Array<{ id: string; active: boolean }>;
  const requester = rows[0]!;
  if (!requester.active) throw new CommandError('VALIDATION', 'requesterEmail belongs to a deactivated account');
  return requester.id;
}

/** The sender of a mail as the ticket service knows them: who they act as, and whether their address is marked bouncing. */
export interface MailSender {
  id: string;
  role: Role;
  bouncing: boolean;
}

/**
 * The organization's user with the mail's sender address, or a new customer without a password, in
 * one statement (a mail is one round trip here, not three): NOT_FOUND when the organization does not
 * exist, VALIDATION when the account is deactivated. A named prepared statement: it runs for every mail.
 */
export async function findOrCreateMailSender(dataSource: DataSource, organizationId: string, email: string, name?: string): Promise<MailSender> {
  const normalized = normalizeEmail(email);
  const displayName = stripToPlainText(name ?? '') || normalized.split('@')[0]!;
  const rows = await preparedQuery<{ id: string; role: Role; active: boolean; bouncing: boolean }>(
    dataSource,
    'email-channel-sender',
    `WITH organization AS (SELECT id FROM ${TICKET_SCHEMA}.organizations WHERE id = $1),
     sender AS (
       INSERT INTO ${TICKET_SCHEMA}.users (organization_id, email, name, role)
       SELECT organization.id, $2, $3, 'customer' FROM organization
       ON CONFLICT (organization_id, lower(email)) DO UPDATE SET email = ${TICKET_SCHEMA}.users.email
       RETURNING id, role, active, bouncing_since IS NOT NULL AS bouncing
     )
     SELECT sender.* FROM organization, sender`,
    [organizationId, normalized, displayName],
  );
  const sender = rows[0];
  if (!sender) throw new CommandError('NOT_FOUND', 'Organization not found');
  if (!sender.active) throw new CommandError('VALIDATION', 'requesterEmail belongs to a deactivated account');
  return { id: sender.id, role: sender.role, bouncing: sender.bouncing };
}
