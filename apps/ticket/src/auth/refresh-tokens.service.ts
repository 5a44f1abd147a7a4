import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IssuedRefreshToken, IssueRefreshTokenCommand, RefreshTokenCommand, RevokeRefreshTokenReply, RotatedRefreshToken } from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { updateReturning } from '../database/update-returning.js';
import { toUserView } from '../organizations/organizations.service.js';
import { TicketConfig } from '../ticket.config.js';
import { User } from '../users/user.entity.js';
import { hashToken, newOpaqueToken } from './opaque-token.js';

/** How long a refresh token lives; each rotation hands out a new one for as long again, within SESSION_MAX_DAYS of the login. */
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

interface SessionAge {
  started_at: Date;
  too_old: boolean;
  /** Rotations of the session in the last hour. */
  recent: number;
  /** Seconds until the oldest of those leaves the hour. */
  retry_after: number;
}

interface Rotation {
  rotated?: RotatedRefreshToken;
  reuse?: { familyId: string; userId: string };
  /** Seconds to wait: the session has used up its refreshes for the hour. */
  limitedFor?: number;
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

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TicketConfig) private readonly config: TicketConfig,
  ) {}

  /** Starts a session for a user the gateway has just authenticated. */
  async issue(command: IssueRefreshTokenCommand): Promise<IssuedRefreshToken> {
    const manager = this.dataSource.manager;
    const { userId, orgId, role } = command.principal;
    const user = await manager.findOne(User, { where: { id: userId, organizationId: orgId, role, active: true } });
    if (!user) throw new CommandError('UNAUTHORIZED', 'The account is unknown or deactivated');
    return this.insert(manager, user.id, randomUUID(), null);
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
    if (rotation.limitedFor !== undefined) {
      throw new CommandError('RATE_LIMITED', `Too many refreshes of this session: try again in ${rotation.limitedFor} seconds`, { retryAfterSeconds: rotation.limitedFor });
    }
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

  /** Ends every session of the user (a password reset or change), but `keepSessionId`'s, inside the caller's transaction. */
  revokeAllOf(manager: EntityManager, userId: string, keepSessionId?: string): Promise<number> {
    return this.revokeWhere(manager, 'user_id', userId, keepSessionId);
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
    // The family's first token marks the login (rows are only revoked, never deleted). Only the latest
    // token of a session can rotate, under its row lock, so counting here cannot be overrun in parallel.
    const [age] = (await manager.query(
      `SELECT min(created_at) AS started_at, min(created_at) <= now() - $2 * interval '1 day' AS too_old,
              count(*) FILTER (WHERE rotated_at > now() - interval '1 hour')::int AS recent,
              ceil(extract(epoch FROM min(rotated_at) FILTER (WHERE rotated_at > now() - interval '1 hour') + interval '1 hour' - now()))::int AS retry_after
       FROM ${TICKET_SCHEMA}.refresh_tokens WHERE family_id = $1`,
      [current.family_id, this.config.SESSION_MAX_DAYS],
    )) as SessionAge[];
    if (age!.too_old) return {};
    if (age!.recent >= this.config.RATE_LIMIT_REFRESH_PER_SESSION_PER_HOUR) return { limitedFor: Math.max(1, age!.retry_after) };
    const user = await manager.findOne(User, { where: { id: current.user_id, active: true } });
    if (!user) return {};
    await manager.query(`UPDATE ${TICKET_SCHEMA}.refresh_tokens SET rotated_at = now() WHERE id = $1`, [current.id]);
    return { rotated: { ...(await this.insert(manager, user.id, current.family_id, age!.started_at)), user: toUserView(user) } };
  }

  /** A token valid REFRESH_TOKEN_LIFETIME_DAYS, but never past the end of its session (SESSION_MAX_DAYS after `sessionStartedAt`). */
  private async insert(manager: EntityManager, userId: string, familyId: string, sessionStartedAt: Date | null): Promise<IssuedRefreshToken> {
    const { token, hash } = newOpaqueToken();
    const [row] = (await manager.query(
      `INSERT INTO ${TICKET_SCHEMA}.refresh_tokens (user_id, family_id, token_hash, expires_at)
       VALUES ($1, $2, $3, least(now() + $4 * interval '1 day', coalesce($5::timestamptz, now()) + $6 * interval '1 day')) RETURNING expires_at`,
      [userId, familyId, hash, REFRESH_TOKEN_LIFETIME_DAYS, sessionStartedAt, this.config.SESSION_MAX_DAYS],
    )) as Array<{ expires_at: Date }>;
    return { refreshToken: token, sessionId: familyId, expiresAt: row!.expires_at.toISOString() };
  }

  private async revokeWhere(manager: EntityManager, column: 'family_id' | 'user_id', id: string, keepFamilyId: string | null = null): Promise<number> {
    const kept = `family_id IS DISTINCT FROM $2::uuid`;
    // Locking first waits out a rotation in flight; the UPDATE, a later statement, then also sees the token that rotation issued.
    await manager.query(`SELECT id FROM ${TICKET_SCHEMA}.refresh_tokens WHERE ${column} = $1 AND ${kept} AND revoked_at IS NULL ORDER BY id FOR UPDATE`, [id, keepFamilyId]);
    const revoked = await updateReturning<{ id: string }>(
      manager,
      `UPDATE ${TICKET_SCHEMA}.refresh_tokens SET revoked_at = now() WHERE ${column} = $1 AND ${kept} AND revoked_at IS NULL RETURNING id`,
      [id, keepFamilyId],
    );
    return revoked.length;
  }
}
