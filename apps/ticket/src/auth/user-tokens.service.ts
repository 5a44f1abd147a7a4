import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  AcceptInvitationCommand,
  ConfirmEmailVerificationCommand,
  ConfirmPasswordResetCommand,
  EventActor,
  InvitationAcceptedReply,
  IssuedLinkToken,
  IssueEmailVerificationLinkCommand,
  IssueInvitationLinkCommand,
  IssuePasswordResetLinkCommand,
  PasswordResetConfirmedReply,
  PasswordResetRequestedData,
  PasswordResetRequestedReply,
  RequestPasswordResetCommand,
  ResendEmailVerificationCommand,
} from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { updateReturning } from '../database/update-returning.js';
import { toUserView } from '../organizations/organizations.service.js';
import { DomainEvents } from '../outbox/domain-events.js';
import { Organization } from '../organizations/organization.entity.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { User } from '../users/user.entity.js';
import { accountsByEmail } from './accounts.js';
import { ALREADY_VERIFIED, EMAIL_VERIFICATION_LIFETIME_SECONDS, INVALID_VERIFICATION_LINK, recordEmailVerificationRequest } from './email-verification.js';
import { hashToken, newOpaqueToken } from './opaque-token.js';
import { Passwords } from './passwords.js';
import { RefreshTokensService } from './refresh-tokens.service.js';

type UserTokenPurpose = 'password_reset' | 'invitation' | 'email_verification';

export const PASSWORD_RESET_LIFETIME_SECONDS = 60 * 60;
export const INVITATION_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

export const INVALID_RESET_LINK = 'The reset link is invalid or has expired';
export const INVALID_INVITATION = 'The invitation is invalid or has expired';

/** Nobody is signed in when a reset is requested. */
const PASSWORD_RESET_ACTOR: EventActor = { system: 'auth' };

/**
 * Password reset and invitation links: single-use, expiring tokens mailed to a user. Only their
 * SHA-256 is stored, and they are minted when the mail is sent, never carried in events.
 */
@Injectable()
export class UserTokensService {
  private readonly logger = new Logger(UserTokensService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DomainEvents) private readonly events: DomainEvents,
    @Inject(Passwords) private readonly passwords: Passwords,
    @Inject(RefreshTokensService) private readonly refreshTokens: RefreshTokensService,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
  ) {}

  /** One event per active account with this email, for the notification service; the answer never says whether there was one. */
  async requestPasswordReset(command: RequestPasswordResetCommand): Promise<PasswordResetRequestedReply> {
    const accounts = (await accountsByEmail(this.dataSource.manager, command.email, command.organization)).filter((account) => account.active);
    if (accounts.length > 0) {
      await this.dataSource.transaction(async (manager) => {
        for (const account of accounts) {
          const data: PasswordResetRequestedData = { userId: account.id, email: account.email, name: account.name, requestId: randomUUID() };
          await this.events.record(manager, { type: 'auth.password_reset_requested', orgId: account.organizationId, aggregateId: account.id, actor: PASSWORD_RESET_ACTOR, data });
        }
      });
      this.events.committed();
    }
    return { accepted: true };
  }

  async issuePasswordResetLink(command: IssuePasswordResetLinkCommand): Promise<IssuedLinkToken> {
    const link = await this.dataSource.transaction(async (manager) => {
      const user = await this.lockActiveUser(manager, command.userId);
      return this.issue(manager, user.id, 'password_reset', PASSWORD_RESET_LIFETIME_SECONDS);
    });
    this.logger.log(`Password reset link issued for user ${command.userId} (request ${command.requestId})`);
    return link;
  }

  /** Sets the new password, spends the link and ends every session of the user, all or nothing. */
  async confirmPasswordReset(command: ConfirmPasswordResetCommand): Promise<PasswordResetConfirmedReply> {
    const passwordHash = await this.passwords.hash(command.password);
    return this.dataSource.transaction(async (manager) => {
      const userId = await this.consume(manager, command.token, 'password_reset');
      if (!userId || !(await this.setPassword(manager, userId, passwordHash, { onlyFirst: false }))) throw new CommandError('UNAUTHORIZED', INVALID_RESET_LINK);
      await this.refreshTokens.revokeAllOf(manager, userId);
      return { userId };
    });
  }

  async issueInvitationLink(command: IssueInvitationLinkCommand): Promise<IssuedLinkToken> {
    return this.dataSource.transaction(async (manager) => {
      const user = await this.lockActiveUser(manager, command.userId);
      if (user.passwordHash !== null) throw new CommandError('CONFLICT', 'The user has already set a password');
      return this.issue(manager, user.id, 'invitation', INVITATION_LIFETIME_SECONDS);
    });
  }

  async acceptInvitation(command: AcceptInvitationCommand): Promise<InvitationAcceptedReply> {
    const passwordHash = await this.passwords.hash(command.password);
    return this.dataSource.transaction(async (manager) => {
      const userId = await this.consume(manager, command.token, 'invitation');
      // An invitation only sets a first password; replacing one is a reset, which also ends sessions.
      if (!userId || !(await this.setPassword(manager, userId, passwordHash, { onlyFirst: true }))) throw new CommandError('UNAUTHORIZED', INVALID_INVITATION);
      return { user: toUserView(await manager.findOneByOrFail(User, { id: userId })) };
    });
  }

  /** For the verification mail of a not yet verified organization, to one of its active admins. */
  async issueEmailVerificationLink(command: IssueEmailVerificationLinkCommand): Promise<IssuedLinkToken> {
    return this.dataSource.transaction(async (manager) => {
      const user = await this.lockActiveUser(manager, command.userId);
      if (user.role !== 'admin') throw new CommandError('NOT_FOUND', 'No active admin with this id');
      const organization = await manager.findOneByOrFail(Organization, { id: user.organizationId });
      if (organization.emailVerifiedAt) throw new CommandError('CONFLICT', ALREADY_VERIFIED);
      return this.issue(manager, user.id, 'email_verification', EMAIL_VERIFICATION_LIFETIME_SECONDS);
    });
  }

  /** Spends the link and marks its admin's organization verified (the link of an admin since removed no longer counts). */
  async confirmEmailVerification(command: ConfirmEmailVerificationCommand): Promise<{ organizationId: string }> {
    return this.dataSource.transaction(async (manager) => {
      const userId = await this.consume(manager, command.token, 'email_verification');
      const [row] = userId
        ? await updateReturning<{ id: string }>(
            manager,
            `UPDATE ${TICKET_SCHEMA}.organizations organization SET email_verified_at = COALESCE(organization.email_verified_at, now()), updated_at = now()
             FROM ${TICKET_SCHEMA}.users admin WHERE admin.id = $1 AND admin.active AND admin.role = 'admin' AND organization.id = admin.organization_id
             RETURNING organization.id`,
            [userId],
          )
        : [];
      if (!row) throw new CommandError('UNAUTHORIZED', INVALID_VERIFICATION_LINK);
      this.logger.log(`Organization ${row.id} verified its email address`);
      return { organizationId: row.id };
    });
  }

  /** A new verification mail to the calling admin, while the organization is unverified. */
  async resendEmailVerification(command: ResendEmailVerificationCommand): Promise<{ accepted: true }> {
    await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verifyAdmin(command.principal, manager);
      const organization = await manager.findOneByOrFail(Organization, { id: caller.orgId });
      if (organization.emailVerifiedAt) throw new CommandError('CONFLICT', ALREADY_VERIFIED);
      await recordEmailVerificationRequest(this.events, manager, { id: caller.userId, organizationId: caller.orgId });
    });
    this.events.committed();
    return { accepted: true };
  }

  /** The row lock makes concurrent issues for one user take turns, so exactly the newest link stays valid. */
  private async lockActiveUser(manager: EntityManager, userId: string): Promise<User> {
    const user = await manager
      .createQueryBuilder(User, 'account')
      .addSelect('account.passwordHash')
      .where('account.id = :userId AND account.active', { userId })
      .setLock('pessimistic_write')
      .getOne();
    if (!user) throw new CommandError('NOT_FOUND', 'No active user with this id');
    return user;
  }

  /** A new link token; earlier unused ones for the same purpose stop working, so only the latest mail's link is valid. */
  private async issue(manager: EntityManager, userId: string, purpose: UserTokenPurpose, lifetimeSeconds: number): Promise<IssuedLinkToken> {
    await manager.query(`UPDATE ${TICKET_SCHEMA}.user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, [userId, purpose]);
    const { token, hash } = newOpaqueToken();
    const [row] = (await manager.query(
      `INSERT INTO ${TICKET_SCHEMA}.user_tokens (user_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 second') RETURNING expires_at`,
      [userId, purpose, hash, lifetimeSeconds],
    )) as Array<{ expires_at: Date }>;
    return { token, expiresAt: row!.expires_at.toISOString() };
  }

  /** Spends a valid token and answers its user, or null. The conditional UPDATE lets exactly one of two simultaneous uses through. */
  private async consume(manager: EntityManager, token: string, purpose: UserTokenPurpose): Promise<string | null> {
    const [row] = await updateReturning<{ user_id: string }>(
      manager,
      `UPDATE ${TICKET_SCHEMA}.user_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
      [hashToken(token), purpose],
    );
    return row?.user_id ?? null;
  }

  private async setPassword(manager: EntityManager, userId: string, passwordHash: string, { onlyFirst }: { onlyFirst: boolean }): Promise<boolean> {
    const updated = await updateReturning<{ id: string }>(
      manager,
      `UPDATE ${TICKET_SCHEMA}.users SET password_hash = $2, invitation_pending_since = NULL, updated_at = now() WHERE id = $1 AND active ${onlyFirst ? 'AND password_hash IS NULL' : ''} RETURNING id`,
      [userId, passwordHash],
    );
    return updated.length > 0;
  }
}
