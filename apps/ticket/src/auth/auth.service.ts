import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AuthenticatedUserReply, MeCommand, MeReply, OrganizationChoiceDetails, VerifyCredentialsCommand } from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import { DataSource, In } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { Organization } from '../organizations/organization.entity.js';
import { toOrganizationView, toUserView } from '../organizations/organizations.service.js';
import { toAccountView } from '../users/own-account.service.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import type { User } from '../users/user.entity.js';
import { accountsByEmail } from './accounts.js';
import { Passwords } from './passwords.js';

export const INVALID_CREDENTIALS = 'Invalid email or password';
export const ORGANIZATION_REQUIRED = 'organization is required: this email belongs to several organizations';

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(Passwords) private readonly passwords: Passwords,
  ) {}

  /**
   * One answer for every failure (unknown email, wrong password, deactivated, no password yet), after
   * the same work: at least one full argon2 verification, so neither the reply nor its timing tells
   * whether an account exists.
   */
  async verifyCredentials(command: VerifyCredentialsCommand): Promise<AuthenticatedUserReply> {
    const accounts = await accountsByEmail(this.dataSource.manager, command.email, command.organization);
    const candidates = accounts.filter((account) => account.active && account.passwordHash !== null);
    const matched = await this.matching(candidates, command.password);
    const [user] = matched;
    if (!user) throw new CommandError('UNAUTHORIZED', INVALID_CREDENTIALS);
    // Only someone who knows a password learns that the email has several accounts.
    if (candidates.length > 1) throw new CommandError('VALIDATION', ORGANIZATION_REQUIRED, await this.choicesFor(matched));
    await this.dataSource.query(`UPDATE ${TICKET_SCHEMA}.users SET last_login_at = now() WHERE id = $1`, [user.id]);
    const organization = await this.dataSource.manager.findOneByOrFail(Organization, { id: user.organizationId });
    return { user: toUserView(user), organization: toOrganizationView(organization) };
  }

  async me(command: MeCommand): Promise<MeReply> {
    const caller = await this.principals.verify(command.principal);
    const organization = await this.dataSource.manager.findOneByOrFail(Organization, { id: caller.orgId });
    return { user: toAccountView(caller.user), organization: toOrganizationView(organization) };
  }

  /** Checks every candidate at once (argon2 runs on the libuv pool), so an email with two accounts answers about as fast as one. */
  private async matching(candidates: User[], password: string): Promise<User[]> {
    if (candidates.length === 0) {
      await this.passwords.matches(null, password);
      return [];
    }
    const results = await Promise.all(candidates.map((candidate) => this.passwords.matches(candidate.passwordHash, password)));
    return candidates.filter((_, index) => results[index]);
  }

  private async choicesFor(matched: User[]): Promise<OrganizationChoiceDetails> {
    const organizations = await this.dataSource.manager.find(Organization, { where: { id: In(matched.map((user) => user.organizationId)) }, order: { name: 'ASC' } });
    return { organizations: organizations.map(({ slug, name }) => ({ slug, name })) };
  }
}
