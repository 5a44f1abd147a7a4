import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isStaff, type Principal } from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import { DataSource, type EntityManager } from 'typeorm';
import { User } from './user.entity.js';

export const UNKNOWN_ACCOUNT = 'The account is unknown or deactivated';

/** The caller as this service knows them now: their current role wins over the one in the token. */
export interface VerifiedPrincipal extends Principal {
  user: User;
  staff: boolean;
  /** Set when the platform acts through this account (a workflow rule, "trigger:<id>"): events name it as their actor. */
  system?: string;
}

/**
 * Re-checks the principal asserted by the gateway: the user must still exist, be active and belong
 * to that organization. A deactivated user or a role change takes effect at once, not at token expiry.
 */
@Injectable()
export class PrincipalVerifier {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async verify(principal: Principal, manager: EntityManager = this.dataSource.manager): Promise<VerifiedPrincipal> {
    const user = await manager.findOne(User, { where: { id: principal.userId, organizationId: principal.orgId, active: true } });
    if (!user) throw new CommandError('UNAUTHORIZED', UNKNOWN_ACCOUNT);
    return { orgId: user.organizationId, userId: user.id, role: user.role, user, staff: isStaff(user.role), ...(principal.apiToken ? { apiToken: principal.apiToken } : {}), ...(principal.integration ? { integration: principal.integration } : {}) };
  }

  async verifyStaff(principal: Principal, manager?: EntityManager): Promise<VerifiedPrincipal> {
    const verified = await this.verify(principal, manager);
    if (!verified.staff) throw new CommandError('FORBIDDEN', 'Only agents and admins may do this');
    return verified;
  }

  async verifyAdmin(principal: Principal, manager?: EntityManager): Promise<VerifiedPrincipal> {
    const verified = await this.verify(principal, manager);
    if (verified.role !== 'admin') throw new CommandError('FORBIDDEN', 'Only admins may do this');
    return verified;
  }
}
