import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  NATS_INTEGRATION_SCOPES,
  PAGE_SIZE,
  type CreateNatsIntegrationCommand,
  type ListNatsIntegrationsCommand,
  type NatsIntegrationRefCommand,
  type NatsIntegrationView,
  type Page,
  type NatsUsersRevokedCommand,
  type PendingNatsUserRevocation,
  type PendingNatsUserRevocationsCommand,
  type RevokedNatsIntegration,
  type Role,
  type VerifiedNatsIntegration,
  type VerifyNatsIntegrationCommand,
} from '@helpdesk/contracts';
import { CommandError, stripToPlainText, keysetPage } from '@helpdesk/common';
import { DataSource, In, IsNull, Not } from 'typeorm';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { NatsIntegration } from './nats-integration.entity.js';

const UNKNOWN_INTEGRATION = 'The integration is unknown, revoked, or not of this organization';
const UNIQUE_VIOLATION = '23505';
/** Revoked integrations answered to the gateway at a time; it asks again until none is left. */
const PENDING_BATCH = 100;

function toView(integration: NatsIntegration): NatsIntegrationView {
  return {
    id: integration.id,
    name: integration.name,
    natsUser: integration.natsUserPublicKey,
    createdAt: integration.createdAt.toISOString(),
    createdBy: integration.createdBy,
    lastUsedAt: integration.lastUsedAt?.toISOString() ?? null,
  };
}

/**
 * NATS integrations (issue 21): admins record, list and revoke their organization's; the gateway
 * verifies one on every public command. Like an API token, an integration acts as its creator with
 * the creator's current role (a deactivated creator stops it at once), limited to fixed scopes.
 */
@Injectable()
export class NatsIntegrationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
  ) {}

  async create(command: CreateNatsIntegrationCommand): Promise<NatsIntegrationView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const name = stripToPlainText(command.name);
    if (!name) throw new CommandError('VALIDATION', 'name must contain text');
    try {
      const integration = await this.dataSource.manager.save(
        this.dataSource.manager.create(NatsIntegration, { id: command.integrationId, organizationId: caller.orgId, name, natsUserPublicKey: command.natsUser, createdBy: caller.userId }),
      );
      return toView(integration);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new CommandError('CONFLICT', 'An integration with this id or NATS user exists already');
      throw error;
    }
  }

  /** A page of the organization's integrations not revoked, newest first. */
  async list(command: ListNatsIntegrationsCommand): Promise<Page<NatsIntegrationView>> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const limit = command.limit ?? PAGE_SIZE.default;
    const query = this.dataSource.manager.createQueryBuilder(NatsIntegration, 'integration').where('integration.organizationId = :orgId AND integration.revokedAt IS NULL', { orgId: caller.orgId });
    const page = await keysetPage(query, { alias: 'integration', property: 'createdAt', column: 'created_at', valueKind: 'timestamp', direction: 'DESC' }, command.cursor, limit);
    return { items: page.items.map(toView), nextCursor: page.nextCursor };
  }

  /**
   * Marks it revoked (public commands are refused from then on) and answers its NATS user for the
   * gateway to revoke on the public server. Answers again for one already revoked, so a revocation that
   * failed on the NATS side can be completed by sending DELETE again.
   */
  async revoke(command: NatsIntegrationRefCommand): Promise<RevokedNatsIntegration> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const integration = await this.dataSource.manager.findOne(NatsIntegration, { where: { id: command.integrationId, organizationId: caller.orgId } });
    if (!integration) throw new CommandError('NOT_FOUND', 'Integration not found');
    await this.dataSource.manager.update(NatsIntegration, { id: integration.id, revokedAt: IsNull() }, { revokedAt: new Date(), revokedBy: caller.userId, revokedReason: 'revoked' });
    return { revoked: true, natsUser: integration.natsUserPublicKey };
  }

  /**
   * Revoked integrations (by DELETE, or with their creator's deactivation or demotion) whose NATS user
   * the gateway has not yet revoked on the public server, oldest revocation first.
   */
  async pendingNatsUserRevocations(command: PendingNatsUserRevocationsCommand): Promise<PendingNatsUserRevocation[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(NatsIntegration, 'integration').where('integration.revokedAt IS NOT NULL AND integration.natsUserRevokedAt IS NULL');
    if (command.organizationId) query.andWhere('integration.organizationId = :organizationId', { organizationId: command.organizationId });
    const rows = await query.orderBy('integration.revokedAt', 'ASC').addOrderBy('integration.id', 'ASC').limit(PENDING_BATCH).getMany();
    return rows.map((row) => ({ integrationId: row.id, organizationId: row.organizationId, natsUser: row.natsUserPublicKey }));
  }

  async natsUsersRevoked(command: NatsUsersRevokedCommand): Promise<{ recorded: number }> {
    const result = await this.dataSource.manager.update(NatsIntegration, { id: In(command.integrationIds), revokedAt: Not(IsNull()), natsUserRevokedAt: IsNull() }, { natsUserRevokedAt: new Date() });
    return { recorded: result.affected ?? 0 };
  }

  /**
   * Looked up for every public command (the gateway caches the answer a few seconds at most).
   * last_used_at is written at most once a minute per integration, so a busy integration costs reads only.
   */
  async verify(command: VerifyNatsIntegrationCommand): Promise<VerifiedNatsIntegration> {
    const [row] = (await this.dataSource.query(
      `SELECT integration.id, integration.name, integration.organization_id, creator.id AS user_id, creator.role
         FROM helpdesk.nats_integrations integration
         JOIN helpdesk.users creator ON creator.id = integration.created_by AND creator.organization_id = integration.organization_id AND creator.active
        WHERE integration.id = $1 AND integration.organization_id = $2 AND integration.revoked_at IS NULL`,
      [command.integrationId, command.organizationId],
    )) as Array<{ id: string; name: string; organization_id: string; user_id: string; role: Role }>;
    if (!row) throw new CommandError('UNAUTHORIZED', UNKNOWN_INTEGRATION);
    await this.dataSource.query(`UPDATE helpdesk.nats_integrations SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [row.id]);
    return {
      principal: { orgId: row.organization_id, userId: row.user_id, role: row.role, integration: { id: row.id, name: row.name } },
      integrationId: row.id,
      name: row.name,
      scopes: [...NATS_INTEGRATION_SCOPES],
    };
  }
}
