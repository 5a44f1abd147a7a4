import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommandError, normalizeEmail } from '@helpdesk/common';
import type { EmailMarkBouncingCommand, EmailMarkBouncingReply, EventActor, UserBounceData, UserRefCommand, UserView } from '@helpdesk/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { toUserView } from '../organizations/organizations.service.js';
import { actorOf, DomainEvents } from '../outbox/domain-events.js';
import { PrincipalVerifier } from './principal-verifier.js';
import { User } from './user.entity.js';

const USERS = `${TICKET_SCHEMA}.users`;
/** The actor of marks set and cleared by mail: the inbound channel, not a person. */
const INBOUND_MAIL: EventActor = { system: 'inbound-mail' };

/**
 * Addresses that bounce (DESIGN section 13, loops and noise): a delivery-status report marks the
 * users with a failed address, the notification service then mails them no more, and the mark goes
 * when staff clear it or the user writes in again. Each change is audited as a user event.
 */
@Injectable()
export class BouncingAddresses {
  private readonly logger = new Logger(BouncingAddresses.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(DomainEvents) private readonly events: DomainEvents,
  ) {}

  /** Marks the organization's users with these addresses; those already bouncing keep their first mark. */
  async markBouncing(command: EmailMarkBouncingCommand): Promise<EmailMarkBouncingReply> {
    const emails = [...new Set(command.emails.map(normalizeEmail))];
    if (emails.length === 0) return { userIds: [] };
    const marked = await this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `UPDATE ${USERS} SET bouncing_since = now() WHERE organization_id = $1 AND lower(email) = ANY($2::text[]) AND bouncing_since IS NULL RETURNING id, bouncing_since`,
        [command.orgId, emails],
      )) as [Array<{ id: string; bouncing_since: Date }>, number];
      for (const row of rows[0]) await this.record(manager, 'user.bouncing', command.orgId, INBOUND_MAIL, row.id, row.bouncing_since);
      return rows[0].map((row) => row.id);
    });
    if (marked.length > 0) {
      this.events.committed();
      this.logger.log({ message: 'Addresses marked bouncing after a delivery-status report', orgId: command.orgId, userIds: marked });
    }
    return { userIds: marked };
  }

  /** Staff (admins and agents) clear the mark: the address works again. A user who is not bouncing is answered as is. */
  async clear(command: UserRefCommand): Promise<UserView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const caller = await this.principals.verifyStaff(command.principal, manager);
      const user = await manager.findOne(User, { where: { id: command.userId, organizationId: caller.orgId }, lock: { mode: 'for_no_key_update' } });
      if (!user) throw new CommandError('NOT_FOUND', 'User not found');
      if (user.bouncingSince === null) return { view: toUserView(user), cleared: false };
      await this.record(manager, 'user.bounce_cleared', caller.orgId, actorOf(caller), user.id, user.bouncingSince);
      user.bouncingSince = null;
      return { view: toUserView(await manager.save(user)), cleared: true };
    });
    if (view.cleared) this.events.committed();
    return view.view;
  }

  /** The sender of a mail that became a ticket or comment: their address evidently works, so its mark goes. */
  async clearOnMailFrom(orgId: string, email: string): Promise<void> {
    const cleared = await this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `UPDATE ${USERS} account SET bouncing_since = NULL
           FROM (SELECT id, bouncing_since FROM ${USERS} WHERE organization_id = $1 AND lower(email) = $2 AND bouncing_since IS NOT NULL FOR NO KEY UPDATE) marked
          WHERE account.id = marked.id RETURNING account.id, marked.bouncing_since`,
        [orgId, normalizeEmail(email)],
      )) as [Array<{ id: string; bouncing_since: Date }>, number];
      for (const row of rows[0]) await this.record(manager, 'user.bounce_cleared', orgId, INBOUND_MAIL, row.id, row.bouncing_since);
      return rows[0].length > 0;
    });
    if (cleared) this.events.committed();
  }

  private async record(manager: EntityManager, type: 'user.bouncing' | 'user.bounce_cleared', orgId: string, actor: EventActor, userId: string, since: Date): Promise<void> {
    const data: UserBounceData = { userId, bouncingSince: new Date(since).toISOString() };
    await this.events.record(manager, { type, orgId, aggregateId: userId, actor, data });
  }
}
