import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  STAFF_ROLES,
  TICKET_LIMITS,
  type InviteUserCommand,
  type ListUsersCommand,
  type Page,
  type Principal,
  type PublicUserView,
  type UpdateUserCommand,
  type UserAccessChangedData,
  type UserChanges,
  type UserInvitedData,
  type UserRefCommand,
  type UserView,
} from '@helpdesk/contracts';
import { CommandError, decodeCursor, encodeCursor, normalizeEmail, stripToPlainText } from '@helpdesk/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { Passwords } from '../auth/passwords.js';
import { RefreshTokensService } from '../auth/refresh-tokens.service.js';
import { AssignmentService } from '../assignment/assignment.service.js';
import { TICKET_SCHEMA } from '../database/schema.js';
import { Organization } from '../organizations/organization.entity.js';
import { toPublicUserView, toUserView } from '../organizations/organizations.service.js';
import { revokeIntegrationsOfCreator } from '../nats-integrations/creator-revocation.js';
import { actorOf, DomainEvents } from '../outbox/domain-events.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { User } from '../users/user.entity.js';
import { isUniqueViolation } from './unique-violation.js';

export const DUPLICATE_EMAIL = 'A user with this email already exists';
export const VERIFY_EMAIL_FIRST =
  'Verify your organization’s email address before adding users or making them staff: follow the link mailed to the signup address (POST /api/v1/auth/verify-email/resend sends it again)';
export const ALREADY_ACCEPTED = 'The user has already accepted the invitation (their password is set)';
export const NOT_INVITED = 'The user was not invited by mail, so there is no invitation to resend';
export const INVITEE_DEACTIVATED = 'The user is deactivated: reactivate them before resending the invitation';
export const LAST_ADMIN = 'The organization needs at least one active admin: make another user an admin first';

/** LIKE treats % and _ as wildcards; a search for "50%" means the text. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

export function plainName(name: string): string {
  const plain = stripToPlainText(name);
  if (!plain) throw new CommandError('VALIDATION', 'name must contain text');
  return plain;
}

/** The organization's accounts: reading (staff; customers name staff only), inviting, role and name changes, deactivation (admins). */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(DomainEvents) private readonly events: DomainEvents,
    @Inject(Passwords) private readonly passwords: Passwords,
    @Inject(RefreshTokensService) private readonly refreshTokens: RefreshTokensService,
    @Inject(AssignmentService) private readonly assignment: AssignmentService,
  ) {}

  /**
   * Staff (admins and agents) read the directory: agents assign tickets to colleagues and name the
   * people on them. Ordered by name, then id, so the keyset cursor never skips or repeats a user.
   */
  async list(command: ListUsersCommand): Promise<Page<UserView>> {
    const caller = await this.principals.verifyStaff(command.principal);
    const limit = command.limit ?? TICKET_LIMITS.defaultPageSize;
    const query = this.dataSource.manager.createQueryBuilder(User, 'account').where('account.organizationId = :orgId', { orgId: caller.orgId });
    if (command.role?.length) query.andWhere('account.role IN (:...roles)', { roles: command.role });
    if (command.ids?.length) query.andWhere('account.id IN (:...ids)', { ids: command.ids });
    if (command.active !== undefined) query.andWhere('account.active = :active', { active: command.active });
    if (command.q) query.andWhere('(account.name ILIKE :pattern OR account.email ILIKE :pattern)', { pattern: `%${escapeLike(command.q)}%` });
    if (command.cursor) {
      const cursor = decodeCursor(command.cursor, 'text');
      query.andWhere('(account.name, account.id) > (:cursorName, :cursorId)', { cursorName: cursor.value, cursorId: cursor.id });
    }
    const rows = await query.orderBy('account.name', 'ASC').addOrderBy('account.id', 'ASC').limit(limit + 1).getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toUserView), nextCursor: rows.length > limit && last ? encodeCursor({ value: last.name, id: last.id }) : null };
  }

  /**
   * One user of the caller's organization. Customers may name only staff (the agent who answered
   * them) and see only a PublicUserView; any other user is NOT_FOUND, as if it did not exist.
   */
  async get(command: UserRefCommand): Promise<UserView | PublicUserView> {
    const caller = await this.principals.verify(command.principal);
    const user = await this.dataSource.manager.findOne(User, {
      where: { id: command.userId, organizationId: caller.orgId, ...(caller.staff ? {} : { role: In([...STAFF_ROLES]) }) },
    });
    if (!user) throw new CommandError('NOT_FOUND', 'User not found');
    return caller.staff ? toUserView(user) : toPublicUserView(user);
  }

  /** With a password the account is ready; without one, `user.invited` lets the notification service mail a link to set it. */
  async invite(command: InviteUserCommand): Promise<UserView> {
    const caller = await this.principals.verifyAdmin(command.principal);
    await this.requireVerifiedEmail(this.dataSource.manager, caller.orgId);
    const name = plainName(command.name);
    const email = normalizeEmail(command.email);
    const passwordHash = command.password === undefined ? null : await this.passwords.hash(command.password);
    const user = await this.dataSource
      .transaction(async (manager) => {
        const invitationPendingSince = passwordHash === null ? new Date() : null;
        const user = await manager.save(
          manager.create(User, { organizationId: caller.orgId, email, name, role: command.role, passwordHash, active: true, notificationPreferences: {}, invitationPendingSince }),
        );
        if (passwordHash === null) {
          const data: UserInvitedData = { userId: user.id, email, name, role: user.role, invitedBy: caller.userId };
          await this.events.record(manager, { type: 'user.invited', orgId: caller.orgId, aggregateId: user.id, actor: actorOf(caller), data });
        }
        return user;
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'users_organization_email_key')) throw new CommandError('CONFLICT', DUPLICATE_EMAIL);
        throw error;
      });
    if (passwordHash === null) this.events.committed();
    return toUserView(user);
  }

  /**
   * A fresh invitation mail (a new `user.invited` event) for a user who has not accepted theirs. The
   * links mailed before stop working at once; the new one is issued when the new mail is sent.
   */
  async resendInvitation(command: UserRefCommand): Promise<UserView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verifyAdmin(command.principal, manager);
      await this.requireVerifiedEmail(manager, caller.orgId);
      // Locked like the link issue does, so an acceptance racing this resend is seen one way or the other.
      const user = await manager
        .createQueryBuilder(User, 'account')
        .addSelect('account.passwordHash')
        .where('account.id = :userId AND account.organizationId = :orgId', { userId: command.userId, orgId: caller.orgId })
        .setLock('pessimistic_write')
        .getOne();
      if (!user) throw new CommandError('NOT_FOUND', 'User not found');
      if (user.passwordHash !== null) throw new CommandError('CONFLICT', ALREADY_ACCEPTED);
      if (user.invitationPendingSince === null) throw new CommandError('CONFLICT', NOT_INVITED);
      if (!user.active) throw new CommandError('CONFLICT', INVITEE_DEACTIVATED);
      await manager.query(`UPDATE ${TICKET_SCHEMA}.user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = 'invitation' AND used_at IS NULL`, [user.id]);
      const data: UserInvitedData = { userId: user.id, email: user.email, name: user.name, role: user.role, invitedBy: caller.userId };
      await this.events.record(manager, { type: 'user.invited', orgId: caller.orgId, aggregateId: user.id, actor: actorOf(caller), data });
      return toUserView(user);
    });
    this.events.committed();
    return view;
  }

  update(command: UpdateUserCommand): Promise<UserView> {
    return this.change(command.principal, command.userId, command.changes);
  }

  deactivate(command: UserRefCommand): Promise<UserView> {
    return this.change(command.principal, command.userId, { active: false });
  }

  /**
   * Deactivation ends the user's sessions at once, and losing admin rights (deactivated or demoted) revokes
   * the NATS integrations they made; their tickets and history stay as they are.
   */
  private async change(principal: Principal, userId: string, changes: UserChanges): Promise<UserView> {
    const name = changes.name === undefined ? undefined : plainName(changes.name);
    let announced = false;
    const view = await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verifyAdmin(principal, manager);
      const adminIds = await this.lockActiveAdmins(manager, caller.orgId);
      // Re-checked under the lock: an admin demoted a moment ago no longer acts as one.
      if (!adminIds.includes(caller.userId)) throw new CommandError('FORBIDDEN', 'Only admins may do this');
      const user = await manager.findOne(User, { where: { id: userId, organizationId: caller.orgId }, lock: { mode: 'for_no_key_update' } });
      if (!user) throw new CommandError('NOT_FOUND', 'User not found');
      // A customer made staff would receive staff mail (password resets included) from an unverified organization.
      if (changes.role !== undefined && changes.role !== 'customer' && user.role === 'customer') await this.requireVerifiedEmail(manager, caller.orgId);
      const wasActive = user.active;
      const previousRole = user.role;
      const wasActiveAdmin = user.active && user.role === 'admin';
      if (name !== undefined) user.name = name;
      if (changes.role !== undefined) user.role = changes.role;
      if (changes.active !== undefined) user.active = changes.active;
      if (changes.capacity !== undefined) user.capacity = changes.capacity;
      if (changes.availability !== undefined) user.availability = changes.availability;
      const staysActiveAdmin = user.active && user.role === 'admin';
      if (wasActiveAdmin && !staysActiveAdmin && adminIds.every((id) => id === user.id)) throw new CommandError('CONFLICT', LAST_ADMIN);
      const saved = await manager.save(user);
      // More capacity, back online, reactivated or made staff: their teams' waiting tickets may go to them now.
      if (changes.capacity !== undefined || changes.availability !== undefined || changes.active !== undefined || changes.role !== undefined) this.assignment.noteUser(manager, saved.id);
      if (wasActive && !saved.active) await this.refreshTokens.revokeAllOf(manager, saved.id);
      // Their NATS integrations read every event of the organization: they end with the admin rights they were made with.
      if (wasActiveAdmin && !staysActiveAdmin) {
        const reason = saved.active ? 'creator_demoted' : 'creator_deactivated';
        await revokeIntegrationsOfCreator(manager, { organizationId: caller.orgId, creatorId: saved.id, revokedBy: caller.userId, reason });
      }
      // Live connections (realtime) were let in for the account as it was: they end on these events.
      const actor = actorOf(caller);
      if (wasActive && !saved.active) {
        const data: UserAccessChangedData = { userId: saved.id, role: saved.role };
        await this.events.record(manager, { type: 'user.deactivated', orgId: caller.orgId, aggregateId: saved.id, actor, data });
        announced = true;
      }
      if (saved.role !== previousRole) {
        const data: UserAccessChangedData = { userId: saved.id, role: saved.role, previousRole };
        await this.events.record(manager, { type: 'user.role_changed', orgId: caller.orgId, aggregateId: saved.id, actor, data });
        announced = true;
      }
      return toUserView(saved);
    });
    if (announced) this.events.committed();
    return view;
  }

  /**
   * An unverified organization may mail only its staff, so new accounts would be a spam relay: each
   * one is an address that password resets, invitations and staff notifications would reach.
   */
  private async requireVerifiedEmail(manager: EntityManager, organizationId: string): Promise<void> {
    const organization = await manager.findOne(Organization, { where: { id: organizationId }, select: { id: true, emailVerifiedAt: true } });
    if (!organization?.emailVerifiedAt) throw new CommandError('FORBIDDEN', VERIFY_EMAIL_FIRST);
  }

  /**
   * Locks the organization's active admins, in id order: changes to its users take turns, so two
   * admins demoting each other at the same moment cannot leave it without one. NO KEY UPDATE leaves
   * tickets that reference these users writable meanwhile.
   */
  private async lockActiveAdmins(manager: EntityManager, organizationId: string): Promise<string[]> {
    const rows = (await manager.query(`SELECT id FROM ${TICKET_SCHEMA}.users WHERE organization_id = $1 AND role = 'admin' AND active ORDER BY id FOR NO KEY UPDATE`, [organizationId])) as Array<{
      id: string;
    }>;
    return rows.map((row) => row.id);
  }
}
