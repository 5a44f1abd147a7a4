import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ChangeOwnPasswordCommand } from '@helpdesk/contracts';
import { CommandError } from '@helpdesk/common';
import { DataSource } from 'typeorm';
import { TICKET_SCHEMA } from '../database/schema.js';
import { PrincipalVerifier } from '../users/principal-verifier.js';
import { User } from '../users/user.entity.js';
import { Passwords } from './passwords.js';
import { RefreshTokensService } from './refresh-tokens.service.js';

export const WRONG_CURRENT_PASSWORD = 'currentPassword is not the current password';

/** A signed-in user replacing their own password: proven by the current one, ending every other session. */
@Injectable()
export class OwnPasswordService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PrincipalVerifier) private readonly principals: PrincipalVerifier,
    @Inject(Passwords) private readonly passwords: Passwords,
    @Inject(RefreshTokensService) private readonly refreshTokens: RefreshTokensService,
  ) {}

  async change(command: ChangeOwnPasswordCommand): Promise<{ changed: true }> {
    const caller = await this.principals.verify(command.principal);
    const { passwordHash } = await this.dataSource.manager
      .createQueryBuilder(User, 'account')
      .addSelect('account.passwordHash')
      .where('account.id = :id', { id: caller.userId })
      .getOneOrFail();
    if (!(await this.passwords.matches(passwordHash, command.change.currentPassword))) throw new CommandError('VALIDATION', WRONG_CURRENT_PASSWORD, [WRONG_CURRENT_PASSWORD]);
    const newHash = await this.passwords.hash(command.change.newPassword);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE ${TICKET_SCHEMA}.users SET password_hash = $2, updated_at = now() WHERE id = $1`, [caller.userId, newHash]);
      await this.refreshTokens.revokeAllOf(manager, caller.userId, command.keepSessionId);
    });
    return { changed: true };
  }
}
