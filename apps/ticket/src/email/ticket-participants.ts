import { normalizeEmail, stripToPlainText } from '@helpdesk/common';
import { MAILBOX_LIMITS, type EmailSenderDto } from '@helpdesk/contracts';
import type { EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';

const USERS = `${TICKET_SCHEMA}.users`;
const PARTICIPANTS = `${TICKET_SCHEMA}.ticket_participants`;

/**
 * Makes the Cc addresses of a mail participants of its ticket (DESIGN section 13): the
 * organization's customers with those addresses, created without a password when unknown. Staff
 * are left out (they see every ticket, and their mail acts only through a reply token), as are
 * deactivated accounts and the requester; a ticket keeps at most MAILBOX_LIMITS.ticketParticipants.
 * Idempotent: the same mail delivered again adds nobody twice.
 */
export async function addParticipants(manager: EntityManager, organizationId: string, ticketId: string, cc: EmailSenderDto[] | undefined): Promise<void> {
  const people = new Map<string, string>();
  for (const { email, name } of (cc ?? []).slice(0, MAILBOX_LIMITS.ccParticipants)) {
    const address = normalizeEmail(email);
    // One row per address: an upsert may not touch the same row twice in one statement.
    if (!people.has(address)) people.set(address, stripToPlainText(name ?? '') || address.split('@')[0]!);
  }
  if (people.size === 0) return;
  const users = (await manager.query(
    `INSERT INTO ${USERS} (organization_id, email, name, role)
     SELECT $1, person.email, person.name, 'customer' FROM unnest($2::text[], $3::text[]) AS person(email, name)
     ON CONFLICT (organization_id, lower(email)) DO UPDATE SET email = ${USERS}.email
     RETURNING id, role, active`,
    [organizationId, [...people.keys()], [...people.values()]],
  )) as Array<{ id: string; role: string; active: boolean }>;
  const customers = users.filter((user) => user.role === 'customer' && user.active).map((user) => user.id);
  if (customers.length === 0) return;
  await manager.query(
    `INSERT INTO ${PARTICIPANTS} (ticket_id, user_id, organization_id)
     SELECT ticket.id, candidate.id, ticket.organization_id
       FROM ${TICKET_SCHEMA}.tickets ticket, unnest($3::uuid[]) WITH ORDINALITY AS candidate(id, position)
      WHERE ticket.id = $1 AND ticket.organization_id = $2 AND candidate.id <> ticket.requester_id
        AND NOT EXISTS (SELECT 1 FROM ${PARTICIPANTS} present WHERE present.ticket_id = ticket.id AND present.user_id = candidate.id)
      ORDER BY candidate.position
      LIMIT GREATEST(0, $4 - (SELECT count(*) FROM ${PARTICIPANTS} WHERE ticket_id = $1))
     ON CONFLICT DO NOTHING`,
    [ticketId, organizationId, customers, MAILBOX_LIMITS.ticketParticipants],
  );
}
