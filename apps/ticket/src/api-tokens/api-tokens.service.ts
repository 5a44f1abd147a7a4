import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  API_TOKEN_PATTERN,
  API_TOKEN_PREFIX,
  PAGE_SIZE,
  type ApiTokenRefCommand,
  type ApiTokenScope,
  type ApiTokenView,
  type CreateApiTokenCommand,
  type CreatedApiTokenView,
  type ListApiTokensCommand,
  type Page,
  type Role,
  type VerifiedApiToken,
  type VerifyApiTokenCommand,
} from '@helpdesk/contracts';
import { CommandError, stripToPlainText, keysetPage } from '@helpdesk/common';
import { randomBytes } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { hashToken } from '../auth/opaque-token.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { ApiToken } from './api-token.entity.js';

const SECRET_BYTES = 32;
/** `hdp_` and six characters of the secret: enough to tell tokens apart in a list, 36 of 256 bits. */
const DISPLAY_PREFIX_LENGTH = API_TOKEN_PREFIX.length + 6;
const INVALID_TOKEN = 'The API token is invalid, revoked or expired';

function toApiTokenView(token: ApiToken): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    prefix: token.prefix,
    createdAt: token.createdAt.toISOString(),
    createdBy: token.createdBy,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}

/**
 * API tokens (DESIGN section 16): admins create, list and revoke their organization's; the gateway
 * verifies one on every request that carries it. A token acts as its creator, with the creator's
 * current role, so deactivating the creator stops their tokens at once.
 */
@Injectable()
export class ApiTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
  ) {}

  async create(command: CreateApiTokenCommand): Promise<CreatedApiTokenView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const name = stripToPlainText(command.name);
    if (!name) throw new CommandError('VALIDATION', 'name must contain text');
    const expiresAt = command.expiresAt ? new Date(command.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new CommandError('VALIDATION', 'expiresAt must be in the future');
    const secret = `${API_TOKEN_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
    const token = await this.dataSource.manager.save(
      this.dataSource.manager.create(ApiToken, {
        organizationId: caller.orgId,
        name,
        scopes: [...new Set(command.scopes)],
        tokenHash: hashToken(secret),
        prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
        createdBy: caller.userId,
        expiresAt,
      }),
    );
    return { id: token.id, name: token.name, scopes: token.scopes, expiresAt: token.expiresAt?.toISOString() ?? null, token: secret };
  }

  /** A page of the organization's tokens that are not revoked, newest first; expired ones stay listed until revoked. */
  async list(command: ListApiTokensCommand): Promise<Page<ApiTokenView>> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const limit = command.limit ?? PAGE_SIZE.default;
    const query = this.dataSource.manager.createQueryBuilder(ApiToken, 'token').where('token.organizationId = :orgId AND token.revokedAt IS NULL', { orgId: caller.orgId });
    const page = await keysetPage(query, { alias: 'token', property: 'createdAt', column: 'created_at', valueKind: 'timestamp', direction: 'DESC' }, command.cursor, limit);
    return { items: page.items.map(toApiTokenView), nextCursor: page.nextCursor };
  }

  async revoke(command: ApiTokenRefCommand): Promise<{ revoked: true }> {
    const caller = await this.principals.verifyAdmin(command.principal);
    const result = await this.dataSource.manager.update(ApiToken, { id: command.tokenId, organizationId: caller.orgId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new CommandError('NOT_FOUND', 'API token not found');
    return { revoked: true };
  }

  /**
   * Looked up on every API request carrying a token, so no cache can keep a revoked one alive.
   * last_used_at is written at most once a minute per token, so a busy script costs reads only.
   */
  async verify(command: VerifyApiTokenCommand): Promise<VerifiedApiToken> {
    if (!API_TOKEN_PATTERN.test(command.token)) throw new CommandError('UNAUTHORIZED', INVALID_TOKEN);
    const [row] = (await this.dataSource.query(
      `SELECT token.id, token.name, token.scopes, token.organization_id, creator.id AS user_id, creator.role
         FROM helpdesk.api_tokens token
         JOIN helpdesk.users creator ON creator.id = token.created_by AND creator.organization_id = token.organization_id AND creator.active
        WHERE token.token_hash = $1 AND token.revoked_at IS NULL AND (token.expires_at IS NULL OR token.expires_at > now())`,
      [hashToken(command.token)],
    )) as Array<{ id: string; name: string; scopes: ApiTokenScope[]; organization_id: string; user_id: string; role: Role }>;
    if (!row) throw new CommandError('UNAUTHORIZED', INVALID_TOKEN);
    await this.dataSource.query(`UPDATE helpdesk.api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [row.id]);
    return { principal: { orgId: row.organization_id, userId: row.user_id, role: row.role }, tokenId: row.id, name: row.name, scopes: row.scopes };
  }
}
