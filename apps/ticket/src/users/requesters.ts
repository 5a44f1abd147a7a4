import { CommandError, normalizeEmail, stripToPlainText } from '@helpdesk/common';
import type { EntityManager } from 'typeorm';
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
