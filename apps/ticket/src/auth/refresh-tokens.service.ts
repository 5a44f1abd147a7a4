import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IssuedRefreshToken, IssueRefreshTokenCommand, RefreshTokenCommand, RevokeRefreshTokenReply, RotatedRefreshToken } from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { updateReturning } from '../database/update-returning.js';
import { toUserView } from '../organizations/organizations.service.js';
import { User } from '../users/user.entity.js';
import { hashToken, newOpaqueToken } from './opaque-token.js';

/** How long a refresh token lives; each rotation hands out a new one for as long again. */
export const REFRESH_TOKEN_LIFETIME_DAYS = 30;

export const INVALID_REFRESH_TOKEN = 'The refresh token is invalid or has expired';

const LOCK_NOT_AVAILABLE = '55P03';

interface StoredRefreshToken {
  id: string;
  user_id: string;
  family_id: string;
  rotated: boolean;
  revoked: boolean;
  expired: boolean;
}

interface Rotation {
  rotated?: RotatedRefreshToken;
  reuse?: { familyId: string; userId: string };
}

function isLockNotAvailable(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === LOCK_NOT_AVAILABLE;
}

/**
 * Opaque refresh tokens, stored as SHA-256 only. A family is one login session: every token rotated
 * from the first shares its family id, so one revocation ends the whole session.
 */
@Injectable()
export class RefreshTokensService {
  private readonly logger = new Logger(RefreshTokensService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Starts a session for a user the gateway has just authenticated. */
  async issue(command: IssueRefreshTokenCommand): Promise<IssuedRefreshToken> {
    const manager = this.dataSource.manager;
    const { userId, orgId, role } = command.principal;
    const user = await manager.findOne(User, { where: { id: userId, organizationId: orgId, role, active: true } });
    if (!user) throw new CommandError('UNAUTHORIZED', 'The account is unknown or deactivated');
    return this.insert(manager, user.id, randomUUID());
  }

  /**
   * Exchanges a live token for a new one of the same session. A token presented again after it was
   * rotated means two parties hold it: the whole session is revoked, ending it for both.
   */
  async rotate(command: RefreshTokenCommand): Promise<RotatedRefreshToken> {
    const rotation = await this.dataSource.transaction((manager) => this.rotateLocked(manager, hashToken(command.refreshToken))).catch((error: unknown) => {
      // Locked by a rotation still in flight (say, two tabs refreshing at once): not a replay, so the session lives on.
      if (isLockNotAvailable(error)) throw new CommandError('CONFLICT', 'This refresh token is being exchanged by another request');
      throw error;
    });
    if (rotation.reuse) this.logger.warn(`Refresh token reuse: revoked session ${rotation.reuse.familyId} of user ${rotation.reuse.userId}`);
    if (!rotation.rotated) throw new CommandError('UNAUTHORIZED', INVALID_REFRESH_TOKEN);
    return rotation.rotated;
  }

  /** Logout: ends the token's whole session. Idempotent; an unknown or already ended one answers `revoked: false`. */
  async revoke(command: RefreshTokenCommand): Promise<RevokeRefreshTokenReply> {
    return this.dataSource.transaction(async (manager) => {
      const [token] = (await manager.query(`SELECT family_id FROM ${TICKET_SCHEMA}.refresh_tokens WHERE token_hash = $1`, [hashToken(command.refreshToken)])) as Array<{ family_id: string }>;
      return { revoked: token ? (await this.revokeWhere(manager, 'family_id', token.family_id)) > 0 : false };
    });
  }

  /** Ends every session of the user (a password reset), inside the caller's transaction. */
  revokeAllOf(manager: EntityManager, userId: string): Promise<number> {
    return this.revokeWhere(manager, 'user_id', userId);
  }

  private async rotateLocked(manager: EntityManager, tokenHash: string): Promise<Rotation> {
    const [current] = (await manager.query(
      `SELECT id, user_id, family_id, rotated_at IS NOT NULL AS rotated, revoked_at IS NOT NULL AS revoked, expires_at <= now() AS expired
       FROM ${TICKET_SCHEMA}.refresh_tokens WHERE token_hash = $1 FOR UPDATE NOWAIT`,
      [tokenHash],
    )) as StoredRefreshToken[];
    if (!current || current.revoked) return {};
    if (current.rotated) {
      await this.revokeWhere(manager, 'family_id', current.family_id);
      return { reuse: { familyId: current.family_id, userId: current.user_id } };
    }
    if (current.expired) return {};
    const user = await manager.findOne(User, { where: { id: current.user_id, active: true } });
    if (!user) return {};
    await manager.query(`UPDATE ${TICKET_SCHEMA}.refresh_tokens SET rotated_at = now() WHERE id = $1`, [current.id]);
    return { rotated: { ...(await this.insert(manager, user.id, current.family_id)), user: toUserView(user) } };
  }

  private async insert(manager: EntityManager, userId: string, familyId: string): Promise<IssuedRefreshToken> {
    const { token, hash } = newOpaqueToken();
    const [row] = (await manager.query(
      `INSERT INTO ${TICKET_SCHEMA}.refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 day') RETURNING expires_at`,
      [userId, familyId, hash, REFRESH_TOKEN_LIFETIME_DAYS],
    )) as Array<{ expires_at: Date }>;
    return { refreshToken: token, expiresAt: row!.expires_at.toISOString() };
  }

  private async revokeWhere(manager: EntityManager, column: 'family_id' | 'user_id', id: string): Promise<number> {
    // Locking first waits out a rotation in flight; the UPDATE, a later statement, then also sees the token that rotation issued.
    await manager.query(`SELECT id FROM ${TICKET_SCHEMA}.refresh_tokens WHERE ${column} = $1 AND revoked_at IS NULL ORDER BY id FOR UPDATE`, [id]);
    const revoked = await updateReturning<{ id: string }>(manager, `UPDATE ${TICKET_SCHEMA}.refresh_tokens SET revoked_at = now() WHERE ${column} = $1 AND revoked_at IS NULL RETURNING id`, [id]);
    return revoked.length;
  }
}
