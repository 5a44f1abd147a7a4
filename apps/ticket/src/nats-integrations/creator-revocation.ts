import type { NatsIntegrationRevokedReason } from '@helpdesk/contracts';
import type { EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';

/**
 * Revokes, in the caller's transaction, every live integration a user made, because that user lost
 * the admin rights the integration was made with (deactivated or demoted). Its NATS user stays
 * pending (nats_user_revoked_at empty) until the gateway revokes it on the public server: it does on
 * the user.deactivated or user.role_changed event recorded in the same transaction, and at start.
 */
export async function revokeIntegrationsOfCreator(
  manager: EntityManager,
  change: { organizationId: string; creatorId: string; revokedBy: string; reason: Exclude<NatsIntegrationRevokedReason, 'revoked'> },
): Promise<number> {
  const [, affected] = (await manager.query(
    `UPDATE ${TICKET_SCHEMA}.nats_integrations SET revoked_at = now(), revoked_by = $3, revoked_reason = $4
      WHERE organization_id = $1 AND created_by = $2 AND revoked_at IS NULL`,
    [change.organizationId, change.creatorId, change.revokedBy, change.reason],
  )) as [unknown, number];
  return affected;
}
